"""Checking the agent's SQLite files at start, and moving a bad one aside for a person.

A file SQLite cannot read, that fails ``quick_check`` or that carries another schema
version is renamed ``<name>.corrupt-<ms>`` (with its WAL and SHM) so it can be rebuilt
while the evidence stays on disk. A disk that refuses (full, I/O error) says nothing about
the file: that error is raised, and the file stays where it is.
"""

import logging
import sqlite3
import time
from pathlib import Path

from sensors.diskspace import storage_failure

log = logging.getLogger("kyusui.sqlitefile")


def problem_with(path: Path, schema_version: int) -> str | None:
    """None when the file is usable, else why not; raises sqlite3.Error when the disk
    refuses, since a full disk is no reason to rebuild a good file."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                return f"integrity check failed: {check}"
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if storage_failure(exc):
            raise
        return f"not a readable database: {exc}"
    if row is None or row[0] != str(schema_version):
        return f"schema version {row[0] if row else None}, expected {schema_version}"
    return None


def quarantine(path: Path, reason: str) -> Path:
    """Move a bad file (and its WAL/SHM) aside; return where it went."""
    target = path.with_name(f"{path.name}.corrupt-{time.time_ns() // 1_000_000}")
    path.replace(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    log.error("%s moved to %s and rebuilt: %s", path, target, reason)
    return target


def quarantine_if_bad(path: Path, schema_version: int) -> Path | None:
    """Quarantine ``path`` when it exists and is unusable; return where it went, if moved."""
    if not path.exists():
        return None
    problem = problem_with(path, schema_version)
    return None if problem is None else quarantine(path, problem)
