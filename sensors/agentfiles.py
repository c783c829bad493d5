"""Opening the agent's two SQLite files when the disk may be full.

A full disk cannot even give SQLite room for a WAL index, so a file that will not open is
tried again once the reserve has been given back, and then replaced by a file in memory:
the agent keeps measuring, publishing and answering, and says so in its log.
"""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from localstate import LocalState, OpenResult, open_local_state
from localstate.schema import DDL as LOCAL_DDL
from sensors.diskspace import DiskState
from sensors.uplink import agentdb
from sensors.uplink.agentdb import OpenedDb, open_agent_db

T = TypeVar("T")


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
