"""Staff set and clear the heat alert in the console; everyone sees what is set, its
message, until when, and who set it."""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from contract.languages import KIOSK_LANGS
from tests.console.conftest import ConsoleNetwork, Login


def test_staff_set_the_alert_with_its_message_and_then_clear_it(
    console: ConsoleNetwork,
    signed_in: Callable[[str], Page],
    accounts: dict[str, Login],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("staff")
    page.goto("/heat-alert")
    page.get_by_label("熱中症特別警戒アラート").check()
    page.get_by_label("対象日").fill("2026-08-01")
    page.get_by_label("予想暑さ指数（WBGT）").fill("35.4")
    page.locator("#f-message_ja").fill("外出はできるだけ控え、<b>冷房</b>のある場所へ。")
    page.locator("#f-message_en").fill("Stay indoors in a cooled place if you can.")
    page.locator("#f-expires_at").fill("2099-08-01T23:00")
    page.get_by_role("button", name="発表する").click()
    expect(page.get_by_role("status")).to_contain_text("アラートを発表しました")
    now = page.locator("section.alert-now")
    expect(now.locator(".alert-band")).to_have_text("⚠ 熱中症特別警戒アラート")
    expect(now).to_contain_text("外出はできるだけ控え、<b>冷房</b>のある場所へ。")
    expect(now).to_contain_text("Stay indoors in a cooled place if you can.")
    expect(now).to_contain_text("2026-08-01")
    expect(now).to_contain_text("35.4")
    expect(now).to_contain_text("2099-08-01 23:00")
    expect(now).to_contain_text(accounts["staff"].login)
    axe(page)
    screenshots(page, "heat-alert")
    audit = console.api("GET", "/api/v1/audit", params={"limit": 20}).json()
    setting = next(e for e in audit if e["action"] == "heat_alert.set")
    assert setting["actor"] == accounts["staff"].login
    assert setting["target"] == "special_heatstroke_alert"

    page.get_by_role("button", name="アラートを解除する").click()
    expect(page.get_by_role("status")).to_contain_text("アラートを解除しました")
    expect(page.locator("section.alert-now .alert-band")).to_have_text(
        "発表中のアラートはありません。"
    )
    expect(page.get_by_role("button", name="アラートを解除する")).to_have_count(0)


def test_an_impossible_date_is_refused_on_its_field(
    signed_in: Callable[[str], Page], axe: Callable[[Page], None]
) -> None:
    page = signed_in("staff")
    page.goto("/heat-alert")
    page.locator("input[name=alert][value=heatstroke_alert]").check()
    page.locator("#f-valid_on").evaluate("e => { e.type = 'text'; e.value = '2026-02-30'; }")
    page.locator("#f-message_en").fill("English without Japanese")
    page.get_by_role("button", name="発表する").click()
    expect(page.locator("#err-valid_on")).to_contain_text("存在する日付")
    expect(page.locator("#err-message_ja")).to_contain_text("日本語のメッセージも必要です")
    axe(page)


def test_a_reader_sees_the_alert_but_cannot_set_it(signed_in: Callable[[str], Page]) -> None:
    page = signed_in("reader")
    page.goto("/heat-alert")
    expect(page.get_by_role("heading", name="現在の状態")).to_be_visible()
    expect(page.get_by_role("button", name="発表する")).to_have_count(0)
    expect(page.locator("form[action='/heat-alert']")).to_have_count(0)
    csrf = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert csrf
    forced = page.request.post(
        "/heat-alert", form={"csrf_token": csrf, "alert": "heatstroke_alert"}, max_redirects=0
    )
    assert forced.status == 403


def test_the_alert_form_works_with_the_keyboard_alone(signed_in: Callable[[str], Page]) -> None:
    page = signed_in("staff")
    page.goto("/heat-alert")
    page.locator("#f-valid_on").focus()
    page.keyboard.press("Shift+Tab")  # the alert kinds: arrows choose, as radio buttons do
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("熱中症特別警戒アラート")).to_be_checked()
    page.locator("#f-message_ja").focus()
    page.keyboard.type("キーボードで発表")
    for _ in KIOSK_LANGS:  # past the other languages' messages to the button
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("アラートを発表しました")
    expect(page.locator("section.alert-now")).to_contain_text("キーボードで発表")
    page.get_by_role("button", name="アラートを解除する").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("アラートを解除しました")
