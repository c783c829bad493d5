"""A station whose estimate runs consistently off the official observed value raises a
data-quality alert; one that agrees does not."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from contract.jst import JST
from contract.levels import level_for
from contract.messages import Reading
from server.alerts.book import AlertBook
from server.alerts.notify import NoNotifier
from server.official.checks import check_stations
from server.official.compare import YOKOHAMA
from server.official.importer import FileKind, FileRecord, Status
from server.official.site import observed_path
from server.registry.db import Registry, now_ms
from server.registry.models import Alert, EnrolmentState, Station
from server.registry.official import RegistryMemory
from server.store.base import StationReadings
from server.store.sqlite import SqliteTimeSeries

NOW = datetime(2026, 8, 7, 12, 10, tzinfo=JST)
DAYS = (datetime(2026, 8, 4).date(), datetime(2026, 8, 5).date(), datetime(2026, 8, 6).date())


def official_value(at: datetime) -> float:
    return 26.0 + (4.0 if 10 <= at.hour <= 16 else 0.0) + 0.1 * (at.hour % 3)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteTimeSeries]:
    store = SqliteTimeSeries(tmp_path / "timeseries.sqlite")
    yield store
    store.close()


def enrol(registry: Registry, station_id: str) -> None:
    with registry.session() as session:
        session.add(
            Station(
                id=station_id,
                state=EnrolmentState.ACTIVE.value,
                name_ja=station_id,
                latitude=35.4437,
                longitude=139.6380,
                created_at=now_ms(),
            )
        )


def readings_off_by(offset: float, wobble: float = 0.0) -> list[Reading]:
    """Every 10 minutes over three days: the official value (for the hour each lies in)
    plus ``offset``, alternating ± ``wobble``."""
    start = datetime(2026, 8, 4, 0, 0, tzinfo=JST)
    readings = []
    for i in range(3 * 24 * 6):
        at = start + timedelta(minutes=10 * i)
        hour_end = at.replace(minute=0) + timedelta(hours=1)
        wbgt = official_value(hour_end) + offset + (wobble if i % 2 else -wobble)
        readings.append(
            Reading(
                ts=int(at.timestamp() * 1000),
                temp_c=30.0,
                rh=60.0,
                wbgt=round(wbgt, 1),
                level=level_for(wbgt),
            )
        )
    return readings


def keep_official(memory: RegistryMemory) -> None:
    """The month's observed file for 横浜, with the three days filled in."""
    lines = ["Date,Time,46106"]
    for day in DAYS:
        for hour in range(1, 25):
            at = datetime(day.year, day.month, day.day, tzinfo=JST) + timedelta(hours=hour)
            lines.append(f"{day.year}/{day.month}/{day.day},{hour}:00,{official_value(at):.1f}")
    path = observed_path("46106", DAYS[0].replace(day=1))
    memory.keep(FileRecord(path, FileKind.OBSERVED, Status.OK, NOW), "\n".join(lines).encode())


def test_a_sensor_reading_two_degrees_high_raises_a_data_quality_alert(
    registry: Registry, store: SqliteTimeSeries
) -> None:
    memory = RegistryMemory(registry)
    keep_official(memory)
    enrol(registry, "naka-sunny")
    enrol(registry, "naka-shade")
    store.write_batch(
        [
            StationReadings("naka-sunny", readings_off_by(+2.0)),
            StationReadings("naka-shade", readings_off_by(0.0, wobble=0.4)),
        ]
    )
    book = AlertBook(registry, NoNotifier())
    checks = {
        c.station: c.comparison
        for c in check_stations(registry, store, memory, book, [YOKOHAMA], NOW, 3, 1.5)
    }
    assert checks["naka-sunny"].mean_difference_c == pytest.approx(2.0, abs=0.1)
    assert checks["naka-sunny"].hours >= 48
    with registry.session() as session:
        open_alerts = {
            (a.station_id, a.kind): a.detail
            for a in session.scalars(select(Alert).where(Alert.cleared_at.is_(None)))
        }
    assert set(open_alerts) == {("naka-sunny", "official_bias")}
    assert "+2.0" in open_alerts[("naka-sunny", "official_bias")]
    assert "横浜" in open_alerts[("naka-sunny", "official_bias")]
