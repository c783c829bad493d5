"""Alerts: raised once, cleared when the condition ends, acknowledged, pushed to a webhook."""

import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server.alerts.book import AlertBook
from server.alerts.notify import NoNotifier, WebhookNotifier
from server.alerts.offline import check_offline
from server.ingest.handler import Incoming, MessageHandler
from server.registry.db import Registry
from server.registry.models import Alert, Station
from server.store.base import StoreUnavailableError
from server.store.sqlite import SqliteTimeSeries
from tests.server.helpers import health, now_ms, reading, status, telemetry


class Receiver:
    """A local HTTP server that records every JSON body POSTed to it."""

    def __init__(self) -> None:
        self.bodies: queue.Queue[dict[str, Any]] = queue.Queue()
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                received.put(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self) -> dict[str, Any]:
        return self.bodies.get(timeout=10)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    instance = Receiver()
    yield instance
    instance.close()


def test_a_dangerous_station_raises_one_alert_and_clears_it_when_it_cools(
    registry: Registry, receiver: Receiver, tmp_path: Any
) -> None:
    store = SqliteTimeSeries(tmp_path / "ts.sqlite")
    notifier = WebhookNotifier(receiver.url)
    handler = MessageHandler(store, registry, AlertBook(registry, notifier))
    topic = "kyusui/v1/st/st-a/telemetry"
    ts = now_ms() - 60_000
    for i, wbgt in enumerate([31.5, 32.0, 31.2]):
        assert handler.handle(topic, telemetry(i, reading(ts + i * 1000, wbgt=wbgt)), now_ms())
    raised = receiver.next()
    assert (raised["event"], raised["kind"], raised["severity"]) == ("raised", "heat", "critical")
    assert raised["title_ja"] == "暑さ指数が高い"
    assert "危険" in raised["detail"]
    handler.handle(topic, telemetry(9, reading(ts + 9000, wbgt=24.0)), now_ms())
    cleared = receiver.next()
    assert (cleared["event"], cleared["alert_id"]) == ("cleared", raised["alert_id"])
    assert receiver.bodies.empty()  # raised once, not once per hot reading
    notifier.close()
    store.close()


def test_two_workers_seeing_the_same_condition_raise_it_once(registry: Registry) -> None:
    from server.alerts.rules import READING_KINDS, reading_conditions

    hot = reading_conditions(reading(now_ms(), wbgt=33.0))
    assert hot
    first, second = AlertBook(registry, NoNotifier()), AlertBook(registry, NoNotifier())
    first.sync("st-a", READING_KINDS, hot)
    second.sync("st-a", READING_KINDS, hot)
    from sqlalchemy import func, select

    from server.registry.models import Alert

    with registry.session() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 1


def test_health_problems_and_silence_become_alerts_staff_can_acknowledge(
    api: TestClient, registry: Registry
) -> None:
    store = api.app.state.store  # type: ignore[attr-defined]
    handler = MessageHandler(store, registry, AlertBook(registry, NoNotifier()))
    handler.handle("kyusui/v1/st/st-a/status", status(), now_ms())
    sick = health(
        sensor_state="no_response", clock_synced=False, disk_free_mb=50.0, outbox_depth=500
    )
    assert handler.handle("kyusui/v1/st/st-a/health", sick, now_ms())
    open_alerts = api.get("/api/v1/alerts").json()
    assert sorted(a["kind"] for a in open_alerts) == [
        "clock_unsynced",
        "disk_low",
        "outbox_growing",
        "sensor_fault",
    ]
    disk = next(a for a in open_alerts if a["kind"] == "disk_low")
    acked = api.post(f"/api/v1/alerts/{disk['id']}/ack").json()
    assert acked["acknowledged_by"] == "bootstrap"
    assert acked["cleared_at"] is None  # acknowledged is not resolved
    handler.handle("kyusui/v1/st/st-a/health", health(), now_ms())
    assert api.get("/api/v1/alerts").json() == []
    assert len(api.get("/api/v1/alerts", params={"open": False}).json()) == 4
    # Silence: nothing from st-a for longer than the limit.
    check_offline(registry, AlertBook(registry, NoNotifier()), after_s=-1)
    [offline] = api.get("/api/v1/alerts").json()
    assert (offline["kind"], offline["title_ja"]) == ("offline", "通信が途絶えています")
    check_offline(registry, AlertBook(registry, NoNotifier()), after_s=3600)
    assert api.get("/api/v1/alerts").json() == []


def test_a_webhook_receiver_that_stays_down_is_counted_as_a_failure(
    receiver: Receiver, registry: Registry
) -> None:
    from server.alerts.rules import READING_KINDS, reading_conditions

    url = receiver.url
    receiver.close()  # nobody listens yet
    notifier = WebhookNotifier(url, attempts=2)
    hot = reading_conditions(reading(now_ms(), wbgt=33.0))
    assert hot
    AlertBook(registry, notifier).sync("st-a", READING_KINDS, hot)
    notifier.close()
    assert (notifier.sent, notifier.failed) == (0, 1)


class SwitchableRegistry(Registry):
    """A registry that can be made to lose every transaction at its commit, as when its
    server goes away in the middle of one."""

    down = False

    @contextmanager
    def session(self) -> Iterator[Session]:
        with super().session() as session:
            yield session
            session.flush()
            if self.down:
                raise OperationalError("COMMIT", {}, ConnectionError("registry gone"))


def test_one_batch_from_many_new_hot_stations_registers_each_and_raises_each_alert(
    registry: Registry, tmp_path: Any
) -> None:
    store = SqliteTimeSeries(tmp_path / "ts.sqlite")
    handler = MessageHandler(store, registry, AlertBook(registry, NoNotifier()))
    ts = now_ms() - 60_000
    batch = [
        Incoming(f"kyusui/v1/st/st-{n:02d}/telemetry", telemetry(1, reading(ts, wbgt=31.5)), ts)
        for n in range(40)
    ]
    handler.handle_batch(batch)
    with registry.session() as session:
        pending = session.scalars(select(Station.id).where(Station.state == "pending")).all()
        hot = session.scalars(
            select(Alert.station_id).where(Alert.kind == "heat", Alert.cleared_at.is_(None))
        ).all()
    assert sorted(pending) == [f"st-{n:02d}" for n in range(40)]
    assert sorted(hot) == [f"st-{n:02d}" for n in range(40)]
    store.close()


def test_an_alert_the_registry_could_not_take_is_raised_when_the_batch_comes_again(
    registry_url: str, tmp_path: Any
) -> None:
    registry = SwitchableRegistry(registry_url)
    store = SqliteTimeSeries(tmp_path / "ts.sqlite")
    handler = MessageHandler(store, registry, AlertBook(registry, NoNotifier()))
    ts = now_ms() - 60_000
    hot = Incoming("kyusui/v1/st/st-a/telemetry", telemetry(1, reading(ts, wbgt=31.5)), ts)
    registry.down = True
    with pytest.raises(StoreUnavailableError, match="registry"):
        handler.handle_batch([hot])  # nothing is acknowledged: the broker delivers it again
    registry.down = False
    handler.handle_batch([hot])
    with registry.session() as session:
        kinds = session.scalars(select(Alert.kind).where(Alert.station_id == "st-a")).all()
        known = session.get(Station, "st-a")
    assert kinds == ["heat"]
    assert known is not None
    assert known.state == "pending"
    store.close()
    registry.close()
