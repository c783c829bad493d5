"""A station's page: charts from the history, health, CSV export, registry edits."""

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.console.conftest import ConsoleNetwork
from tests.console.readings import health, now_ms, status, telemetry, topic

STATION = "st-naka-01"


def feed_a_day(console: ConsoleNetwork, station: str = STATION) -> None:
    """A day of readings every 10 minutes, rising into 厳重警戒 in the afternoon."""
    now = now_ms()
    values = [
        (now - i * 600_000, 26.0 + (i % 30) / 5, 60.0, 22.0 + (i % 40) / 5) for i in range(144)
    ]
    console.publish_as(station, topic(station, "status"), status())
    console.publish_as(station, topic(station, "telemetry"), telemetry(*values))
    console.publish_as(station, topic(station, "health"), health(outbox_depth=3, cpu_temp_c=51.5))


def test_the_station_page_draws_its_charts_and_exports_csv(
    signed_in: Callable[[str], Page],
    console: ConsoleNetwork,
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    feed_a_day(console)
    page = signed_in("staff")
    page.goto(f"/stations/{STATION}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("中区役所前 給水所")
    charts = page.locator("#charts")
    expect(charts).to_have_attribute("data-drawn", re.compile(r"^14[45]$"))
    expect(page.locator("#chart-wbgt canvas")).to_have_count(1)
    expect(page.locator("#chart-temp canvas")).to_have_count(1)
    expect(page.get_by_text("CPU 温度（℃）")).to_be_visible()
    page.get_by_role("button", name="7 日").click()
    expect(page.get_by_role("button", name="7 日")).to_have_attribute("aria-pressed", "true")
    expect(charts).to_have_attribute("data-drawn", re.compile(r"^2[45]$"))  # hourly now
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV をダウンロード").click()
    saved = download.value
    assert saved.suggested_filename.startswith(f"kyusui-{STATION}-")
    lines = Path(saved.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "time,temp_c,rh,wbgt,level,quality,time_source"
    assert len(lines) > 100
    axe(page)
    screenshots(page, "station")


def test_the_station_page_works_by_keyboard(
    signed_in: Callable[[str], Page], console: ConsoleNetwork
) -> None:
    feed_a_day(console)
    page = signed_in("staff")
    page.goto(f"/stations/{STATION}")
    expect(page.locator("#charts")).to_have_attribute("data-drawn", re.compile(r"^14[45]$"))
    month = page.get_by_role("button", name="30 日")
    while not month.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(month).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#chart-status")).to_contain_text("期間中の最高 WBGT")
    # The registry form: tab into the English name, type, and submit with Enter.
    english = page.get_by_label("名前（英語）")
    while not english.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("Naka Ward Office (main gate)")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="保存しました。")).to_be_visible()
    assert console.api("GET", f"/api/v1/stations/{STATION}").json()["name_en"] == (
        "Naka Ward Office (main gate)"
    )
    console.api("PATCH", f"/api/v1/stations/{STATION}", json={"name_en": "Naka Ward Office"})
