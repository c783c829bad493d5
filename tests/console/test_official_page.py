"""Staff read the Ministry's word on the console's official-data page: today's flag 2
(特別警戒 judged, not issued) and tomorrow's alert in advance, the forecast, what the last
import could not use, and which station runs off the official value."""

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from contract.jst import JST
from contract.levels import level_for
from contract.messages import Reading
from server.official.importer import Importer
from server.official.site import (
    OfficialSite,
    alert_candidates,
    alert_path,
    forecast_path,
    observed_path,
)
from server.registry.db import Registry
from server.registry.official import RegistryMemory
from server.store.base import StationReadings
from server.store.sqlite import SqliteTimeSeries
from tests.console.conftest import ARTIFACTS, ConsoleNetwork
from tests.server.official.files import KANAGAWA, alert_csv, forecast_csv
from tests.server.official.fileserver import SiteFiles, official_site

SUNNY, SHADE = "st-official-sun", "st-official-shade"  # no area: no other test sees them
HOURS = 36


def official_value(at: datetime) -> float:
    return 26.0 + (4.0 if 10 <= at.hour <= 16 else 0.0) + 0.1 * (at.hour % 3)


def observed_files(end: datetime) -> dict[str, bytes]:
    """The month's observed file for 横浜 (two when the window starts last month), with the
    last ``HOURS`` hours filled in."""
    lines: dict[date, list[str]] = {}
    for i in range(HOURS, 0, -1):
        at = end - timedelta(hours=i - 1)  # the hour that ends at ``at``
        day, hour = (at - timedelta(hours=1)).date(), at.hour or 24
        month = day.replace(day=1)
        rows = lines.setdefault(month, ["Date,Time,46106"])
        rows.append(f"{day.year}/{day.month}/{day.day},{hour}:00,{official_value(at):.1f}")
    return {observed_path("46106", m): "\n".join(r).encode() for m, r in lines.items()}


def readings_off_by(end: datetime, offset: float) -> list[Reading]:
    readings = []
    for i in range(HOURS * 6):
        at = end - timedelta(hours=HOURS) + timedelta(minutes=10 * i + 5)
        wbgt = round(official_value(at.replace(minute=0) + timedelta(hours=1)) + offset, 1)
        ts = int(at.timestamp() * 1000)
        readings.append(Reading(ts=ts, temp_c=30.0, rh=60.0, wbgt=wbgt, level=level_for(wbgt)))
    return readings


@pytest.fixture(scope="module")
def imported(console: ConsoleNetwork) -> datetime:
    """One import pass into the console network's registry from a local file server, and
    two stations' readings of the last hours in its time series (one 2 °C high)."""
    now = datetime.now(JST)
    end = now.replace(minute=0, second=0, microsecond=0)
    files = SiteFiles()
    day, hour = alert_candidates(now)[0]
    flags = (2, 1) if day == now.date() else (0, 2)  # before 05:00: yesterday's 17:00 file
    text = alert_csv(day, f"{hour:02d}:00", [(*KANAGAWA, *flags)])
    files.files[alert_path(day, hour)] = text.encode()
    start = datetime.combine(now.date(), datetime.min.time(), JST) + timedelta(hours=3)
    values = [265, 280, 300, 332, 320, 300, 285, 270, 255, 265, 280, 295, 290, 280, 270, 260]
    files.files[forecast_path("46106")] = forecast_csv("46106", start, values).encode()
    files.files.update(observed_files(end))
    # 大阪's file comes back as an error page served with 200: kept, and shown to staff.
    files.files[observed_path("62078", now.date().replace(day=1))] = b"<html>503</html>"

    for station, lat, lon in ((SUNNY, 35.4437, 139.6380), (SHADE, 35.4440, 139.6390)):
        body = {"id": station, "name_ja": f"{station} 給水所", "latitude": lat, "longitude": lon}
        answer = console.api("POST", "/api/v1/stations", json=body)
        assert answer.status_code == 201, answer.text
    store = SqliteTimeSeries(console.network.workdir / "timeseries.sqlite")
    store.write_batch(
        [
            StationReadings(SUNNY, readings_off_by(end, +2.0)),
            StationReadings(SHADE, readings_off_by(end, 0.0)),
        ]
    )
    store.close()
    registry = Registry(f"sqlite:///{console.network.workdir / 'registry.sqlite'}")
    with official_site(files) as url:
        site = OfficialSite(url, attempts=1, sleep=lambda _: None)
        Importer(
            site,
            RegistryMemory(registry),
            lambda alert, official: None,
            point="46106",
            area="140000",
            observed_points=("62078",),
        ).run()
        site.close()
    registry.close()
    return now


def test_staff_see_the_official_flags_forecast_import_problems_and_biased_stations(
    imported: datetime,
    signed_in: Callable[[str], Page],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("reader")
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="公式データ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("公式の暑さ指数データ（環境省）")

    flags = page.locator("table.flags")
    today_row = flags.locator("tbody tr").nth(0)
    expect(today_row).to_contain_text("判定（未発表・職員のみ）")
    expect(today_row).to_contain_text("変更しない")  # flag 2 sets nothing on the screens
    expect(page.locator("#judged-today")).to_contain_text("まだ発表されていません")
    if alert_candidates(imported)[0][0] == imported.date():
        expect(flags.locator("tbody tr").nth(1)).to_contain_text("熱中症警戒アラート")
        expect(page.locator("#tomorrow-ahead")).to_contain_text(
            "明日の発表状況：熱中症警戒アラート"
        )

    forecast = page.locator("ul.forecast-days li").first
    expect(forecast).to_contain_text("今日")
    expect(forecast.locator(".value")).to_have_text("33.2")
    expect(forecast).to_contain_text("危険")

    problems = page.locator("ul.problems")
    expect(problems).to_contain_text("読めない内容")
    expect(problems).to_contain_text("wbgt_62078_")
    expect(problems).to_contain_text("html")

    sunny = page.locator(f"#cmp-{SUNNY}")
    expect(sunny).to_contain_text("+2.0 ℃")
    expect(sunny).to_contain_text("ずれあり")
    expect(sunny).to_contain_text("横浜")
    expect(page.locator(f"#cmp-{SHADE}")).to_contain_text("問題なし")
    expect(page.locator("p.attribution")).to_have_text("出典：環境省熱中症予防情報サイト")
    axe(page)
    screenshots(page, "official")

    page.goto("/lang/en?next=/official")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Official heat data (Ministry of the Environment)"
    )
    expect(page.locator(f"#cmp-{SUNNY}")).to_contain_text("off")
    axe(page)
    page.goto("/lang/ja?next=/official")

    # The station's own page says it too, and links to the comparison of all stations.
    page.goto(f"/stations/{SUNNY}")
    check = page.locator("#official-check")
    expect(check).to_contain_text("公式値との比較")
    expect(check).to_contain_text("ずれあり")
    expect(check).to_contain_text("+2.0 ℃")
    expect(check).to_contain_text("横浜（46106）")
    axe(page)
    check.scroll_into_view_if_needed()
    check.screenshot(path=str(ARTIFACTS / "official-station-check.png"))
