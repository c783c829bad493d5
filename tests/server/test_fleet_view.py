"""The fleet view staff screens poll: latest state per station from one table, filtered and
paged in the database, revalidated by ETag, and followed by a change feed."""

import threading
import time

from fastapi.testclient import TestClient

from server.api.cache import FleetCache
from server.api.fleet import merge
from server.api.stations import STATIONS_JSON, held_back
from server.ingest.handler import Incoming, MessageHandler
from server.registry.db import Registry
from server.registry.stations import list_stations
from server.store.base import TimeSeriesStore
from tests.server.helpers import health, now_ms, reading, status, telemetry

TOPIC = "kyusui/v1/st/{}/{}"


def handler(api: TestClient, registry: Registry) -> MessageHandler:
    store: TimeSeriesStore = api.app.state.store  # type: ignore[attr-defined]
    return MessageHandler(store, registry)


def test_the_newest_reading_is_the_stations_own_order_not_its_clock(
    api: TestClient, registry: Registry
) -> None:
    ingest = handler(api, registry)
    now = now_ms()
    ingest.handle(TOPIC.format("st-a", "status"), status(session=2), now)
    ingest.handle(
        TOPIC.format("st-a", "telemetry"), telemetry(5, reading(now, wbgt=30.0), session=2), now
    )
    # The clock stepped back an hour: the next message is still the newest.
    stepped = now - 3_600_000
    ingest.handle(
        TOPIC.format("st-a", "telemetry"), telemetry(6, reading(stepped, wbgt=22.0), session=2), now
    )
    # An old message sent again (an earlier seq) does not replace it.
    ingest.handle(
        TOPIC.format("st-a", "telemetry"),
        telemetry(4, reading(now - 60_000, wbgt=25.0), session=2),
        now,
    )
    [station] = api.get("/api/v1/stations").json()
    assert station["latest"]["wbgt"] == 22.0
    assert station["session"] == 2


def test_a_batch_writes_the_newest_of_each_station_once(
    api: TestClient, registry: Registry
) -> None:
    ingest = handler(api, registry)
    now = now_ms()
    batch = [
        Incoming(TOPIC.format("st-a", "telemetry"), telemetry(2, reading(now, wbgt=28.0)), now),
        Incoming(
            TOPIC.format("st-a", "telemetry"), telemetry(1, reading(now - 60_000, wbgt=20.0)), now
        ),
        Incoming(TOPIC.format("st-b", "status"), status(), now),
        Incoming(TOPIC.format("st-b", "health"), health(clock_synced=False), now),
    ]
    ingest.handle_batch(batch)
    by_id = {s["id"]: s for s in api.get("/api/v1/stations").json()}
    assert by_id["st-a"]["latest"]["wbgt"] == 28.0
    assert by_id["st-b"]["online"] is True
    assert by_id["st-b"]["latest"] is None
    assert by_id["st-b"]["held_back"] is True  # online, clock unsynchronised, no reading


def test_the_fleet_view_answers_as_the_per_station_models_did(
    api: TestClient, registry: Registry
) -> None:
    ingest = handler(api, registry)
    now = now_ms()
    ingest.handle(TOPIC.format("st-a", "status"), status(area="naka"), now)
    ingest.handle(
        TOPIC.format("st-a", "telemetry"), telemetry(1, reading(now - 1234, wbgt=31.5)), now
    )
    ingest.handle(TOPIC.format("st-b", "status"), status(state="offline", area="kohoku"), now)
    ingest.handle(TOPIC.format("st-c", "status"), status(), now)
    ingest.handle(TOPIC.format("st-c", "health"), health(clock_synced=False), now)
    api.patch("/api/v1/stations/st-a", json={"name_ja": "中央公園", "latitude": 35.5})
    store: TimeSeriesStore = api.app.state.store  # type: ignore[attr-defined]
    settings = api.app.state.settings  # type: ignore[attr-defined]
    answer = api.get("/api/v1/stations").json()
    with registry.session() as session:
        states, at = store.fleet(), now_ms()
        before = merge(
            list_stations(session),
            states,
            at,
            settings.offline_after_s,
            held_back=held_back(store, states, at, settings.offline_after_s),
        )
    assert answer == STATIONS_JSON.dump_python(before, mode="json")


def test_filters_and_pages_come_from_the_database(api: TestClient, registry: Registry) -> None:
    ingest = handler(api, registry)
    now = now_ms()
    for i, (area, wbgt) in enumerate([("naka", 20.0), ("naka", 30.0), ("kohoku", 30.0)]):
        sid = f"st-{i}"
        ingest.handle(TOPIC.format(sid, "status"), status(area=area), now)
        ingest.handle(TOPIC.format(sid, "telemetry"), telemetry(1, reading(now, wbgt=wbgt)), now)
    ingest.handle(TOPIC.format("st-3", "status"), status(state="offline", area="naka"), now)

    def ids(**params: object) -> list[str]:
        return [s["id"] for s in api.get("/api/v1/stations", params=params).json()]

    assert ids(area="naka") == ["st-0", "st-1", "st-3"]
    assert ids(level="severe_warning") == ["st-1", "st-2"]
    assert ids(level="none") == ["st-3"]
    assert ids(online=False) == ["st-3"]
    assert ids(online=True, area="naka") == ["st-0", "st-1"]
    assert ids(quality="ok") == ["st-0", "st-1", "st-2"]
    first = api.get("/api/v1/stations", params={"limit": 2})
    assert [s["id"] for s in first.json()] == ["st-0", "st-1"]
    assert "after=st-1" in first.headers["link"]
    assert ids(limit=2, after="st-1") == ["st-2", "st-3"]
    assert api.get("/api/v1/stations", params={"level": "hot"}).status_code in (400, 422)


def test_an_unchanged_fleet_costs_a_304_and_a_change_a_new_etag(
    api: TestClient, registry: Registry
) -> None:
    ingest = handler(api, registry)
    now = now_ms()
    ingest.handle(TOPIC.format("st-a", "status"), status(), now)
    first = api.get("/api/v1/stations")
    etag = first.headers["etag"]
    again = api.get("/api/v1/stations", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    ingest.handle(TOPIC.format("st-a", "telemetry"), telemetry(1, reading(now)), now)
    changed = api.get("/api/v1/stations", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_a_screen_that_has_the_fleet_gets_only_what_changed(
    api: TestClient, registry: Registry
) -> None:
    api.app.state.settings.api_fleet_change_overlap_s = 0  # type: ignore[attr-defined]
    ingest = handler(api, registry)
    now = now_ms()
    for sid in ("st-a", "st-b", "st-c"):
        ingest.handle(TOPIC.format(sid, "status"), status(), now)
    compact = api.get("/api/v1/stations", params={"view": "compact"}).json()
    assert [row[0] for row in compact["rows"]] == ["st-a", "st-b", "st-c"]
    cursor = compact["cursor"]
    time.sleep(0.01)  # the next change is dated after the cursor
    ingest.handle(
        TOPIC.format("st-b", "telemetry"), telemetry(1, reading(now_ms(), wbgt=29.0)), now_ms()
    )
    changes = api.get("/api/v1/stations", params={"view": "compact", "since": cursor}).json()
    [row] = changes["rows"]
    wbgt = changes["fields"].index("wbgt")
    assert (row[0], row[wbgt]) == ("st-b", 29.0)
    assert changes["cursor"] >= cursor
    # A retired station is among the changes, so the screen can drop it.
    api.delete("/api/v1/stations/st-c")
    later = api.get("/api/v1/stations", params={"since": changes["cursor"]}).json()
    assert [(s["id"], s["state"]) for s in later] == [("st-c", "retired")]


def test_a_station_that_falls_silent_is_a_change_without_any_message(
    api: TestClient, registry: Registry
) -> None:
    api.app.state.settings.api_fleet_change_overlap_s = 0  # type: ignore[attr-defined]
    offline_after_s = api.app.state.settings.offline_after_s  # type: ignore[attr-defined]
    ingest = handler(api, registry)
    now = now_ms()
    last_heard = now - offline_after_s * 1000 - 500  # went silent half a second ago
    ingest.handle(TOPIC.format("st-a", "status"), status(), last_heard)
    ingest.handle(TOPIC.format("st-b", "status"), status(), now)
    changes = api.get("/api/v1/stations", params={"since": now - 100_000}).json()
    assert {s["id"]: s["online"] for s in changes} == {"st-a": False, "st-b": True}


def test_callers_are_served_the_previous_fleet_while_it_is_recomputed() -> None:
    release = threading.Event()
    computed: list[int] = []

    def slow() -> tuple[bytes, int, str | None, str | None]:
        computed.append(1)
        if len(computed) > 1:
            release.wait(10)
        return f"[{len(computed)}]".encode(), len(computed), None, None

    cache = FleetCache(ttl_s=0.05)
    assert cache.entry("all", slow).body == b"[1]"
    time.sleep(0.06)
    started = time.monotonic()
    served = [cache.entry("all", slow).body for _ in range(3)]
    assert time.monotonic() - started < 1.0  # nobody waited for the slow recompute
    assert served == [b"[1]"] * 3
    deadline = time.monotonic() + 5
    while len(computed) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert len(computed) == 2  # one recompute in the background for all of them
    release.set()
    deadline = time.monotonic() + 5
    while cache.entry("all", slow).body == b"[1]":
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_screen_polling_now_and_then_is_served_what_was_true_a_lifetime_ago() -> None:
    truth = [0]

    def compute() -> tuple[bytes, int, str | None, str | None]:
        return str(truth[0]).encode(), 0, None, None

    cache = FleetCache(ttl_s=0.2)
    assert cache.entry("all", compute).body == b"0"
    time.sleep(0.3)
    cache.entry("all", compute)  # stale: its refresh starts, and keeps going
    truth[0] = 1
    time.sleep(0.6)  # three lifetimes without a caller
    assert cache.entry("all", compute).body == b"1"


def test_the_fleet_kept_from_its_changes_is_the_fleet_computed_afresh(
    api: TestClient, registry: Registry
) -> None:
    from server.api.fleet_table import FleetFilter
    from server.api.stations import FleetView, fleet_answer

    settings = api.app.state.settings  # type: ignore[attr-defined]
    cache = FleetCache(ttl_s=0)
    ingest = handler(api, registry)

    def kept_and_afresh(view: FleetView, f: FleetFilter) -> tuple[bytes, bytes]:
        kept = fleet_answer(registry, settings, cache, f, view).body
        afresh = fleet_answer(registry, settings, None, f, view).body
        return kept, afresh

    for step in range(3):
        now = now_ms()
        for i in range(step, step + 3):
            sid = f"st-{i}"
            ingest.handle(TOPIC.format(sid, "status"), status(), now)
            ingest.handle(TOPIC.format(sid, "telemetry"), telemetry(step + 1, reading(now)), now)
        if step == 1:
            api.patch("/api/v1/stations/st-1", json={"name_ja": "駅前"})
        if step == 2:
            api.delete("/api/v1/stations/st-0")
            api.patch("/api/v1/stations/st-2", json={"area": "kohoku"})
        for view in FleetView:
            for f in (FleetFilter(), FleetFilter(area="naka"), FleetFilter(area="kohoku")):
                kept, afresh = kept_and_afresh(view, f)
                if view is FleetView.COMPACT:  # the cursor is the time of each computation
                    kept = kept.rsplit(b',"cursor"', 1)[0]
                    afresh = afresh.rsplit(b',"cursor"', 1)[0]
                assert kept == afresh, (step, view, f)
            assert b"st-1" in kept_and_afresh(view, FleetFilter(area="naka"))[0]
