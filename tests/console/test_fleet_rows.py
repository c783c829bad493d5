"""The fleet page's order and filters, as the browser runs them (static/fleet-rows.js)."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from contract.levels import level_for, ordered_levels
from server.api.fleet_table import COMPACT_FIELDS

NOW_MS = 1_785_560_400_000  # 2026-08-01 14:00 JST
STALE_AFTER_MS = 300_000
RANKS = {lv.value: lv.rank for lv in ordered_levels()}

# The compact rows in the browser, chosen and ordered by a query: their ids.
CHOOSE = """([fields, rows, query, now, staleAfter, ranks]) => {
  const R = window.KyusuiFleetRows;
  const views = rows.map((row) => R.view(R.station(fields, row), now, staleAfter, ranks));
  return R.select(views, query).map((v) => v.s.id);
}"""
FLAGS = """([fields, row, now, staleAfter]) =>
  window.KyusuiFleetRows.flagsOf(window.KyusuiFleetRows.station(fields, row), now, staleAfter)"""


def compact(
    sid: str,
    wbgt: float | None,
    *,
    online: bool = True,
    area: str = "naka",
    age_s: int = 30,
    **more: Any,
) -> list[Any]:
    """A row as the compact fleet view sends it."""
    reading = wbgt is not None
    values: dict[str, Any] = {
        "id": sid,
        "name": sid,
        "state": "active",
        "area": area,
        "online": online,
        "reading_ms": NOW_MS - age_s * 1000 if reading else None,
        "wbgt": wbgt,
        "level": level_for(wbgt).value if wbgt is not None else None,
        "quality": "ok" if reading else None,
        "time_source": "synced" if reading else None,
        "held_back": False,
    } | more
    return [values.get(field) for field in COMPACT_FIELDS]


@pytest.fixture
def fleet_page(signed_in: Callable[[str], Page]) -> Page:
    page = signed_in("reader")
    page.goto("/")
    page.wait_for_function("window.KyusuiFleetRows !== undefined")
    return page


def choose(page: Page, rows: list[list[Any]], **query: str) -> list[str]:
    q = {"area": "", "level": "", "state": "", "sort": "worst"} | query
    found: list[str] = page.evaluate(
        CHOOSE, [list(COMPACT_FIELDS), rows, q, NOW_MS, STALE_AFTER_MS, RANKS]
    )
    return found


def test_the_worst_station_comes_first_and_trouble_breaks_ties(fleet_page: Page) -> None:
    fleet = [
        compact("safe", 18.0),
        compact("danger", 31.0),
        compact("severe-online", 29.0),
        compact("severe-offline", 28.5, online=False),
        compact("nothing", None),
    ]
    assert choose(fleet_page, fleet) == [
        "danger",
        "severe-offline",
        "severe-online",
        "safe",
        "nothing",
    ]


def test_filters_by_area_level_and_state(fleet_page: Page) -> None:
    fleet = [
        compact("a", 31.0, area="naka"),
        compact("b", 26.0, area="kohoku", online=False),
        compact("c", None, area="kohoku"),
    ]
    assert choose(fleet_page, fleet, area="kohoku") == ["b", "c"]
    assert choose(fleet_page, fleet, level="danger") == ["a"]
    assert choose(fleet_page, fleet, level="none") == ["c"]
    assert choose(fleet_page, fleet, state="offline") == ["b"]
    assert choose(fleet_page, fleet, state="flagged") == []
    assert choose(fleet_page, fleet, sort="name") == ["a", "b", "c"]
    assert choose(fleet_page, fleet, sort="wbgt") == ["a", "b", "c"]
    assert choose(fleet_page, fleet, sort="age") == ["c", "a", "b"]


def test_flags_as_the_station_page_shows_them(fleet_page: Page) -> None:
    def flags(row: list[Any]) -> list[str]:
        found: list[str] = fleet_page.evaluate(
            FLAGS, [list(COMPACT_FIELDS), row, NOW_MS, STALE_AFTER_MS]
        )
        return found

    old = compact("x", 24.0, age_s=3600, quality="extrapolated", time_source="unsynced")
    assert flags(old) == ["stale", "unsynced", "extrapolated"]
    assert flags(compact("held", None, held_back=True)) == ["held_back"]
    assert flags(compact("broken", 24.0, quality="fault")) == ["fault"]
