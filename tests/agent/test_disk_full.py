"""A full disk, in the parts that need no disk to fill: causes, counting, the session file."""

import errno
import logging
import sqlite3
from pathlib import Path

import pytest

from sensors.diskspace import DiskState, Reserve, WriteFailures, cause, storage_failure
from sensors.time.session import Session

log = logging.getLogger("test.disk")


def sqlite_full() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("database or disk is full")
    exc.sqlite_errorname = "SQLITE_FULL"
    return exc


def rollback_after_full() -> None:
    """What the outbox saw: SQLite had rolled back by itself, so ROLLBACK failed."""
    try:
        raise sqlite_full()
    except sqlite3.Error:
        raise sqlite3.OperationalError("cannot rollback - no transaction is active") from None


def test_the_cause_behind_cannot_rollback_is_named() -> None:
    with pytest.raises(sqlite3.OperationalError) as hidden:
        rollback_after_full()
    # "from None" hides it from tracebacks, but it is still the context.
    assert storage_failure(hidden.value)
    assert cause(hidden.value) == "SQLITE_FULL: database or disk is full"
    assert cause(OSError(errno.ENOSPC, "No space left on device")) == (
        "ENOSPC: No space left on device"
    )
    assert not storage_failure(sqlite3.OperationalError("database is locked"))


def test_a_failing_write_is_logged_once_then_counted(caplog: pytest.LogCaptureFixture) -> None:
    failures = WriteFailures(log)
    with caplog.at_level(logging.INFO, logger="test.disk"):
        for _ in range(50):
            failures.failed("writing the kiosk's state", sqlite_full())
        failures.worked("writing the kiosk's state")
        failures.worked("writing the kiosk's state")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2, lines
    assert "SQLITE_FULL" in lines[0]
    assert "after 50 failures" in lines[1]
    assert failures.total["writing the kiosk's state"] == 50


def test_the_reserve_is_given_back_when_full_and_taken_when_there_is_room(
    tmp_path: Path,
) -> None:
    disk = DiskState(tmp_path, 64 * 1024, log)
    assert disk.reserve.take()
    assert disk.reserve.held
    disk.failed("storing a reading in the outbox", sqlite_full())
    assert disk.full
    assert not disk.reserve.held
    assert not disk.guard("storing a reading in the outbox", lambda: None)  # skipped
    assert disk.guard("writing the kiosk's state", lambda: None)  # still written
    assert disk.recovered()
    assert not disk.full
    assert disk.reserve.held


def test_a_lock_held_too_long_is_counted_without_saving_room(tmp_path: Path) -> None:
    disk = DiskState(tmp_path, 64 * 1024, log)

    def locked() -> None:
        raise sqlite3.OperationalError("database is locked")

    assert not disk.attempt("storing a reading in the outbox", locked)
    assert not disk.full


def test_the_session_number_is_written_in_place_when_there_is_no_room_for_a_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "session").write_text("41\n")
    session = Session(tmp_path)

    def no_room(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("sensors.time.session._write_new", no_room)
    session.save()
    assert session.saved
    assert (tmp_path / "session").read_text() == "42\n"
    assert Session(tmp_path).number == 43


def test_with_no_session_file_and_no_room_the_number_waits_to_be_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_room(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("sensors.time.session._write_new", no_room)
    session = Session(tmp_path)
    with pytest.raises(OSError, match="No space"):
        session.save()
    assert not session.saved
    monkeypatch.undo()
    session.save()
    assert Session(tmp_path).number == 2


def test_a_reserve_of_zero_is_never_needed(tmp_path: Path) -> None:
    assert Reserve(tmp_path, 0).take()
