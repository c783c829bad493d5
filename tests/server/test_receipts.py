"""Receipts as ward staff use them: proof of which notice each screen showed, when, how long
and in which language, on SQLite and PostgreSQL registries."""

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from contract.codec import decode
from contract.messages import Receipts
from devnet.ports import free_port
from server.ingest.handler import Incoming, MessageHandler
from server.registry import receipts as receipt_registry
from server.registry.db import Registry, alembic_config, make_engine
from server.registry.models import Base
from server.registry.receipts import StationReceipts
from server.store.base import StoreUnavailableError, TimeSeriesStore
from tests.server.helpers import now_ms, receipt, receipts

TOPIC = "kyusui/v1/st/{}/receipts"
# 2026-08-01 10:00:00 JST
SHOWN = 1_785_546_000_000
DAY = {"start": "2026-08-01T00:00", "end": "2026-08-02T00:00"}


def handler(api: TestClient, registry: Registry) -> MessageHandler:
    store: TimeSeriesStore = api.app.state.store  # type: ignore[attr-defined]
    return MessageHandler(store, registry)


def deliver(api: TestClient, registry: Registry, station: str, payload: bytes) -> bool:
    return handler(api, registry).handle(TOPIC.format(station), payload, now_ms())


def test_a_receipt_a_station_sends_is_listed_for_that_station_and_that_notice(
    api: TestClient, registry: Registry
) -> None:
    sent = receipts(
        7,
        receipt("water-map", SHOWN, version=3, duration_s=12.5, lang="ja"),
        receipt("heat-tips", SHOWN + 15_000, version=1, duration_s=8.0, lang="en"),
    )
    assert deliver(api, registry, "naka-01", sent)
    assert deliver(api, registry, "naka-02", receipts(1, receipt("water-map", SHOWN + 60_000, 3)))

    shown = api.get("/api/v1/stations/naka-01/receipts", params=DAY)
    assert shown.status_code == 200, shown.text
    assert [(r["notice_id"], r["version"], r["lang"]) for r in shown.json()] == [
        ("water-map", 3, "ja"),
        ("heat-tips", 1, "en"),
    ]
    first = shown.json()[0]
    assert first["station_id"] == "naka-01"
    assert first["shown_at"] == "2026-08-01T10:00:00+09:00"
    assert first["duration_s"] == 12.5
    assert first["received_at"].endswith("+09:00")

    where = api.get("/api/v1/notices/water-map/receipts", params=DAY).json()
    assert [(r["station_id"], r["shown_at"]) for r in where] == [
        ("naka-01", "2026-08-01T10:00:00+09:00"),
        ("naka-02", "2026-08-01T10:01:00+09:00"),
    ]
    assert api.get("/api/v1/notices/water-map/receipts", params=DAY | {"version": 2}).json() == []
    # A station that sends receipts before anyone enrolled it is in the fleet, as pending.
    assert {s["id"]: s["state"] for s in api.get("/api/v1/stations").json()} == {
        "naka-01": "pending",
        "naka-02": "pending",
    }


def test_a_receipts_message_delivered_twice_is_listed_once(
    api: TestClient, registry: Registry
) -> None:
    sent = receipts(1, receipt("water-map", SHOWN), receipt("water-map", SHOWN + 30_000))
    assert deliver(api, registry, "naka-01", sent)
    assert deliver(api, registry, "naka-01", sent)  # redelivered by the broker
    replayed = receipts(1, receipt("water-map", SHOWN), session=2)  # from the outbox, later
    assert deliver(api, registry, "naka-01", replayed)
    # ...and twice within one batch.
    twice = Incoming(TOPIC.format("naka-01"), sent, now_ms())
    handler(api, registry).handle_batch([twice, twice])

    listed = api.get("/api/v1/stations/naka-01/receipts", params=DAY).json()
    assert [r["shown_at"] for r in listed] == [
        "2026-08-01T10:00:00+09:00",
        "2026-08-01T10:00:30+09:00",
    ]
    assert len(api.get("/api/v1/notices/water-map/receipts", params=DAY).json()) == 2


def test_a_malformed_receipts_message_is_quarantined_and_nothing_is_listed(
    api: TestClient, registry: Registry
) -> None:
    too_long = receipts(1, receipt("water-map", SHOWN), receipt("heat-tips", SHOWN, duration_s=9e4))
    assert not deliver(api, registry, "naka-01", too_long)
    nul = receipts(2, receipt("water-map", SHOWN + 1000, lang="ja\u0000"))
    assert not deliver(api, registry, "naka-01", nul)
    assert not deliver(api, registry, "naka-01", b'{"v": 1, "session": 1, "seq": 3}')

    listed = api.get("/api/v1/quarantine", params={"station": "naka-01"}).json()
    assert [q["reason"] for q in listed] == ["schema", "store_rejected", "schema"]
    assert "receipts" in listed[0]["detail"]
    assert "lang" in listed[1]["detail"]
    assert "duration_s" in listed[2]["detail"]
    # The good receipt next to the bad one is refused with its message: nothing is listed.
    assert api.get("/api/v1/stations/naka-01/receipts", params=DAY).status_code == 404
    missing = api.get("/api/v1/notices/water-map/receipts", params=DAY)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_receipts_are_not_acknowledged_while_the_registry_is_down(
    api: TestClient, registry: Registry, registry_url: str, tmp_path: Path
) -> None:
    if registry_url.startswith("sqlite"):
        down_url = f"sqlite:///{tmp_path}"  # a directory: the database cannot be opened
    else:
        down_url = f"postgresql+psycopg://kyusui@127.0.0.1:{free_port()}/kyusui"
    down = Registry(down_url, run_migrations=False)
    store: TimeSeriesStore = api.app.state.store  # type: ignore[attr-defined]
    message = Incoming(TOPIC.format("naka-01"), receipts(1, receipt("water-map", SHOWN)), now_ms())
    try:
        with pytest.raises(StoreUnavailableError, match="registry"):
            MessageHandler(store, down).handle_batch([message])
    finally:
        down.close()
    # The broker redelivers the unacknowledged message once the registry is back.
    MessageHandler(store, registry).handle_batch([message])
    [listed] = api.get("/api/v1/stations/naka-01/receipts", params=DAY).json()
    assert listed["notice_id"] == "water-map"


def test_a_receipt_the_registry_refuses_does_not_hold_back_the_rest_of_its_batch(
    api: TestClient, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_record = receipt_registry.record

    def refusing(session: Session, items: list[StationReceipts]) -> None:
        if any(r.lang == "xx" for item in items for r in item.message.receipts):
            raise DataError("INSERT", {}, ValueError("value out of range"))
        real_record(session, items)

    monkeypatch.setattr(receipt_registry, "record", refusing)
    topic = TOPIC.format("naka-01")
    good = Incoming(topic, receipts(1, receipt("water-map", SHOWN)), now_ms())
    refused = Incoming(topic, receipts(2, receipt("water-map", SHOWN + 1000, lang="xx")), now_ms())
    handler(api, registry).handle_batch([good, refused])

    [listed] = api.get("/api/v1/stations/naka-01/receipts", params=DAY).json()
    assert listed["shown_at"] == "2026-08-01T10:00:00+09:00"
    [quarantined] = api.get("/api/v1/quarantine", params={"station": "naka-01"}).json()
    assert (quarantined["reason"], quarantined["detail"]) == (
        "store_rejected",
        "value out of range",
    )


def test_receipt_queries_are_bounded_and_refused_in_the_usual_shape(api: TestClient) -> None:
    unknown = api.get("/api/v1/stations/nowhere/receipts")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    too_long = api.get(
        "/api/v1/notices/water-map/receipts",
        params={"start": "2026-06-01T00:00", "end": "2026-08-01T00:00"},
    )
    assert (too_long.status_code, too_long.json()["error"]["code"]) == (422, "invalid_request")
    too_many = api.get("/api/v1/stations/naka-01/receipts", params={"limit": 100_000})
    assert too_many.json()["error"]["code"] == "invalid_request"
    anonymous = api.get("/api/v1/notices/water-map/receipts", headers={"Authorization": ""})
    assert anonymous.status_code == 401


def test_a_reader_token_lists_receipts_and_a_limit_keeps_the_oldest(
    api: TestClient, registry: Registry
) -> None:
    shown = [receipt("water-map", SHOWN + i * 60_000) for i in range(5)]
    assert deliver(api, registry, "naka-01", receipts(1, *shown))
    token = api.post("/api/v1/tokens", json={"name": "ward-report", "role": "reader"})
    as_reader = {"Authorization": f"Bearer {token.json()['token']}"}
    first_two = api.get(
        "/api/v1/notices/water-map/receipts", params=DAY | {"limit": 2}, headers=as_reader
    )
    assert first_two.status_code == 200
    assert [r["shown_at"] for r in first_two.json()] == [
        "2026-08-01T10:00:00+09:00",
        "2026-08-01T10:01:00+09:00",
    ]


def test_a_registry_from_before_receipts_upgrades_to_the_models_tables(registry_url: str) -> None:
    engine = make_engine(registry_url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    engine.dispose()
    upgraded = Registry(registry_url)  # what every process does at start
    try:
        with upgraded.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        sent = decode(Receipts, receipts(1, receipt("water-map", SHOWN)))
        with upgraded.session() as session:
            receipt_registry.record(session, [StationReceipts("naka-01", sent, now_ms())])
        with upgraded.session() as session:
            assert len(receipt_registry.for_notice(session, "water-map", 0, SHOWN + 1, 10)) == 1
        with upgraded.engine.begin() as conn:  # and back, for a rollback of the release
            config.attributes["connection"] = conn
            command.downgrade(config, "0001")
            assert "receipts" not in inspect(conn).get_table_names()
    finally:
        upgraded.close()
