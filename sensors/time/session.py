"""The session number: grows at every agent start, kept in the state directory.

Written to a new file that replaces the old one, so a power cut leaves either number.
On a full disk there is no room for that new file: the number is then written over the
old one in place (the file's blocks are already allocated), and if even that fails the
agent carries on and saves it as soon as the disk lets it (``Session.save``).
"""

import os
from pathlib import Path

from sensors.diskspace import storage_failure

FILE_NAME = "session"


def _write_new(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    try:
        with tmp.open("w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _write_in_place(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)  # never creates: a new file would need room
    try:
        data = text.encode()
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


class Session:
    """This run's session number and whether it is safely on disk yet."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / FILE_NAME
        try:
            previous = int(self.path.read_text().strip())
        except (FileNotFoundError, ValueError):
            previous = 0  # missing or damaged: start again; the server sees a new session anyway
        self.number = previous + 1
        self.saved = False
        state_dir.mkdir(parents=True, exist_ok=True)

    def save(self) -> None:
        """Put the number on disk; raises OSError when the disk refuses both ways."""
        if self.saved:
            return
        text = f"{self.number}\n"
        try:
            _write_new(self.path, text)
        except OSError as exc:
            if not storage_failure(exc) or not self.path.exists():
                raise
            _write_in_place(self.path, text)
        self.saved = True


def next_session(state_dir: Path) -> int:
    """The next session number, saved (raises OSError when the disk refuses)."""
    session = Session(state_dir)
    session.save()
    return session.number
