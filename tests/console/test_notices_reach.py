"""Staff see which targeted stations have not yet shown a notice's current version."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.registry.db import Registry
from server.registry.models import EnrolmentState, Notice, ReceiptRow, Station
from server.registry.reach import not_yet_shown, reach
from tests.server.conftest import (
    fresh_postgres_database,
    postgres_server_url,  # noqa: F401  (a fixture)
)

STATIONS = (
    ("naka-01", "naka", EnrolmentState.ACTIVE),
    ("naka-02", "naka", EnrolmentState.PENDING),
    ("naka-03", "naka", EnrolmentState.RETIRED),
    ("kohoku-01", "kohoku", EnrolmentState.ACTIVE),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Registry]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    else:
        url = fresh_postgres_database(request.getfixturevalue("postgres_server_url"))
    instance = Registry(url)
    with instance.session() as session:
        for station_id, area, state in STATIONS:
            session.add(
                Station(
                    id=station_id, area_id=area, state=state.value, name_ja=station_id, created_at=1
                )
            )
    yield instance
    instance.close()


def notice(scope: str, version: int = 10, notice_id: str = "n-1") -> Notice:
    return Notice(
        id=notice_id,
        version=version,
        scope=scope,
        priority="normal",
        title={"ja": "お知らせ"},
        withdrawn=False,
        created_at=1,
    )


def shown(station: str, version: int, at: int, notice_id: str = "n-1") -> ReceiptRow:
    return ReceiptRow(
        station_id=station,
        notice_id=notice_id,
        version=version,
        shown_at=at,
        duration_s=8.0,
        lang="ja",
        received_at=at + 1,
    )


def test_an_area_notice_is_for_the_areas_stations_that_are_not_retired(
    registry: Registry,
) -> None:
    with registry.session() as session:
        assert [r.station_id for r in reach(session, notice("area:naka"))] == [
            "naka-01",
            "naka-02",
        ]
        assert [r.station_id for r in reach(session, notice("all"))] == [
            "kohoku-01",
            "naka-01",
            "naka-02",
        ]
        assert [r.station_id for r in reach(session, notice("st:kohoku-01"))] == ["kohoku-01"]
        assert reach(session, notice("st:naka-03")) == []


def test_a_station_that_showed_only_an_older_version_has_not_shown_the_notice_yet(
    registry: Registry,
) -> None:
    with registry.session() as session:
        session.add_all(
            [
                shown("naka-01", 10, 2000),
                shown("naka-01", 7, 1000),
                shown("naka-02", 7, 1500),
                shown("kohoku-01", 10, 1800, notice_id="n-other"),
            ]
        )
    with registry.session() as session:
        waiting = not_yet_shown(session, notice("area:naka"))
        everyone = not_yet_shown(session, notice("all"))
    assert [(r.station_id, r.shown_version, r.last_shown_at) for r in waiting] == [
        ("naka-02", 7, 1500)
    ]
    # Another notice's receipt says nothing about this one.
    assert [(r.station_id, r.shown_version) for r in everyone] == [
        ("kohoku-01", None),
        ("naka-02", 7),
    ]
