"""A full (or failing) disk: telling it apart, logging its cause once, and a reserve.

The agent must keep measuring and keep the kiosk's screen current when the SD card is
full. SQLite cannot even checkpoint its WAL when the file would have to grow, so the agent
keeps a small reserve file in its state directory and gives it back at the first failed
write: that room lets the kiosk's state (a few rows replaced in place) go on being written.
The reserve is taken again once the disk has room to spare.
"""

import errno
import logging
import os
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESERVE_NAME = "reserve"
KIOSK_STATE = "writing the kiosk's state"  # the one write kept up while the disk is full
# Errors that mean "the storage refused", not "the file is damaged".
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS}
_STORAGE_SQLITE = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY")


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from or during, innermost last."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _is_storage(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        return name.startswith(_STORAGE_SQLITE)
    return isinstance(exc, OSError) and exc.errno in _STORAGE_ERRNOS


def storage_failure(exc: BaseException) -> bool:
    """True when ``exc`` (or what it hid) says the disk refused: full, I/O error, read-only."""
    return any(_is_storage(e) for e in _chain(exc))


def cause(exc: BaseException) -> str:
    """The real cause in words, e.g. ``SQLITE_FULL: database or disk is full`` — not the
    ``cannot rollback`` that SQLite raises after it has already rolled back by itself."""
    chain = _chain(exc)
    found = next((e for e in reversed(chain) if _is_storage(e)), chain[-1])
    if isinstance(found, sqlite3.Error):
        return f"{getattr(found, 'sqlite_errorname', None) or type(found).__name__}: {found}"
    if isinstance(found, OSError) and found.errno is not None:
        return f"{errno.errorcode.get(found.errno, found.errno)}: {found.strerror}"
    return f"{type(found).__name__}: {found}"


class WriteFailures:
    """Logs the first failure of each kind of write with its cause, then only counts, and
    says once when that write works again."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self.total: Counter[str] = Counter()  # every failure since start, by kind
        self._open: Counter[str] = Counter()  # failures since the last success, by kind

    def failed(self, what: str, exc: BaseException) -> None:
        if not self._open[what]:
            self.log.error(
                "%s failed (%s); carrying on, further failures are only counted", what, cause(exc)
            )
        self._open[what] += 1
        self.total[what] += 1

    def worked(self, what: str) -> None:
        failures = self._open.pop(what, 0)
        if failures:
            self.log.warning("%s works again after %d failures", what, failures)

    @property
    def failing(self) -> bool:
        return any(self._open.values())


class Reserve:
    """A file of ``size`` bytes kept in the state directory to give back when it fills."""

    def __init__(self, state_dir: Path, size: int) -> None:
        self.path = state_dir / RESERVE_NAME
        self.size = size

    @property
    def held(self) -> bool:
        try:
            return self.path.stat().st_size >= self.size
        except OSError:
            return False

    def free_bytes(self) -> int:
        stat = os.statvfs(self.path.parent)
        return stat.f_bavail * stat.f_frsize

    def release(self) -> bool:
        """Give the room back; True when there was a reserve to give."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    def take(self) -> bool:
        """Hold the reserve again, if the disk has room for it and as much again to spare;
        True when it is held."""
        if self.held or self.size == 0:
            return True
        try:
            if self.free_bytes() < 2 * self.size:
                return False
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                os.posix_fallocate(fd, 0, self.size)  # real blocks, not a sparse file
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            self.path.unlink(missing_ok=True)
            return False
        return True


class DiskState:
    """Whether the agent is saving room on a full disk, and the failures it has seen.

    Full from the first write the disk refuses until the reserve can be taken again; while
    full the agent writes only what the kiosk needs, in place, and sends readings directly.
    """

    def __init__(self, state_dir: Path, reserve_bytes: int, log: logging.Logger) -> None:
        self.log = log
        self.state_dir = state_dir
        self.failures = WriteFailures(log)
        self.reserve = Reserve(state_dir, reserve_bytes)
        self.full = False

    def failed(self, what: str, exc: BaseException) -> None:
        """Note a failed write; only a disk that refused it (not, say, a lock held too long)
        makes the agent save room."""
        self.failures.failed(what, exc)
        if storage_failure(exc) and not self.full:
            self.full = True
            released = self.reserve.release()
            self.log.error(
                "the disk refuses writes (%s): keeping only the kiosk's state%s; readings are "
                "sent directly while it lasts",
                cause(exc),
                f", on the {self.reserve.size // 1024} KiB reserve given back" if released else "",
            )

    def worked(self, what: str) -> None:
        self.failures.worked(what)

    def recovered(self) -> bool:
        """While full: True once the disk has room again (the reserve is held again)."""
        if not self.full or not self.reserve.take():
            return False
        self.full = False
        self.log.warning(
            "the disk has room again after %d failed writes: back to normal",
            sum(self.failures.total.values()),
        )
        return True

    def guard(self, what: str, write: Callable[..., object], *args: Any) -> bool:
        """Run one write; False when the disk refused it (logged once, then counted).
        While the disk is full, only the kiosk's state is written."""
        if self.full and what != KIOSK_STATE:
            return False
        return self.attempt(what, write, *args)

    def attempt(self, what: str, write: Callable[..., object], *args: Any) -> bool:
        """Run one write even while the disk is full; False when it refused."""
        try:
            write(*args)
        except (sqlite3.Error, OSError) as exc:
            self.failed(what, exc)
            return False
        self.worked(what)
        return True
