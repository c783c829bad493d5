"""The alerts inbox: acknowledging an alert takes it out of the inbox and the header count."""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.console.conftest import ConsoleNetwork
from tests.console.readings import health, status, topic

STATION = "st-naka-03"


def test_acknowledging_an_alert_clears_it_from_the_inbox(
    signed_in: Callable[[str], Page],
    console: ConsoleNetwork,
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("staff")
    page.goto("/alerts")
    count = page.locator("#alert-count")
    before = int(count.inner_text() or "0")
    console.publish_as(STATION, topic(STATION, "status"), status())
    console.publish_as(STATION, topic(STATION, "health"), health(sensor_state="no_response"))
    # The header's count follows without a reload; the inbox shows the alert after one.
    expect(count).to_have_text(str(before + 1))
    page.reload()
    inbox = page.locator("section[aria-labelledby='inbox-title']")
    row = inbox.locator("tr", has_text="センサーの故障").filter(has_text="本町小学校前")
    expect(row).to_have_count(1)
    axe(page)
    screenshots(page, "alerts")
    row.get_by_role("button", name="確認した").focus()
    page.keyboard.press("Enter")  # by keyboard alone
    expect(page).to_have_url(f"{console.url}/alerts")
    expect(inbox.locator("tr", has_text="本町小学校前")).to_have_count(0)
    acked = page.locator("section[aria-labelledby='acked-title']")
    expect(acked.locator("tr", has_text="本町小学校前")).to_contain_text("test-staff が確認")
    expect(count).to_have_text(str(before))
