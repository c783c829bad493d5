"""The SQLite store's health check sees another process holding the write lock."""

import subprocess
import sys
from pathlib import Path

import pytest

from server.store.base import StoreUnavailableError
from server.store.sqlite import SqliteTimeSeries

HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_held_write_lock_makes_the_store_unavailable_until_it_is_released(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ts.sqlite"
    store = SqliteTimeSeries(path)
    store.ping()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"locked\n"
        for _ in range(3):  # the health check never says "back" while the lock is held
            with pytest.raises(StoreUnavailableError, match="locked"):
                store.ping()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)
    store.ping()
    store.close()


def test_a_batch_is_on_the_disk_before_it_is_acknowledged(tmp_path: Path) -> None:
    """A station deletes what the server confirmed: a commit a power cut could roll back
    (synchronous=NORMAL in WAL mode) would lose those readings for good."""
    store = SqliteTimeSeries(tmp_path / "ts.sqlite")
    full = 2
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == full
