"""Stations' wall clocks are stepped forward and back while they read fast."""

import signal
import sqlite3
import time
from collections.abc import Callable

from server.store.sqlite import SqliteTimeSeries
from tests.faults.conftest import assert_whole
from tests.faults.net import FaultNet
from tests.faults.station import STEP_ENV

AHEAD, BEHIND, STEADY = "st-fault-01", "st-fault-02", "st-fault-03"
HOUR_MS = 3_600_000
BACK_MS = 280_000


def test_clock_steps_lose_nothing_and_latest_follows_the_station(
    faultnet: Callable[..., FaultNet],
) -> None:
    net = faultnet(
        stations=(AHEAD, BEHIND, STEADY),
        station_settings={AHEAD: {STEP_ENV: str(HOUR_MS)}, BEHIND: {STEP_ENV: str(BACK_MS)}},
    ).start()
    net.signal(AHEAD, signal.SIGUSR1)  # an hour ahead …
    net.signal(BEHIND, signal.SIGUSR2)  # 280 s behind, and it stays there
    time.sleep(4)
    net.signal(AHEAD, signal.SIGUSR2)  # … and right again
    time.sleep(4)
    counts = net.finish("wall clock stepped +1 h and back; −280 s")
    assert_whole(counts)

    store = SqliteTimeSeries(net.timeseries_path)
    try:
        latest = {s.station: s.latest.ts for s in store.fleet() if s.latest is not None}
    finally:
        store.close()
    for station in (AHEAD, BEHIND, STEADY):
        # The latest is the station's last reading, whatever its time says.
        assert latest[station] == net.produced(station)[-1], station
    stored = {ts for ts, _ in net.stored(BEHIND)}
    assert latest[BEHIND] < max(stored), "the step back was not visible in the store"

    db = sqlite3.connect(net.timeseries_path)
    try:
        flagged = {
            r[0]
            for r in db.execute(
                "SELECT ts FROM readings WHERE future = 1 AND station = ?", (AHEAD,)
            )
        }
        others = db.execute(
            "SELECT count(*) FROM readings WHERE future = 1 AND station != ?", (AHEAD,)
        )
        assert others.fetchone()[0] == 0
    finally:
        db.close()
    ahead = {ts for ts in net.produced(AHEAD) if ts > time.time() * 1000 + HOUR_MS / 2}
    assert len(ahead) > 10
    assert flagged == ahead, "exactly the readings dated an hour ahead are flagged"
