"""Signed content: only what the ward signed, unexpired and newer than what the station has."""

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.codec import decode
from contract.content import AlertKind, HeatAlert, Notice, StationConfig, TimeWindow
from contract.forecast import ForecastDay, OfficialForecast
from contract.messages import Health
from contract.signing import Signer
from contract.topics import Scope, alert_topic, config_topic, forecast_topic, notice_topic
from devnet.mosquitto import Mosquitto
from localstate import open_local_state
from sensors.agent import Agent
from tests.agent.conftest import STATION, ContentKey, Listener, agent_settings, running, wait_until
from tests.server.helpers import now_ms


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


def test_only_valid_new_signed_notices_reach_the_kiosk_and_refusals_are_counted(
    broker: Mosquitto, listener: Listener, content_key: ContentKey, tmp_path: Path
) -> None:
    settings = agent_settings(
        broker, tmp_path, content_keys_file=content_key.pem_file, health_interval_s=0.3
    )
    agent = Agent(settings)
    sign = content_key.signer.sign
    own = notice_topic(Scope.STATION, STATION, "water-map")
    stranger = Signer(Ed25519PrivateKey.generate())
    with running(agent):
        assert wait_until(lambda: bool(listener.readings()))
        assert agent.link.subscribed.wait(10), "the agent did not subscribe"
        listener.publish(own, sign(notice(2)))
        listener.publish(own, tampered(sign(notice(3))))
        unsigned = {"v": 1, "payload": notice(4).model_dump(mode="json", exclude_none=True)}
        listener.publish(own, json.dumps(unsigned).encode())
        listener.publish(own, stranger.sign(notice(5)))
        listener.publish(own, sign(notice(6, expires_at=now_ms() - 1000)))
        listener.publish(own, sign(notice(1)))  # a replay of an older version
        area = notice_topic(Scope.AREA, "naka", "water-map")
        listener.publish(area, sign(notice(2)))  # the same version again: nothing to do
        expected = {"signature": 2, "unsigned": 1, "expired": 1, "stale": 1}
        assert wait_until(lambda: dict(agent.inbox.rejected) == expected), agent.inbox.rejected
        assert wait_until(
            lambda: (
                decode(
                    Health, json.dumps(listener.payloads("health")[-1]).encode()
                ).content_rejected
                == expected
            )
        )
        state = open_local_state(tmp_path, create=False).state
        shown = state.snapshot().notices
        assert [(n.notice_id, n.version, n.title["ja"]) for n in shown] == [
            ("water-map", 2, "給水所マップ 第2版")
        ]
        listener.publish(own, sign(notice(7, withdrawn=True, title=None, body=None)))
        assert wait_until(lambda: state.snapshot().notices == [])
        state.close()


def test_config_applies_without_a_restart_and_alerts_reach_the_kiosk(
    broker: Mosquitto, listener: Listener, content_key: ContentKey, tmp_path: Path
) -> None:
    settings = agent_settings(
        broker, tmp_path, content_keys_file=content_key.pem_file, health_interval_s=0.1
    )
    agent = Agent(settings)
    config = StationConfig(
        id="summer",
        version=1,
        issued_at=now_ms(),
        reading_interval_s=30,
        display_on=TimeWindow(start="06:00", end="22:30"),
        hysteresis_c=1.0,
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
        assert wait_until(lambda: bool(listener.readings()))
        assert agent.link.subscribed.wait(10), "the agent did not subscribe"
        listener.publish(config_topic(Scope.STATION, STATION), content_key.signer.sign(config))
        listener.publish(alert_topic(), content_key.signer.sign(alert))
        assert wait_until(lambda: agent.runtime.reading_interval_s == 30)
        count, healths = len(listener.readings()), len(listener.payloads("health"))
        # Ten health messages later (a second at least, at one per 0.1 s), readings taken
        # at the old 0.2 s interval would be five more; at the new one there is one at most.
        assert wait_until(lambda: len(listener.payloads("health")) >= healths + 10)
        assert len(listener.readings()) <= count + 1, "the new interval is in force"
        state = open_local_state(tmp_path, create=False).state
        assert wait_until(lambda: state.snapshot().alert is not None)
        snapshot = state.snapshot()
        assert snapshot.alert is not None
        assert (snapshot.alert.alert, snapshot.alert.forecast_wbgt) == ("heatstroke_alert", 33.5)
        assert (snapshot.display.on_start, snapshot.display.on_end) == ("06:00", "22:30")
        assert agent.tracker.hysteresis_c == 1.0
        state.close()
    # The applied configuration survives a restart.
    again = Agent(settings)
    assert again.runtime.reading_interval_s == 30
    again.request_stop()
    again.run()


def test_without_a_content_key_everything_is_refused_and_counted(
    broker: Mosquitto, listener: Listener, content_key: ContentKey, tmp_path: Path
) -> None:
    agent = Agent(agent_settings(broker, tmp_path))
    with running(agent):
        assert wait_until(lambda: bool(listener.readings()))
        assert agent.link.subscribed.wait(10), "the agent did not subscribe"
        topic = notice_topic(Scope.STATION, STATION, "water-map")
        listener.publish(topic, content_key.signer.sign(notice(1)))
        assert wait_until(lambda: agent.inbox.rejected["no_key"] == 1)
    state = open_local_state(tmp_path, create=False).state
    assert state.snapshot().notices == []
    state.close()


def test_the_official_forecast_reaches_the_kiosk_and_comes_back_after_a_rebuild(
    broker: Mosquitto, listener: Listener, content_key: ContentKey, tmp_path: Path
) -> None:
    settings = agent_settings(broker, tmp_path, content_keys_file=content_key.pem_file)
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
    agent = Agent(settings)
    with running(agent):
        assert wait_until(lambda: bool(listener.readings()))
        assert agent.link.subscribed.wait(10), "the agent did not subscribe"
        listener.publish(forecast_topic(), content_key.signer.sign(forecast))
        state = open_local_state(tmp_path, create=False).state
        assert wait_until(lambda: state.snapshot().forecast is not None)
        held = state.snapshot().forecast
        state.close()
    assert held is not None
    assert held.days == {"2026-08-07": 33.0, "2026-08-08": 29.5}
    assert held.attribution["ja"] == "出典：環境省熱中症予防情報サイト"
    # The local state is lost (a new schema, a broken file): the agent writes the forecast
    # it accepted again, without waiting for the server to send a newer one.
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"station.sqlite{suffix}").unlink(missing_ok=True)
    again = Agent(settings)
    again.request_stop()
    again.run()
    state = open_local_state(tmp_path, create=False).state
    try:
        assert state.snapshot().forecast == held
    finally:
        state.close()
