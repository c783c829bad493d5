"""Staff switch an area into disaster mode from the console, see at a glance which of its
stations have not yet shown it, and withdraw it; a missing language is refused on its field
and a reader can look but not switch."""

import json
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from contract.content import emergency_id
from contract.languages import KIOSK_LANGS
from tests.console.conftest import ConsoleNetwork
from tests.kiosk.disaster_text import MESSAGE, SHELTERS


def fill_every_language(page: Page) -> None:
    for lang in KIOSK_LANGS:
        page.locator(f"#f-message_{lang}").fill(MESSAGE[lang])
        page.locator(f"#f-shelters_{lang}").fill("\n".join(s["name"][lang] for s in SHELTERS))


def test_staff_put_an_area_into_disaster_mode_and_see_who_has_not_confirmed_it(
    console: ConsoleNetwork,
    signed_in: Callable[[str], Page],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("staff")
    page.goto("/emergency")
    expect(page.locator(".alert-band.none")).to_have_text("災害モードの地域はありません。")
    page.get_by_label("対象").select_option("area:naka")
    fill_every_language(page)
    page.get_by_role("button", name="配信する").click()
    expect(page.locator("p.done")).to_contain_text("災害モードを配信しました")
    now = page.locator("article.disaster-now")
    expect(now.locator("h3")).to_have_text("地域 naka")
    expect(now).to_contain_text(MESSAGE["ja"])
    expect(now).to_contain_text("本町小学校、港中学校")
    expect(now.locator(".unconfirmed-count")).to_have_text("未確認 3 局 / 対象 3 局")
    expect(now.locator("tbody tr")).to_have_count(3)  # st-kohoku-01 is not in scope

    # One station's screen shows it: its receipt comes in through the broker and ingest.
    [state] = console.api("GET", "/api/v1/emergency").json()
    receipt = {
        "notice_id": emergency_id("naka"),
        "version": state["version"],
        "shown_at": time.time_ns() // 1_000_000,
        "duration_s": 30.0,
        "lang": "ja",
    }
    body = {"v": 1, "session": 1, "seq": 1, "receipts": [receipt]}
    console.publish_as("st-naka-02", "kyusui/v1/st/st-naka-02/receipts", json.dumps(body).encode())
    deadline = time.monotonic() + 20
    while console.api("GET", "/api/v1/emergency").json()[0]["unconfirmed"] != 2:
        assert time.monotonic() < deadline, "the receipt never reached the registry"
        time.sleep(0.2)
    page.reload()
    expect(now.locator(".unconfirmed-count")).to_have_text("未確認 2 局 / 対象 3 局")
    waiting = now.locator("tbody tr.waiting th .mono")
    expect(waiting).to_have_text(["st-naka-01", "st-naka-03"])  # the ones to look after first
    expect(now.locator("tbody tr.confirmed th .mono")).to_have_text("st-naka-02")
    axe(page)
    screenshots(page, "emergency")

    now.locator("summary", has_text="災害モードを撤回する").click()
    now.get_by_role("button", name="撤回する").click()
    expect(page.locator("p.done")).to_contain_text("災害モードを撤回しました")
    expect(page.locator("article.disaster-now")).to_have_count(0)
    assert console.api("GET", "/api/v1/emergency").json() == []


def test_a_language_left_empty_is_refused_on_its_field(
    signed_in: Callable[[str], Page], axe: Callable[[Page], None]
) -> None:
    page = signed_in("staff")
    page.goto("/emergency")
    fill_every_language(page)
    page.locator("#f-message_vi").fill("")
    page.locator("#f-shelters_ko").fill("혼초 초등학교")  # one shelter where the others list two
    page.get_by_role("button", name="配信する").click()
    expect(page.locator("#err-message_vi")).to_contain_text("すべての言語でメッセージが必要です")
    expect(page.locator("#err-shelters_ja")).to_contain_text("避難所の行数が言語によって違います")
    expect(page.locator("#f-message_ja")).to_have_value(MESSAGE["ja"])  # nothing typed is lost
    axe(page)


def test_a_reader_sees_disaster_mode_but_cannot_switch_it(
    signed_in: Callable[[str], Page],
) -> None:
    page = signed_in("reader")
    page.goto("/emergency")
    expect(page.get_by_role("heading", name="現在の状態")).to_be_visible()
    expect(page.get_by_role("button", name="配信する")).to_have_count(0)
    csrf = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert csrf
    forced = page.request.post(
        "/emergency", form={"csrf_token": csrf, "message_ja": "x"}, max_redirects=0
    )
    assert forced.status == 403
