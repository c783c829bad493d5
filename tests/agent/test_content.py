"""Signed content: only what the ward signed, unexpired and newer than what the station has."""

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.content import AlertKind, HeatAlert, Notice, StationConfig, TimeWindow
from contract.forecast import ForecastDay, OfficialForecast
from contract.levels import Level
from contract.signing import Signer
from contract.topics import (
    Scope,
    alert_topic,
    config_topic,
    emergency_topic,
    forecast_topic,
    notice_topic,
    places_topic,
)
from devnet.mosquitto import Mosquitto
from localstate import open_local_state
from sensors.agent import Agent
from sensors.dht import FakeDHT
from sensors.heat import estimate_wbgt
from sensors.uplink.fakelink import FakeLink
from tests.agent.conftest import (
    STATION,
    ContentKey,
    Listener,
    agent_settings,
    running,
    station_settings,
    wait_until,
)
from tests.agent.delivery import recorded
from tests.agent.station import last_health, payloads, served_link
from tests.agent.test_disaster_mode import emergency
from tests.agent.test_places import place_list
from tests.server.helpers import now_ms

HUMID = 70.0


def notice(version: int, **extra: object) -> Notice:
    fields: dict[str, object] = {
        "id": "water-map",
        "version": version,
        "issued_at": now_ms(),
        "title": {"ja": f"給水所マップ 第{version}版", "en": f"Water map v{version}"},
        "body": {"ja": "近くの給水所をご案内します。"},
    } | extra
    return Notice.model_validate(fields)


def tampered(raw: bytes) -> bytes:
    envelope = json.loads(raw)
    envelope["payload"]["title"]["ja"] = "偽のお知らせ"
    return json.dumps(envelope, ensure_ascii=False).encode()


def temperature_for(wbgt_c: float) -> float:
    """The air temperature at which the station estimates ``wbgt_c`` (at 70 % humidity)."""
    low, high = 10.0, 45.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (
            (middle, high) if estimate_wbgt(middle, HUMID).wbgt_c < wbgt_c else (low, middle)
        )
    return round(low, 2)


class Weather(FakeDHT):
    """A sensor that measures what the test sets: ``temp_c`` at 70 %."""

    temp_c = 20.0

    def _measure(self) -> tuple[float, float]:
        self.reads += 1
        return self.temp_c, HUMID


def test_only_valid_new_signed_notices_reach_the_kiosk_and_refusals_are_counted(
    content_key: ContentKey, tmp_path: Path
) -> None:
    settings = station_settings(
        tmp_path, content_keys_file=content_key.pem_file, health_interval_s=0.1
    )
    link = served_link()
    sign = content_key.signer.sign
    own = notice_topic(Scope.STATION, STATION, "water-map")
    stranger = Signer(Ed25519PrivateKey.generate())
    state = open_local_state(tmp_path).state  # the kiosk's side of the file
    with running(Agent(settings, link=link)):
        link.deliver(own, sign(notice(2)))
        link.deliver(own, tampered(sign(notice(3))))
        unsigned = {"v": 1, "payload": notice(4).model_dump(mode="json", exclude_none=True)}
        link.deliver(own, json.dumps(unsigned).encode())
        link.deliver(own, stranger.sign(notice(5)))
        link.deliver(own, sign(notice(6, expires_at=now_ms() - 1000)))
        link.deliver(own, sign(notice(1)))  # a replay of an older version
        area = notice_topic(Scope.AREA, "naka", "water-map")
        link.deliver(area, sign(notice(2)))  # the same version again: nothing to do
        shown = state.snapshot().notices
        assert [(n.notice_id, n.version, n.title["ja"]) for n in shown] == [
            ("water-map", 2, "給水所マップ 第2版")
        ]
        expected = {"signature": 2, "unsigned": 1, "expired": 1, "stale": 1}
        assert link.wait_for(lambda: last_health(link).get("content_rejected") == expected), (
            last_health(link)
        )
        link.deliver(own, sign(notice(7, withdrawn=True, title=None, body=None)))
        assert state.snapshot().notices == []
    state.close()


def test_config_applies_without_a_restart_and_alerts_reach_the_kiosk(
    content_key: ContentKey, tmp_path: Path
) -> None:
    settings = station_settings(
        tmp_path, content_keys_file=content_key.pem_file, health_interval_s=0.1
    )
    link = served_link()
    agent = Agent(settings, link=link)
    taken = recorded(agent)
    config = StationConfig(
        id="summer",
        version=1,
        issued_at=now_ms(),
        reading_interval_s=30,
        display_on=TimeWindow(start="06:00", end="22:30"),
    )
    alert = HeatAlert(
        id="naka-alert",
        version=1,
        issued_at=now_ms(),
        alert=AlertKind.HEATSTROKE_ALERT,
        area="naka",
        forecast_wbgt=33.5,
        message={"ja": "熱中症警戒アラートが発表されています。"},
    )
    with running(agent):
        link.deliver(config_topic(Scope.STATION, STATION), content_key.signer.sign(config))
        link.deliver(alert_topic(), content_key.signer.sign(alert))
        count, healths = len(taken), len(payloads(link, "health"))
        # Ten health messages later (a second at least, at one per 0.1 s), readings taken
        # at the old 0.2 s interval would be five more; at the new one there is one at most.
        assert link.wait_for(lambda: len(payloads(link, "health")) >= healths + 10)
        assert len(taken) <= count + 1, "the new interval is in force"
        snapshot = open_local_state(tmp_path, create=False).state.snapshot()
        assert snapshot.alert is not None
        assert (snapshot.alert.alert, snapshot.alert.forecast_wbgt) == ("heatstroke_alert", 33.5)
        assert (snapshot.display.on_start, snapshot.display.on_end) == ("06:00", "22:30")
    # The applied configuration survives a restart: five health messages (half a second),
    # and still the one reading taken at the start.
    link = served_link()
    again = Agent(settings, link=link)
    taken = recorded(again)
    with running(again):
        assert link.wait_for(lambda: len(payloads(link, "health")) >= 5)
    assert len(taken) == 1


def test_signed_config_changes_how_far_the_level_must_fall_before_it_drops(
    content_key: ContentKey, tmp_path: Path
) -> None:
    """厳重警戒 starts at 28 °C WBGT. At 27.2 the default 0.5 °C hysteresis lets the level
    fall to 警戒; once config sets 1.0 °C, 27.2 is still shown as 厳重警戒."""
    sensor = Weather()
    settings = station_settings(tmp_path, content_keys_file=content_key.pem_file)
    link = served_link()
    agent = Agent(settings, sensor=sensor, link=link)
    taken = recorded(agent)
    bound = Level.SEVERE_WARNING.info.lower_bound_c
    assert bound is not None
    high, between = temperature_for(bound + 0.4), temperature_for(bound - 0.8)

    def levels_at(temp_c: float) -> list[Level | None]:
        """Go to ``temp_c`` and say which levels readings there were shown at."""
        sensor.temp_c = temp_c
        seen = len(taken)
        # The median of three reads: the third reading after a change is wholly at it.
        assert wait_until(lambda: len(taken) >= seen + 4)
        return [r.level for r in taken[seen + 3 :]]

    with running(agent):
        assert set(levels_at(high)) == {Level.SEVERE_WARNING}
        assert set(levels_at(between)) == {Level.WARNING}, "0.5 °C below and more: it falls"
        config = StationConfig(id="wide", version=1, issued_at=now_ms(), hysteresis_c=1.0)
        link.deliver(config_topic(Scope.STATION, STATION), content_key.signer.sign(config))
        assert set(levels_at(high)) == {Level.SEVERE_WARNING}
        assert set(levels_at(between)) == {Level.SEVERE_WARNING}, "within 1.0 °C: it holds"


def test_without_a_content_key_everything_is_refused_and_counted(
    content_key: ContentKey, tmp_path: Path
) -> None:
    link = served_link()
    with running(Agent(station_settings(tmp_path, health_interval_s=0.1), link=link)):
        topic = notice_topic(Scope.STATION, STATION, "water-map")
        link.deliver(topic, content_key.signer.sign(notice(1)))
        assert link.wait_for(lambda: last_health(link).get("content_rejected") == {"no_key": 1})
    state = open_local_state(tmp_path, create=False).state
    assert state.snapshot().notices == []
    state.close()


def test_the_official_forecast_reaches_the_kiosk_and_comes_back_after_a_rebuild(
    content_key: ContentKey, tmp_path: Path
) -> None:
    settings = station_settings(tmp_path, content_keys_file=content_key.pem_file)
    forecast = OfficialForecast(
        id="official",
        version=now_ms(),
        issued_at=now_ms(),
        expires_at=now_ms() + 86_400_000,
        point="46106",
        made_at=now_ms() - 3_600_000,
        days=[
            ForecastDay(day="2026-08-07", max_wbgt=33.0),
            ForecastDay(day="2026-08-08", max_wbgt=29.5),
        ],
        attribution={"ja": "出典：環境省熱中症予防情報サイト"},
    )
    link = served_link()
    with running(Agent(settings, link=link)):
        link.deliver(forecast_topic(), content_key.signer.sign(forecast))
        state = open_local_state(tmp_path, create=False).state
        held = state.snapshot().forecast
        state.close()
    assert held is not None
    assert held.days == {"2026-08-07": 33.0, "2026-08-08": 29.5}
    assert held.attribution["ja"] == "出典：環境省熱中症予防情報サイト"
    # The local state is lost (a new schema, a broken file): the agent writes the forecast
    # it accepted again, without waiting for the server to send a newer one.
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"station.sqlite{suffix}").unlink(missing_ok=True)
    again = Agent(settings, link=FakeLink(online=False))
    again.request_stop()
    again.run()
    state = open_local_state(tmp_path, create=False).state
    try:
        assert state.snapshot().forecast == held
    finally:
        state.close()


def test_content_retained_on_the_broker_reaches_a_station_that_connects_later(
    own_broker: Mosquitto, content_key: ContentKey, tmp_path: Path
) -> None:
    """What the ward published while the station was away waits on the broker, on every
    topic the station subscribes to, and is shown as soon as it connects."""
    sign = content_key.signer.sign
    ward = Listener(own_broker).start()
    forecast = OfficialForecast(
        id="official",
        version=1,
        issued_at=now_ms(),
        point="46106",
        made_at=now_ms(),
        days=[ForecastDay(day="2026-08-07", max_wbgt=31.0)],
        attribution={"ja": "出典：環境省熱中症予防情報サイト"},
    )
    alert = HeatAlert(
        id="naka-alert", version=1, issued_at=now_ms(), alert=AlertKind.HEATSTROKE_ALERT
    )
    config = StationConfig(
        id="hours", version=1, issued_at=now_ms(), display_on=TimeWindow(start="06:00", end="21:00")
    )
    retained = {
        notice_topic(Scope.AREA, "naka", "water-map"): sign(notice(1)),
        alert_topic(): sign(alert),
        forecast_topic(): sign(forecast),
        config_topic(Scope.STATION, STATION): sign(config),
        places_topic(Scope.ALL, None): sign(place_list("all", 1, count=1)),
        emergency_topic("naka"): sign(emergency(1)),
    }
    try:
        for topic, payload in retained.items():
            ward.publish(topic, payload, retain=True)
    finally:
        ward.stop()
    settings = agent_settings(own_broker, tmp_path, content_keys_file=content_key.pem_file)
    state = open_local_state(tmp_path).state  # the kiosk's side of the file
    with running(Agent(settings)):

        def everything_shown() -> bool:
            now = state.snapshot()
            return (
                [n.notice_id for n in now.notices] == ["water-map"]
                and now.alert is not None
                and now.forecast is not None
                and now.display.on_end == "21:00"
                and [p.list_id for p in now.place_lists] == ["all"]
                and len(now.emergencies) == 1
            )

        assert wait_until(everything_shown), state.snapshot()
    state.close()
