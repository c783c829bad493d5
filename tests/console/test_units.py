"""The console's pure parts: flags, safe redirects, catalogues, CSP (the fleet's order and
filters run in the browser: tests/console/test_fleet_rows.py)."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from contract.jst import JST
from contract.levels import Level, level_for
from contract.messages import Quality, TimeSource
from server.api.schemas import ReadingOut, StationOut
from server.console.access import safe_next
from server.console.csp import console_policy
from server.console.fleet_view import Flag, Row, row_of
from server.console.i18n import LANGS, Catalogues, catalog_path

NOW = datetime(2026, 8, 1, 14, 0, tzinfo=JST)
NOW_MS = int(NOW.timestamp() * 1000)
TEMPLATES = Path(__file__).resolve().parents[2] / "server" / "console" / "templates"


def station(
    sid: str,
    wbgt: float | None,
    *,
    online: bool = True,
    area: str = "naka",
    age_s: int = 30,
    quality: Quality = Quality.OK,
    time_source: TimeSource = TimeSource.SYNCED,
) -> StationOut:
    latest = None
    if wbgt is not None:
        latest = ReadingOut(
            time=NOW - timedelta(seconds=age_s),
            temp_c=30.0,
            rh=60.0,
            wbgt=wbgt,
            level=level_for(wbgt),
            quality=quality,
            time_source=time_source,
        )
    return StationOut(id=sid, name=sid, area=area, last_seen=None, online=online, latest=latest)


def rows(*stations: StationOut) -> list[Row]:
    return [row_of(s, None, NOW_MS, 300) for s in stations]


def test_a_station_holding_its_readings_back_says_so_before_its_first_reading() -> None:
    held = station("held", None).model_copy(update={"held_back": True})
    (row,) = rows(held)
    assert row.flags == (Flag.HELD_BACK,)


def test_quality_flags() -> None:
    (row,) = rows(
        station(
            "x", 24.0, age_s=3600, quality=Quality.EXTRAPOLATED, time_source=TimeSource.UNSYNCED
        )
    )
    assert row.flags == (Flag.STALE, Flag.UNSYNCED, Flag.EXTRAPOLATED)
    assert row.level is not None
    assert row.level.level is Level.CAUTION


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/stations/a?x=1", "/stations/a?x=1"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
    ],
)
def test_after_sign_in_only_paths_on_this_site(given: str, expected: str) -> None:
    assert safe_next(given) == expected


def test_the_page_policy_allows_no_other_host_unless_a_tile_server_is_set() -> None:
    assert "https:" not in console_policy("")
    assert "script-src 'self';" in console_policy("")
    tiles = console_policy("https://tiles.ward.example/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://tiles.ward.example;" in tiles


def test_every_message_a_template_uses_exists_in_japanese_and_english() -> None:
    catalogues = Catalogues()
    used: set[str] = set()
    for template in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"""_\(\s*["']([a-z0-9_.]+)["']""", template.read_text()))
    used = {key for key in used if not key.endswith(".")}  # prefixes completed at run time
    for lang in LANGS:
        missing = sorted(k for k in used if k not in catalogues.messages[lang])
        assert not missing, f"{catalog_path(lang)} lacks {missing}"
    assert set(catalogues.messages["en"]) == set(catalogues.messages["ja"])
