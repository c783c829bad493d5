"""The alerts inbox: acknowledging an alert takes it out of the inbox and the header count."""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.console.conftest import ConsoleNetwork
from tests.console.readings import health, status, topic
from tests.e2e.helpers import wait_for

STATION = "st-naka-03"


def inbox_count(console: ConsoleNetwork, kind: str) -> int | None:
    """How many open alerts await acknowledgement, once one of ``kind`` is among them here."""
    open_alerts = console.api("GET", "/api/v1/alerts").json()
    waiting = [a for a in open_alerts if a["acknowledged_at"] is None]
    ours = [a for a in waiting if a["station_id"] == STATION and a["kind"] == kind]
    return len(waiting) if ours else None


def test_acknowledging_an_alert_clears_it_from_the_inbox(
    signed_in: Callable[[str], Page],
    console: ConsoleNetwork,
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("staff")
    page.goto("/alerts")
    count = page.locator("#alert-count")
    console.publish_as(STATION, topic(STATION, "status"), status())
    console.publish_as(STATION, topic(STATION, "health"), health(sensor_state="no_response"))
    waiting = wait_for("the sensor-fault alert", lambda: inbox_count(console, "sensor_fault"))
    # The header's count follows without a reload; the inbox shows the alert after one.
    expect(count).to_have_text(str(waiting))
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
    expect(count).to_have_text(str(waiting - 1))
