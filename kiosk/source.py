"""The kiosk's hold on the local-state file: absent, broken or rebuilt, it never crashes.

The kiosk never creates the file (the agent owns it): while it is missing the screen says
"no reading yet". When the agent moves a bad file aside and builds a new one, the inode
changes and the kiosk opens the new file. Every SQLite error is logged once per kind and
the kiosk keeps showing what it can.
"""

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from localstate import LocalState, ShownNotice, Snapshot, open_local_state
from localstate.db import FILE_NAME

log = logging.getLogger("kyusui.kiosk")


@dataclass
class StateSource:
    state_dir: Path
    state: LocalState | None = None
    problem: str = ""  # why there is no snapshot, for the log
    _inode: int | None = None
    _logged: set[str] = field(default_factory=set)

    @property
    def path(self) -> Path:
        return self.state_dir / FILE_NAME

    def _note(self, problem: str) -> None:
        self.problem = problem
        if problem not in self._logged:
            self._logged.add(problem)
            log.warning("local state %s: %s", self.path, problem)

    def close(self) -> None:
        if self.state is not None:
            with contextlib.suppress(sqlite3.Error):
                self.state.close()
        self.state, self._inode = None, None

    def _ensure_open(self) -> LocalState | None:
        try:
            inode = os.stat(self.path).st_ino
        except FileNotFoundError:
            self.close()
            self._note("not there yet (agent not started)")
            return None
        except OSError as exc:
            self.close()
            self._note(f"cannot be read: {exc}")
            return None
        if self.state is not None and inode != self._inode:
            log.info("local state %s was rebuilt; opening the new file", self.path)
            self.close()
        if self.state is None:
            try:
                self.state = open_local_state(self.state_dir, create=False).state
            except (sqlite3.Error, OSError) as exc:
                self._note(f"cannot be opened: {exc}")
                return None
            self._inode = inode
        return self.state

    def snapshot(self) -> Snapshot | None:
        """The current state, or None when there is none to show."""
        state = self._ensure_open()
        if state is None:
            return None
        try:
            snap = state.snapshot()
        except (sqlite3.Error, ValueError, TypeError) as exc:
            # Corrupt or half-built file: reopen next time, the agent will repair it.
            self.close()
            self._note(f"unreadable: {exc}")
            return None
        if self.problem:
            log.info("local state %s readable again", self.path)
            self.problem = ""
            self._logged.clear()
        return snap

    def _write(self, what: str, write: Callable[[LocalState], None]) -> bool:
        """Run ``write`` on the open file; False (logged once) when it cannot be written."""
        state = self._ensure_open()
        if state is None:
            return False
        try:
            write(state)
        except sqlite3.Error as exc:
            self._note(f"{what} failed: {exc}")
            self.close()
            return False
        return True

    def record_receipt(self, receipt: ShownNotice) -> bool:
        return self._write("record_receipt", lambda state: state.record_receipt(receipt))

    def record_interaction(self, kind: str, detail: str = "") -> bool:
        return self._write(
            "record_interaction", lambda state: state.record_interaction(kind, detail)
        )

    def write_kiosk_status(self, display_state: str, lang: str) -> bool:
        return self._write(
            "write_kiosk_status", lambda state: state.write_kiosk_status(display_state, lang)
        )
