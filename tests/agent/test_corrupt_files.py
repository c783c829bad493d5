"""A damaged outbox or local-state file: the agent starts, moves it aside, says so."""

import json
from pathlib import Path

import pytest

from localstate import open_local_state
from sensors.agent import Agent
from sensors.uplink.fakelink import FakeLink
from tests.agent.conftest import running, station_settings, wait_until
from tests.agent.station import payloads, readings, served_link


def damage(path: Path) -> None:
    """Overwrite the middle of the file, as a failing SD card does."""
    data = bytearray(path.read_bytes())
    data[100:4000] = b"\xff" * len(data[100:4000])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("file_name", ["agent.sqlite", "station.sqlite"])
def test_a_corrupt_file_is_quarantined_rebuilt_and_reported(tmp_path: Path, file_name: str) -> None:
    settings = station_settings(tmp_path, health_interval_s=0.2)
    first = Agent(settings, link=FakeLink(online=False))
    first.request_stop()
    first.run()  # leaves both files behind, cleanly closed
    damage(tmp_path / file_name)

    link = served_link()
    with running(Agent(settings, link=link)):
        assert link.wait_for(lambda: len(readings(link)) >= 3)
        assert link.wait_for(lambda: bool(payloads(link, "health")))
    aside = list(tmp_path.glob(f"{file_name}.corrupt-*[0-9]"))
    assert len(aside) == 1, "the damaged file is kept for a person to inspect"
    assert all(h["local_state_rebuilt"] == 1 for h in payloads(link, "health"))
    state = open_local_state(tmp_path, create=False).state
    assert state.snapshot().latest is not None
    state.close()


def test_garbage_instead_of_a_database_is_handled_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "agent.sqlite").write_text(json.dumps({"not": "a database"}))
    link = served_link()
    with running(Agent(station_settings(tmp_path, health_interval_s=0.1), link=link)):
        assert link.wait_for(lambda: len(readings(link)) >= 2)
        assert link.wait_for(lambda: bool(payloads(link, "health")))
    assert payloads(link, "health")[0]["local_state_rebuilt"] == 1
    assert list(tmp_path.glob("agent.sqlite.corrupt-*"))


def test_an_sd_card_that_refuses_writes_does_not_stop_the_station(tmp_path: Path) -> None:
    link = served_link()
    agent = Agent(station_settings(tmp_path), link=link)
    with running(agent):
        assert link.wait_for(lambda: len(readings(link)) >= 2)
        # As after ext4 remounts a failing card read-only, or a full disk: writes fail.
        agent.outbox.conn.execute("PRAGMA query_only = ON")
        before = len(readings(link))
        assert wait_until(lambda: agent.unstored >= 3)
        assert link.wait_for(lambda: len(readings(link)) >= before + 3)
    state = open_local_state(tmp_path, create=False).state
    latest = state.snapshot().latest
    state.close()
    assert latest is not None
    assert latest.ts == readings(link)[-1]["ts"], "the kiosk still shows the newest reading"
