"""Commands from the station page reach the real agent and its answer shows inline."""

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.console.conftest import ConsoleNetwork
from tests.console.readings import now_ms
from tests.e2e.helpers import epoch_ms, wait_for

STATION = "st-naka-03"


def reading_after(console: ConsoleNetwork, ms: int) -> bool | None:
    latest = console.api("GET", f"/api/v1/stations/{STATION}").json().get("latest")
    return True if latest and epoch_ms(latest["time"]) >= ms else None


def test_identify_reaches_the_agent_and_its_answer_shows(
    signed_in: Callable[[str], Page], console: ConsoleNetwork
) -> None:
    started = now_ms()
    console.start_agent(STATION)
    try:
        # No test publishes readings for this station: the first one is the agent's own, so
        # the agent is connected and subscribed to its commands.
        wait_for("the agent's first reading", lambda: reading_after(console, started), 30)
        page = signed_in("staff")
        page.goto(f"/stations/{STATION}")
        page.get_by_role("button", name="識別（LED を点滅）").click()
        result = page.get_by_role("status").filter(has_text="識別")
        expect(result).to_contain_text("完了: 識別（LED を点滅）: blinking for", timeout=20_000)
        audit: list[dict[str, Any]] = console.api("GET", "/api/v1/audit").json()
        assert any(
            e["action"] == "station.command"
            and e["target"] == STATION
            and e["detail"] == "identify"
            for e in audit
        )
    finally:
        console.stop_agent(STATION)
