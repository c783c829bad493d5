"""The agent's state directory on an SD card that may fill: the session number and the two
SQLite files, opened with a fallback, and back to normal when the disk has room again.

A full disk cannot even give SQLite room for a WAL index, so a file that will not open is
tried again once the reserve has been given back, and then replaced by a file in memory:
the agent keeps measuring, publishing and answering, and says so in its log.
"""

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from localstate import LocalState, OpenResult, open_local_state
from localstate.schema import DDL as LOCAL_DDL
from sensors.diskspace import DiskState
from sensors.settings import AgentSettings
from sensors.time.session import Session
from sensors.uplink import agentdb
from sensors.uplink.agentdb import OpenedDb, open_agent_db

T = TypeVar("T")
SAVE_SESSION = "saving the session number"


@dataclass(frozen=True)
class AgentFiles:
    db: OpenedDb
    local: OpenResult
    in_memory: tuple[str, ...]  # the files that could not be opened on disk


def _memory(ddl: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.executescript(ddl)
    return conn


def _opened(
    what: str, open_on_disk: Callable[[], T], in_memory: Callable[[], T], disk: DiskState
) -> tuple[T, bool]:
    for _ in range(2):  # the second try has the reserve's room
        try:
            opened = open_on_disk()
        except sqlite3.Error as exc:
            disk.failed(f"opening {what}", exc)
        else:
            disk.worked(f"opening {what}")
            return opened, True
    disk.log.error("%s kept in memory until the agent restarts", what)
    return in_memory(), False


def open_agent_files(state_dir: Path, disk: DiskState) -> AgentFiles:
    db, db_on_disk = _opened(
        agentdb.FILE_NAME,
        lambda: open_agent_db(state_dir),
        lambda: OpenedDb(_memory(agentdb.DDL), None),
        disk,
    )
    local, local_on_disk = _opened(
        "station.sqlite",
        lambda: open_local_state(state_dir),
        lambda: OpenResult(LocalState(_memory(LOCAL_DDL)), None),
        disk,
    )
    named = ((agentdb.FILE_NAME, db_on_disk), ("station.sqlite", local_on_disk))
    missing = [name for name, on_disk in named if not on_disk]
    return AgentFiles(db, local, tuple(missing))


def reopen_local_state(disk: DiskState) -> LocalState | None:
    """The local state on disk again once the disk has room, else None."""
    if disk.full:
        return None
    try:
        return open_local_state(disk.state_dir).state
    except sqlite3.Error as exc:
        disk.failed("opening station.sqlite", exc)
        return None


class LocalStateFile:
    """The local state the agent writes: on disk, or in memory (a disk full at start) until
    the disk has room again. Whoever writes it asks for ``state`` at each write."""

    def __init__(self, opened: OpenResult, in_memory: bool, disk: DiskState) -> None:
        self.state = opened.state
        self.in_memory = in_memory
        self.disk = disk

    def back_on_disk(self) -> bool:
        """Open it on disk again if it is in memory and the disk has room: True if it moved."""
        if not self.in_memory or (local := reopen_local_state(self.disk)) is None:
            return False
        self.state.close()
        self.state, self.in_memory = local, False
        return True


class AgentStorage:
    """The session number (saved, or to be saved once the disk lets it), the outbox's file
    and the local state, and the disk they are on."""

    def __init__(self, settings: AgentSettings, log: logging.Logger) -> None:
        s = settings
        self.disk = DiskState(s.state_dir, s.disk_reserve_kib * 1024, log)
        self.session_file = Session(s.state_dir)
        self.session = self.session_file.number
        self.disk.attempt(SAVE_SESSION, self.session_file.save)
        files = open_agent_files(s.state_dir, self.disk)
        self.db = files.db
        self.local = LocalStateFile(files.local, "station.sqlite" in files.in_memory, self.disk)
        # How many files were found damaged and rebuilt at this start.
        self.rebuilt = (files.db.quarantined is not None) + (files.local.quarantined is not None)

    def started(self) -> None:
        """Take the reserve now that the files are open, unless the disk is full already."""
        if not self.disk.full:
            self.disk.reserve.take()

    def check(self) -> bool:
        """Once a reading: back to normal when the disk has room again. True when the local
        state is back on disk (a new file: everything is to be written into it again)."""
        if self.disk.full and not self.disk.recovered():
            return False
        if not self.session_file.saved:
            self.disk.attempt(SAVE_SESSION, self.session_file.save)
        return self.local.back_on_disk()
