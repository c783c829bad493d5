"""The kiosk's hold on the real local-state SQLite file: absent, corrupt, rebuilt."""

from pathlib import Path

from kiosk.source import StateSource
from localstate import ReadingView, ShownNotice
from localstate.db import FILE_NAME
from tests.kiosk import statefile


def reading(wbgt: float) -> ReadingView:
    return ReadingView(1_785_000_000_000, 30.0, 60.0, wbgt, None, "ok", "synced")


def test_a_missing_file_is_no_snapshot_and_the_kiosk_never_creates_it(tmp_path: Path) -> None:
    source = StateSource(tmp_path)
    assert source.snapshot() is None
    assert not source.record_interaction("lang", "en")
    assert not (tmp_path / FILE_NAME).exists()


def test_a_corrupt_file_is_no_snapshot_and_nothing_breaks(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"\x00garbage" * 1000)
    source = StateSource(tmp_path)
    assert source.snapshot() is None
    assert source.snapshot() is None  # and again, quietly
    assert not source.record_receipt(ShownNotice("n", 1, 0, 1.0, "ja"))
    assert (tmp_path / FILE_NAME).read_bytes().startswith(b"\x00garbage")  # left to the agent


def test_a_file_rebuilt_by_the_agent_is_opened_again(tmp_path: Path) -> None:
    state = statefile.open_state(tmp_path)
    state.write_reading(reading(24.0))
    source = StateSource(tmp_path)
    first = source.snapshot()
    assert first is not None
    assert first.latest is not None
    assert first.latest.wbgt == 24.0
    state.close()
    statefile.remove_state(tmp_path)  # the agent moves the file aside and starts a new one
    rebuilt = statefile.open_state(tmp_path)
    rebuilt.write_reading(reading(29.5))
    again = source.snapshot()
    assert again is not None
    assert again.latest is not None
    assert again.latest.wbgt == 29.5
    assert source.record_interaction("lang", "vi")
    kinds = rebuilt.conn.execute("SELECT kind, detail FROM interactions").fetchall()
    assert kinds == [("lang", "vi")]
    rebuilt.close()
    source.close()
