"""The fleet page: every station, worst first, filters, the map, and live updates."""

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.console.conftest import ConsoleNetwork
from tests.console.readings import health, now_ms, status, telemetry, topic


def report(console: ConsoleNetwork, station: str, wbgt: float, area: str = "naka") -> None:
    console.publish_as(station, topic(station, "status"), status(area=area))
    console.publish_as(
        station, topic(station, "telemetry"), telemetry((now_ms(), 30.0, 60.0, wbgt))
    )


def test_a_published_reading_appears_without_a_reload(
    signed_in: Callable[[str], Page],
    console: ConsoleNetwork,
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("staff")
    page.goto("/")
    expect(page.locator("body[data-sse='open']")).to_have_count(1)
    page.evaluate("window.kyusuiNotReloaded = true")
    row = page.locator("tr[data-station='st-naka-02']")
    report(console, "st-naka-02", 31.4)
    expect(row.get_by_text("危険")).to_be_visible()
    expect(row.locator("td").nth(1)).to_have_text("31.4")
    expect(row.get_by_text("オンライン")).to_be_visible()
    assert page.evaluate("window.kyusuiNotReloaded") is True
    # The most dangerous station comes first, and the map draws it in its level's colour.
    expect(page.locator("#fleet-rows tr").first).to_have_attribute("data-station", "st-naka-02")
    expect(page.locator("#fleet-map")).to_have_attribute(
        "data-stations", re.compile(r"st-naka-02:danger:true")
    )
    axe(page)
    screenshots(page, "fleet")
    # The station's will arrives (it dropped off the network): offline, still no reload.
    console.publish_as("st-naka-02", topic("st-naka-02", "status"), status("offline"))
    expect(row.get_by_text("オフライン")).to_be_visible()
    expect(page.locator("#fleet-map")).to_have_attribute(
        "data-stations", re.compile(r"st-naka-02:danger:false")
    )
    assert page.evaluate("window.kyusuiNotReloaded") is True


def test_outbox_depth_and_flags_are_shown(
    signed_in: Callable[[str], Page], console: ConsoleNetwork
) -> None:
    station = "st-kohoku-01"
    console.publish_as(station, topic(station, "status"), status(area="kohoku"))
    console.publish_as(station, topic(station, "health"), health(outbox_depth=42))
    old = now_ms() - 3600_000
    console.publish_as(station, topic(station, "telemetry"), telemetry((old, 24.0, 50.0, 22.0)))
    page = signed_in("reader")
    page.goto("/?area=kohoku")
    row = page.locator(f"tr[data-station='{station}']")
    expect(row.get_by_text("注意")).to_be_visible()
    expect(row.get_by_text("データが古い")).to_be_visible()
    expect(row.locator("td").last).to_have_text("42")


def test_filters_work_with_the_keyboard_alone(
    signed_in: Callable[[str], Page], console: ConsoleNetwork
) -> None:
    report(console, "st-kohoku-01", 20.0, area="kohoku")
    page = signed_in("reader")
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link first
    expect(page.get_by_role("link", name="本文へ移動")).to_be_focused()
    area = page.get_by_label("地区")
    while not area.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    area.select_option("kohoku")  # what arrow keys do on a focused select
    for _ in range(4):  # level, state, sort, then the button
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="表示")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/\?area=kohoku&"))
    expect(page.locator("#fleet-rows tr")).to_have_count(1)
    expect(page.locator("#fleet-rows tr").first).to_have_attribute("data-station", "st-kohoku-01")


# Every fleet change the page was handed, as the station ids of each batch.
RECORD_CHANGES = """
window.kyusuiChanges = [];
document.addEventListener("kyusui:fleet-changes", (e) => {
  window.kyusuiChanges.push(e.detail.rows.map((row) => row[0]));
});
"""


def test_the_page_loads_the_compact_view_once_then_only_what_changed(
    signed_in: Callable[[str], Page], console: ConsoleNetwork
) -> None:
    # A station only these tests publish for (an agent's later session would outrank them).
    station = "st-naka-02"
    page = signed_in("staff")
    page.add_init_script(RECORD_CHANGES)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto("/")
    expect(page.locator("body[data-sse='open']")).to_have_count(1)
    # The stream's first answer is what changed since the compact view's cursor.
    page.wait_for_function("window.kyusuiChanges.length >= 1")
    page.evaluate("window.kyusuiChanges = []")
    page.evaluate("window.kyusuiNotReloaded = true")
    report(console, station, 29.3)
    row = page.locator(f"tr[data-station='{station}']")
    expect(row.locator("td").nth(1)).to_have_text("29.3")
    expect(row.get_by_text("厳重警戒")).to_be_visible()
    assert page.evaluate("window.kyusuiNotReloaded") is True

    fleet = [u for u in asked if "/api/v1/stations" in u]
    assert len(fleet) == 1, fleet
    assert "view=compact" in fleet[0]
    streams = [u for u in asked if "/events" in u]
    assert streams, "the page follows the change feed"
    assert all("fleet=true&since=" in u for u in streams), streams
    pages = [u for u in asked if u.rstrip("/") == console.url]
    assert len(pages) == 1, "the page itself is fetched once"
    # Only the station that published came down the stream (and any running agent).
    changed = {sid for batch in page.evaluate("window.kyusuiChanges") for sid in batch}
    assert station in changed
    assert changed <= {station, *console.started_agents}, changed


def test_the_table_is_in_english_with_jst_times_when_english_is_chosen(
    signed_in: Callable[[str], Page], console: ConsoleNetwork
) -> None:
    report(console, "st-kohoku-01", 22.5, area="kohoku")
    page = signed_in("reader")
    page.goto("/lang/en?next=/%3Farea%3Dkohoku")
    row = page.locator("tr[data-station='st-kohoku-01']")
    expect(row.get_by_role("link", name="Tsunashima Station")).to_be_visible()
    expect(row.get_by_text("Online")).to_be_visible()
    when = row.locator("time")
    expect(when).to_have_attribute("datetime", re.compile(r"\+09:00$"))
    expect(page.locator("#fleet-total")).to_have_text(re.compile(r"4 stations"))
