"""10-minute and hourly aggregates kept up to date by ingest, late data included.

A continuous query sees only points that arrive on time; a station's outbox replayed
after an outage would be missing from it. Instead, every write marks its stations dirty
from its oldest reading, and ``refresh()`` (run by ingest about once a minute) recomputes
their 10-minute buckets from that point on with ``SELECT … INTO``. The history API reads
these for ``every=10m`` (and the hourly ones for ``every=1h``) and the raw points for the
minutes not yet refreshed.
"""

import threading

from server.store.base import StationReadings, StoreUnavailableError
from server.store.influx_read import InfluxQL

STEP_MS = 600_000
HOUR_MS = 3_600_000
# Buckets older than this are complete in the rollup (ingest refreshes every minute).
SETTLED_MS = 150_000
FIELDS = ("temp_c", "rh", "wbgt")
STATS = ", ".join(
    f"min({f}) AS {f}_min, mean({f}) AS {f}_mean, max({f}) AS {f}_max" for f in FIELDS
)
TARGET = "reading_10m"
HOURLY_TARGET = "reading_1h"


def oldest_of(batch: list[StationReadings]) -> dict[str, int]:
    """Each station's oldest reading in a batch: where its buckets become dirty."""
    oldest: dict[str, int] = {}
    for item in batch:
        readings = item.readings
        ts = readings[0].ts if len(readings) == 1 else min(r.ts for r in readings)
        known = oldest.get(item.station)
        if known is None or ts < known:
            oldest[item.station] = ts
    return oldest


class Rollup:
    def __init__(
        self,
        ql: InfluxQL,
        raw: str,
        rollup: str,
        step_ms: int = STEP_MS,
        target: str = TARGET,
    ) -> None:
        self.ql = ql
        self.raw = raw  # '"db"."rp"'
        self.rollup = rollup
        self.step_ms = step_ms
        self.target = target
        self._dirty: dict[str, int] = {}
        self._lock = threading.Lock()

    def floor(self, ms: int) -> int:
        return ms - ms % self.step_ms

    def _recompute(self, stations: list[str], since_ms: int) -> None:
        for chunk in range(0, len(stations), 200):
            names = "|".join(stations[chunk : chunk + 200])
            self.ql.query(
                f"SELECT count(quality) AS n, {STATS} INTO {self.rollup}.{self.target}"
                f" FROM {self.raw}.reading WHERE station =~ /^(?:{names})$/"
                f" AND time >= {self.floor(since_ms)}ms"
                f" GROUP BY time({self.step_ms // 1000}s), *",
                "POST",
            )

    def refresh(self) -> int:
        """Recompute the dirty stations' buckets; returns how many stations. On failure
        the stations stay dirty and StoreUnavailableError is raised."""
        with self._lock:
            dirty, self._dirty = self._dirty, {}
        if not dirty:
            return 0
        # Stations whose oldest new reading falls in the same bucket share one query; in
        # steady state that is the current bucket (or the one before) for the whole fleet.
        groups: dict[int, list[str]] = {}
        for station, since in dirty.items():
            groups.setdefault(self.floor(since), []).append(station)
        try:
            for since, stations in sorted(groups.items()):
                self._recompute(sorted(stations), since)
        except StoreUnavailableError:
            self.mark_all(dirty)
            raise
        return len(dirty)

    def mark_all(self, dirty: dict[str, int]) -> None:
        """Stations written to, each from its oldest reading (``oldest_of``)."""
        with self._lock:
            for station, since in dirty.items():
                known = self._dirty.get(station)
                self._dirty[station] = since if known is None else min(known, since)
