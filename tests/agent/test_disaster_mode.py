"""Disaster mode at the station agent: kept in the agent's own verified copy, so a local-state
file the agent had to rebuild shows it again at once, with no network; a withdrawal removes
it; one signed for another scope's topic is refused."""

import time
from pathlib import Path

from contract.content import Emergency, emergency_id
from contract.topics import emergency_topic
from devnet.ports import free_port
from localstate import open_local_state
from sensors.agent import Agent
from sensors.settings import AgentSettings
from sensors.uplink.link import Incoming
from tests.agent.conftest import STATION, ContentKey
from tests.agent.test_corrupt_files import damage
from tests.kiosk.disaster_text import MESSAGE, SHELTERS


def offline_settings(state_dir: Path, key: ContentKey) -> AgentSettings:
    return AgentSettings(
        station_id=STATION,
        area="naka",
        broker_port=free_port(21000),  # nobody listens: the network is gone
        state_dir=state_dir,
        content_keys_file=key.pem_file,
        simulation_failure_rate=0,
        clock_check="trust",
    )


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
    settings = offline_settings(tmp_path, content_key)
    first = Agent(settings)
    signed = content_key.signer.sign(emergency(5))
    first.handle(Incoming(emergency_topic("naka"), signed, None))
    assert in_force(tmp_path) == [emergency_id("naka")]
    first.request_stop()
    first.run()
    damage(tmp_path / "station.sqlite")  # the SD card damaged the kiosk's file

    again = Agent(settings)  # moves the file aside, builds a new one
    assert again.files_rebuilt == 1
    assert in_force(tmp_path) == [emergency_id("naka")]
    [held] = again.state.snapshot().emergencies
    assert held.version == 5
    assert [s.name["ko"] for s in held.shelters] == [s["name"]["ko"] for s in SHELTERS]

    # Signed for kohoku but sent on naka's topic: refused, whatever the signature.
    stray = content_key.signer.sign(emergency(9, area="kohoku"))
    again.handle(Incoming(emergency_topic("naka"), stray, None))
    assert again.inbox.rejected["topic"] == 1
    # An older version again (a replay) changes nothing; the withdrawal ends it.
    again.handle(Incoming(emergency_topic("naka"), signed, None))
    assert in_force(tmp_path) == [emergency_id("naka")]
    withdrawal = content_key.signer.sign(emergency(6, withdrawn=True))
    again.handle(Incoming(emergency_topic("naka"), withdrawal, None))
    assert in_force(tmp_path) == []
    again.request_stop()
    again.run()
    third = Agent(settings)  # and it stays ended after a restart
    assert third.state.snapshot().emergencies == ()
    third.request_stop()
    third.run()
