"""Staff write, check, publish and withdraw notices in the console, and see which screens
showed them — through the real API, broker, ingest and a real station agent."""

import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Dialog, Page, expect

from localstate import NoticeView, open_local_state
from localstate.model import ShownNotice
from server.console.notice_preview import CARD_H, CARD_W
from tests.console.conftest import CONSOLE_STATIONS, ConsoleNetwork
from tests.e2e.helpers import wait_for

NAKA_01, NAKA_02, KOHOKU_01 = CONSOLE_STATIONS[:3]
NAKA = [s for s in CONSOLE_STATIONS if s.area == "naka"]
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>[b]x[/b]'


def state_dir(console: ConsoleNetwork, station_id: str) -> Path:
    return console.network.workdir / "stations" / station_id


def notices_on(console: ConsoleNetwork, station_id: str) -> dict[str, NoticeView]:
    """What the station's kiosk would show: the notices in its local state (none while the
    agent has not built its file yet)."""
    try:
        opened = open_local_state(state_dir(console, station_id), create=False)
    except sqlite3.Error:
        return {}
    try:
        return {n.notice_id: n for n in opened.state.snapshot().notices}
    except sqlite3.Error:
        return {}
    finally:
        opened.state.close()


def kiosk_shows(console: ConsoleNetwork, station_id: str, receipt: ShownNotice) -> None:
    """The kiosk's side of the local state: it showed a notice and writes its receipt."""
    opened = open_local_state(state_dir(console, station_id), create=False)
    try:
        opened.state.record_receipt(receipt)
    finally:
        opened.state.close()


def write_notice(page: Page, title_ja: str, title_en: str, area: str) -> str:
    """Fill in the editor and publish; the new notice's id from the page it lands on."""
    page.goto("/notices/-/new")
    page.locator("#f-title_ja").fill(title_ja)
    page.locator("#f-body_ja").fill("水分をこまめにとりましょう。")
    if title_en:
        page.locator("#f-title_en").fill(title_en)
        page.locator("#f-body_en").fill("Drink water often.")
    page.get_by_label("一つの地区").check()
    page.locator("#f-target_area").select_option(area)
    page.get_by_role("button", name="配信する").click()
    expect(page.get_by_role("status")).to_contain_text("配信しました")
    match = re.search(r"/notices/([^/?]+)\?done=published$", page.url)
    assert match, page.url
    return match.group(1)


def test_a_notice_written_in_the_editor_reaches_the_station_and_its_receipt_comes_back(
    console: ConsoleNetwork,
    signed_in: Callable[[str], Page],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    console.start_agent(NAKA_01.id)
    page = signed_in("staff")
    title = {"ja": "中区の夏祭り会場に給水所があります", "en": "Water at the festival"}
    notice_id = write_notice(page, title["ja"], title["en"], "naka")
    notice = wait_for(
        "the notice in the station's local state",
        lambda: notices_on(console, NAKA_01.id).get(notice_id),
        timeout_s=30,
    )
    assert notice.title == {
        "ja": "中区の夏祭り会場に給水所があります",
        "en": "Water at the festival",
    }
    assert notice.body == {"ja": "水分をこまめにとりましょう。", "en": "Drink water often."}

    # Both naka stations are waiting until a screen reports showing it; kohoku is not targeted.
    waiting = page.get_by_role("table").filter(has_text="まだ一度も表示していません")
    for spec in NAKA:
        expect(waiting.get_by_role("link", name=spec.name_ja)).to_be_visible()
    expect(page.get_by_text(KOHOKU_01.name_ja)).to_have_count(0)

    shown_at = int(time.time() * 1000)
    kiosk_shows(console, NAKA_01.id, ShownNotice(notice_id, notice.version, shown_at, 12.0, "en"))

    def receipt_on_the_page() -> bool | None:
        page.reload()
        rows = page.locator("table.receipts tbody tr").filter(has_text=NAKA_01.name_ja)
        return True if rows.count() == 1 else None

    wait_for("the receipt on the notice's page", receipt_on_the_page, timeout_s=30)
    row = page.locator("table.receipts tbody tr").filter(has_text=NAKA_01.name_ja)
    expect(row).to_contain_text("12 秒")
    expect(row).to_contain_text("English")
    expect(row).to_contain_text("現在の版")
    waiting = page.locator("section", has=page.get_by_role("heading", name=re.compile("まだ表示")))
    expect(waiting.get_by_role("heading")).to_contain_text(f"（{len(NAKA) - 1}）")
    expect(waiting.get_by_role("link", name=NAKA_02.name_ja)).to_be_visible()
    expect(waiting.get_by_role("link", name=NAKA_01.name_ja)).to_have_count(0)
    axe(page)
    screenshots(page, "notice")
    page.goto("/notices")
    expect(page.get_by_role("link", name=title["ja"])).to_be_visible()
    axe(page)
    screenshots(page, "notices")

    # A change is a new version: the station gets it, and counts as waiting until it shows it.
    page.get_by_role("link", name=title["ja"]).click()
    page.get_by_role("link", name="変更する").click()
    expect(page.get_by_text("配信先は変更できません", exact=False)).to_be_visible()
    page.locator("#f-title_en").fill("Water at the summer festival")
    page.get_by_role("button", name="変更を配信する").click()
    expect(page.get_by_role("status")).to_contain_text("変更を配信しました")
    changed = wait_for(
        "the new version in the station's local state",
        lambda: (
            (n := notices_on(console, NAKA_01.id).get(notice_id))
            and (n if n.version > notice.version else None)
        ),
        timeout_s=30,
    )
    assert changed.title["en"] == "Water at the summer festival"
    waiting = page.locator("section", has=page.get_by_role("heading", name=re.compile("まだ表示")))
    expect(waiting.get_by_role("heading")).to_contain_text(f"（{len(NAKA)}）")
    older = waiting.get_by_role("row").filter(has_text=NAKA_01.name_ja)
    expect(older).to_contain_text(f"前の版（{notice.version}）を表示")

    page.get_by_text("取り下げる…").click()
    page.get_by_role("button", name="取り下げる", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("取り下げました")
    expect(page.locator(".status-withdrawn").first).to_be_visible()
    wait_for(
        "the notice to leave the station",
        lambda: True if notice_id not in notices_on(console, NAKA_01.id) else None,
        timeout_s=30,
    )


def test_markup_in_a_title_is_shown_as_text_in_the_console_the_preview_and_the_api(
    console: ConsoleNetwork,
    signed_in: Callable[[str], Page],
) -> None:
    page = signed_in("staff")
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    notice_id = write_notice(page, HOSTILE, HOSTILE, "kohoku")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE)
    for card in page.locator(".kiosk-card .k-title").all():
        expect(card).to_have_text(HOSTILE)
    page.goto("/notices")
    expect(page.get_by_role("link", name=HOSTILE)).to_be_visible()
    page.goto(f"/notices/{notice_id}/edit")
    expect(page.locator("#f-title_ja")).to_have_value(HOSTILE)
    page.get_by_role("button", name="プレビュー").click()
    expect(page.locator(".kiosk-card .k-title").first).to_have_text(HOSTILE)
    assert page.locator("img").count() == 0
    assert page.locator("main script").count() == 0
    assert dialogs == []
    answer = console.api("GET", f"/api/v1/notices/{notice_id}")
    assert answer.json()["title"] == {"ja": HOSTILE, "en": HOSTILE}
    console.api("POST", f"/api/v1/notices/{notice_id}/withdraw")


def test_mistakes_are_shown_next_to_their_fields_in_japanese_and_in_english(
    signed_in: Callable[[str], Page],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("staff")
    page.goto("/notices/-/new")
    page.locator("#f-title_en").fill("English only")
    page.locator("#f-starts_at").fill("2026-08-01T12:00")
    page.locator("#f-ends_at").fill("2026-08-01T09:00")
    page.get_by_label("一つのステーション").check()
    page.get_by_role("button", name="配信する").click()
    expect(page.locator("#err-title_ja")).to_have_text("日本語の見出しを入力してください。")
    expect(page.locator("#err-ends_at")).to_have_text("掲示終了は掲示開始より後にしてください。")
    expect(page.locator("#err-target")).to_contain_text("ステーションを選んでください")
    expect(page.locator("#f-title_ja")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-title_en")).to_have_value("English only")  # nothing typed is lost
    axe(page)
    screenshots(page, "notice-editor-errors")
    page.get_by_role("link", name="English").click()
    page.goto("/notices/-/new")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#err-title_ja")).to_have_text("Enter a Japanese title.")


def test_the_preview_shows_each_screen_language_and_what_it_falls_back_to(
    signed_in: Callable[[str], Page],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("staff")
    page.goto("/notices/-/new")
    page.locator("#f-title_ja").fill("きょうは とても あつい です")
    page.locator("#f-body_ja").fill(
        "暑さ指数が高くなっています。こまめに水分をとり、すずしい場所で休みましょう。"
        "給水所では冷たい水を無料で提供しています。"
    )
    page.locator("#f-title_en").fill("It is very hot today")
    page.locator("#f-body_en").fill("Drink water often and rest in a cool place.")
    # The preview follows the typing, without a click…
    live = page.locator("#live-preview[data-live='1'] .preview")
    expect(live).to_have_count(6)
    expect(live.nth(2).locator(".k-title")).to_have_text("It is very hot today")
    # …and the button shows the same without script.
    page.get_by_role("button", name="プレビュー").click()
    cards = page.locator(".preview")
    expect(cards).to_have_count(6)
    expect(cards.nth(1)).to_contain_text("やさしい日本語")
    expect(cards.nth(1).locator(".fallback")).to_contain_text("日本語")
    expect(cards.nth(3).locator(".fallback")).to_contain_text("English")
    expect(cards.nth(3).locator(".k-title")).to_have_text("It is very hot today")
    box = cards.nth(0).locator(".kiosk-card").bounding_box()
    assert box is not None
    assert (round(box["width"]), round(box["height"])) == (CARD_W, CARD_H)
    axe(page)
    screenshots(page, "notice-preview")


def test_a_reader_sees_no_write_control_and_a_forced_write_is_refused(
    console: ConsoleNetwork, signed_in: Callable[[str], Page], axe: Callable[[Page], None]
) -> None:
    staff = signed_in("staff")
    notice_id = write_notice(staff, "読むだけの人にも見えるお知らせ", "", "naka")
    page = signed_in("reader")
    page.goto("/notices")
    expect(page.get_by_role("link", name="読むだけの人にも見えるお知らせ")).to_be_visible()
    expect(page.get_by_role("link", name="お知らせを作成")).to_have_count(0)
    axe(page)
    page.goto(f"/notices/{notice_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("読むだけの人にも見えるお知らせ")
    expect(page.get_by_role("link", name="変更する")).to_have_count(0)
    expect(page.get_by_text("取り下げる…")).to_have_count(0)
    csrf = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert csrf
    assert page.request.get("/notices/-/new").status == 403
    previewed = page.request.post("/notices/-/preview", form={"csrf_token": csrf, "title_ja": "x"})
    assert previewed.status == 403
    forced = page.request.post(
        f"/notices/{notice_id}/withdraw", form={"csrf_token": csrf}, max_redirects=0
    )
    assert forced.status == 403
    created = page.request.post(
        "/notices", form={"csrf_token": csrf, "title_ja": "x"}, max_redirects=0
    )
    assert created.status == 403
    without_token = staff.request.post(f"/notices/{notice_id}/withdraw", max_redirects=0)
    assert without_token.status == 403
    assert console.api("GET", f"/api/v1/notices/{notice_id}").json()["withdrawn"] is False
    console.api("POST", f"/api/v1/notices/{notice_id}/withdraw")


def test_the_editor_works_with_the_keyboard_alone(signed_in: Callable[[str], Page]) -> None:
    page = signed_in("staff")
    page.goto("/notices")

    def tab_to(predicate: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => {{ const e = document.activeElement; return {predicate}; }}"):
                return
        raise AssertionError(f"the keyboard never reached {predicate}")

    tab_to("e.textContent.trim() === 'お知らせを作成'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/notices/-/new$"))
    tab_to("e.id === 'f-title_ja'")
    page.keyboard.type("キーボードだけで書いたお知らせ")
    tab_to("e.value === 'preview'")
    page.keyboard.press("Enter")
    expect(page.locator(".kiosk-card .k-title").first).to_have_text(
        "キーボードだけで書いたお知らせ"
    )
    tab_to("e.value === 'publish'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("配信しました")
    notice_id = page.url.split("/notices/")[1].split("?")[0]
    page.goto(f"/notices/{notice_id}")
    tab_to("e.textContent.trim() === '取り下げる…'")
    page.keyboard.press("Enter")
    tab_to("e.textContent.trim() === '取り下げる'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("取り下げました")
