"""Ingest stores only what the contract accepts: a wrong type is quarantined with its reason,
never coerced into a reading."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.ingest.handler import MessageHandler
from server.registry.db import Registry
from server.registry.quarantine import recent
from server.store.sqlite import SqliteTimeSeries
from tests.server.helpers import now_ms

STATION = "naka-01"
TOPIC = f"kyusui/v1/st/{STATION}/telemetry"
TS = 1_785_546_000_000  # 2026-08-01 10:00 JST
READING = f'"ts":{TS},"temp_c":25.0,"rh":50,"wbgt":22.1,"level":"caution"'
GOOD = '{"v":1,"session":1,"seq":1,"readings":[{' + READING + "}]}"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteTimeSeries]:
    instance = SqliteTimeSeries(tmp_path / "ts.sqlite")
    yield instance
    instance.close()


def deliver(store: SqliteTimeSeries, registry: Registry, payload: str) -> bool:
    return MessageHandler(store, registry).handle(TOPIC, payload.encode(), now_ms())


def test_a_good_message_is_stored_with_an_integer_humidity(
    store: SqliteTimeSeries, sqlite_registry: Registry
) -> None:
    assert deliver(store, sqlite_registry, GOOD)
    [stored] = store.readings(STATION, TS, TS + 1)
    assert (stored.temp_c, stored.rh) == (25.0, 50.0)


@pytest.mark.parametrize(
    ("payload", "reason", "field"),
    [
        (GOOD.replace('"v":1', '"v":1.0'), "version", "1.0"),
        (GOOD.replace('"v":1', '"v":true'), "version", "True"),
        (GOOD.replace('"rh":50', '"rh":50,"rh":60'), "json", "'rh' appears twice"),
        (GOOD.replace("25.0", '"25.0"'), "schema", "readings.0.temp_c"),
        (GOOD.replace('"rh":50', '"rh":true'), "schema", "readings.0.rh"),
        (GOOD.replace(str(TS), "1.8e12"), "schema", "readings.0.ts"),
        (GOOD.replace(str(TS), f'"{TS}"'), "schema", "readings.0.ts"),
        (GOOD.replace(str(TS), "33000000000000"), "schema", "readings.0.ts"),  # after 3000
        (GOOD.replace('"session":1', '"session":"1"'), "schema", "session"),
        (GOOD.replace('"seq":1', '"seq":1.0'), "schema", "seq"),
        (GOOD.replace('"level":"caution"', '"level":2'), "schema", "readings.0.level"),
    ],
    ids=[
        "v-float",
        "v-true",
        "repeated-member",
        "temp-as-text",
        "rh-true",
        "ts-float",
        "ts-text",
        "ts-after-3000",
        "session-text",
        "seq-float",
        "level-number",
    ],
)
def test_a_wrong_type_is_quarantined_with_its_reason_and_nothing_is_stored(
    store: SqliteTimeSeries, sqlite_registry: Registry, payload: str, reason: str, field: str
) -> None:
    assert not deliver(store, sqlite_registry, payload)
    assert store.readings(STATION, 0, 2**52) == []
    with sqlite_registry.session() as session:
        [kept] = recent(session, STATION, 10, None)
        assert kept.reason == reason
        assert field in kept.detail
        assert kept.payload == payload.encode()
