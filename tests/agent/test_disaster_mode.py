"""Disaster mode at the station agent: kept in the agent's own verified copy, so a local-state
file the agent had to rebuild shows it again at once, with no network; a withdrawal removes
it; one signed for another scope's topic is refused."""

import time
from pathlib import Path

from contract.content import Emergency, emergency_id
from contract.topics import emergency_topic
from localstate import open_local_state
from sensors.agent import Agent
from sensors.uplink.fakelink import FakeLink
from tests.agent.conftest import ContentKey, running, station_settings
from tests.agent.station import last_health, served_link
from tests.agent.test_corrupt_files import damage
from tests.kiosk.disaster_text import MESSAGE, SHELTERS


def emergency(version: int, withdrawn: bool = False, area: str = "naka") -> Emergency:
    fields: dict[str, object] = {
        "id": emergency_id(area),
        "version": version,
        "issued_at": time.time_ns() // 1_000_000,
        "area": area,
    }
    if withdrawn:
        fields["withdrawn"] = True
    else:
        fields |= {"message": MESSAGE, "shelters": SHELTERS}
    return Emergency.model_validate(fields)


def in_force(state_dir: Path) -> list[str]:
    opened = open_local_state(state_dir, create=False)
    try:
        return [e.emergency_id for e in opened.state.snapshot().emergencies]
    finally:
        opened.state.close()


def test_a_rebuilt_local_state_shows_disaster_mode_again_without_the_network(
    tmp_path: Path, content_key: ContentKey
) -> None:
    settings = station_settings(
        tmp_path, content_keys_file=content_key.pem_file, health_interval_s=0.1
    )
    signed = content_key.signer.sign(emergency(5))
    link = served_link()
    with running(Agent(settings, link=link)):
        link.deliver(emergency_topic("naka"), signed)
        assert in_force(tmp_path) == [emergency_id("naka")]
    damage(tmp_path / "station.sqlite")  # the SD card damaged the kiosk's file

    # The network is gone: the agent moves the file aside, builds a new one, shows it again.
    again = Agent(settings, link=FakeLink(online=False))
    assert again.files_rebuilt == 1
    assert in_force(tmp_path) == [emergency_id("naka")]
    [held] = again.state.snapshot().emergencies
    assert held.version == 5
    assert [s.name["ko"] for s in held.shelters] == [s["name"]["ko"] for s in SHELTERS]
    again.request_stop()
    again.run()

    link = served_link()
    with running(Agent(settings, link=link)):
        # Signed for kohoku but sent on naka's topic: refused, whatever the signature.
        stray = content_key.signer.sign(emergency(9, area="kohoku"))
        link.deliver(emergency_topic("naka"), stray)
        assert link.wait_for(lambda: last_health(link).get("content_rejected") == {"topic": 1})
        # An older version again (a replay) changes nothing; the withdrawal ends it.
        link.deliver(emergency_topic("naka"), signed)
        assert in_force(tmp_path) == [emergency_id("naka")]
        withdrawal = content_key.signer.sign(emergency(6, withdrawn=True))
        link.deliver(emergency_topic("naka"), withdrawal)
        assert in_force(tmp_path) == []
    third = Agent(settings, link=FakeLink(online=False))  # and it stays ended after a restart
    assert third.state.snapshot().emergencies == ()
    third.request_stop()
    third.run()
