"""The agent measures and its readings reach the server."""

from pathlib import Path

from contract.codec import decode
from contract.messages import Health, Receipts, Telemetry
from devnet.mosquitto import Mosquitto
from localstate import ShownNotice, open_local_state
from sensors.agent import Agent
from tests.agent.conftest import Listener, agent_settings, running, station_settings, wait_until
from tests.agent.station import last_health, payloads, served_link


def test_readings_health_and_a_clean_offline_status_reach_the_server(
    broker: Mosquitto, listener: Listener, tmp_path: Path
) -> None:
    agent = Agent(agent_settings(broker, tmp_path, health_interval_s=0.5))
    with running(agent):
        assert wait_until(
            lambda: len(listener.readings()) >= 5 and bool(listener.payloads("health"))
        )
    assert wait_until(lambda: listener.payloads("status")[-1]["state"] == "offline")
    statuses = listener.payloads("status")
    assert statuses[0]["state"] == "online"
    assert statuses[-1] == statuses[-1] | {"state": "offline", "clean": True}
    for topic, raw in listener.messages:
        if topic.endswith("/telemetry"):
            decode(Telemetry, raw)
        if topic.endswith("/health"):
            health = decode(Health, raw)
            assert health.sensor_state == "ok"
            assert health.clock_synced
    stamps = [r["ts"] for r in listener.readings()]
    assert stamps == sorted(stamps)
    assert agent.outbox.depth == 0


def test_what_the_kiosk_showed_and_was_touched_reaches_the_server_once(tmp_path: Path) -> None:
    kiosk = open_local_state(tmp_path).state  # the kiosk's side of the same file
    kiosk.record_receipt(ShownNotice("water-map", 3, 1_785_891_600_000, 12.0, "ja"))
    kiosk.record_interaction("lang", "en", ts=1_785_891_605_000)
    link = served_link()
    with running(Agent(station_settings(tmp_path), link=link)):
        assert link.wait_for(lambda: bool(payloads(link, "receipts")))
        kiosk.record_interaction("notice", "next", ts=1_785_891_610_000)
        assert link.wait_for(lambda: len(payloads(link, "receipts")) >= 2)
    reports = [decode(Receipts, p.payload) for p in link.published() if "/receipts" in p.topic]
    shown = [r for report in reports for r in report.receipts]
    touches = [(t.kind, t.detail) for report in reports for t in report.interactions]
    assert [(r.notice_id, r.version, r.lang) for r in shown] == [("water-map", 3, "ja")]
    assert touches == [("lang", "en"), ("notice", "next")]
    assert kiosk.unpublished_receipts() == []
    assert kiosk.unpublished_interactions() == []


def test_health_says_what_the_kiosk_last_said_its_screen_was_doing(tmp_path: Path) -> None:
    kiosk = open_local_state(tmp_path).state  # the kiosk's side of the same file
    link = served_link()
    with running(Agent(station_settings(tmp_path, health_interval_s=0.2), link=link)):
        assert link.wait_for(lambda: bool(payloads(link, "health")))
        assert "display_state" not in last_health(link), "the kiosk said nothing"
        kiosk.write_kiosk_status("dim", "en")
        assert link.wait_for(lambda: last_health(link).get("display_state") == "dim")
    kiosk.close()
