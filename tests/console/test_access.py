"""Roles and CSRF: a reader sees no write control and a forced write is refused;
a signed-in POST without the CSRF token is refused."""

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.console.conftest import ConsoleNetwork
from tests.console.readings import health, status, topic

STATION = "st-naka-03"


def csrf_of(page: Page) -> str:
    value = page.locator("input[name='csrf_token']").first.get_attribute("value")
    assert value, "the page carries no CSRF token"
    return value


def test_a_reader_sees_no_write_control_and_a_forced_write_is_refused(
    signed_in: Callable[[str], Page], console: ConsoleNetwork
) -> None:
    console.publish_as(STATION, topic(STATION, "status"), status())
    console.publish_as(STATION, topic(STATION, "health"), health(clock_synced=False))
    page = signed_in("reader")
    page.goto(f"/stations/{STATION}")
    expect(page.locator("#registry dl")).to_contain_text("本町小学校前 給水所")
    writes = page.locator("main form[method='post']")
    expect(writes).to_have_count(0)
    page.goto("/alerts")
    expect(page.get_by_text("時刻が同期されていません").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("確認した"))).to_have_count(0)
    token = csrf_of(page)  # the sign-out form's: a reader may sign out, nothing else
    edit = page.request.post(
        f"/stations/{STATION}", form={"csrf_token": token, "name_ja": "書き換え"}
    )
    assert edit.status == 403, edit.text()
    alert_id = console.api("GET", "/api/v1/alerts", params={"station": STATION}).json()[0]["id"]
    ack = page.request.post(f"/alerts/{alert_id}/ack", form={"csrf_token": token})
    assert ack.status == 403, ack.text()
    api = page.request.post(f"/api/v1/alerts/{alert_id}/ack", headers={"X-CSRF-Token": token})
    assert api.status == 403, api.text()
    assert console.api("GET", f"/api/v1/stations/{STATION}").json()["name_ja"] != "書き換え"


def test_a_post_without_the_csrf_token_is_refused(
    signed_in: Callable[[str], Page], console: ConsoleNetwork
) -> None:
    page = signed_in("staff")
    page.goto(f"/stations/{STATION}")
    refused = page.request.post(f"/stations/{STATION}", form={"name_ja": "CSRF なし"})
    assert refused.status == 403, refused.text()
    wrong = page.request.post(
        f"/stations/{STATION}", form={"name_ja": "CSRF 違い", "csrf_token": "forged"}
    )
    assert wrong.status == 403, wrong.text()
    assert (
        console.api("GET", f"/api/v1/stations/{STATION}").json()["name_ja"] == "本町小学校前 給水所"
    )
    # With its token the same form works, and the new name shows.
    page.get_by_label("名前（英語）").fill("Honcho Elementary School")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").filter(has_text="保存")).to_have_text("保存しました。")
    assert console.api("GET", f"/api/v1/stations/{STATION}").json()["name_en"] == (
        "Honcho Elementary School"
    )
