"""Staff keep the places to cool down in the console: add one in every kiosk language, see
it listed, fix a mistake the form points at, change it and remove it; each save publishes
the scope's signed list."""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from contract.languages import KIOSK_LANGS
from devnet.places import NAKA_PLACES
from tests.console.conftest import ConsoleNetwork


def fill_place(page: Page) -> None:
    library = NAKA_PLACES[1]  # 横浜市中央図書館
    page.locator("#f-id").fill("central-library")
    page.locator("#f-kind").select_option("cooling_shelter")
    for lang in KIOSK_LANGS:
        page.locator(f"#f-name_{lang}").fill(library.name[lang])
    page.locator("#f-latitude").fill(str(library.latitude))
    page.locator("#f-longitude").fill(str(library.longitude))
    page.locator("#f-address").fill(library.address or "")
    for offer in ("冷房", "トイレ", "バリアフリー"):
        page.get_by_label(offer, exact=True).check()
    page.get_by_label("熱中症特別警戒アラートの発表中は開く").check()
    for day in ("#f-hours_tue", "#f-hours_wed", "#f-hours_thu", "#f-hours_fri"):
        page.locator(day).fill("09:30-20:30")
    page.locator("#f-hours_sat").fill("09:30-17:00")
    page.locator("#f-closed_dates").fill("2026-07-13, 2026-08-10")


def test_staff_add_change_and_remove_a_cooling_shelter(
    console: ConsoleNetwork,
    signed_in: Callable[[str], Page],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("staff")
    page.goto("/places")
    page.get_by_role("link", name="場所を追加").click()
    fill_place(page)
    page.locator("#f-hours_mon").fill("9時から17時")  # not a window
    page.locator("#f-name_vi").fill("")
    page.get_by_role("button", name="保存して配信").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("月曜")
    expect(summary).to_contain_text("08:45-17:15 の形で入力してください")
    expect(summary).to_contain_text("キオスクの全言語で名前が必要です")
    axe(page)
    screenshots(page, "place-errors")

    page.locator("#f-hours_mon").fill("")
    page.locator("#f-name_vi").fill("Thư viện Trung tâm Yokohama")
    page.get_by_role("button", name="保存して配信").click()
    expect(page.get_by_role("status")).to_contain_text("場所を追加し、配信しました。")
    row = page.locator("table.places tbody tr").filter(has_text="横浜市中央図書館")
    expect(row).to_contain_text("指定暑熱避難施設（クーリングシェルター）")
    expect(row).to_contain_text("火曜 09:30-20:30")
    expect(row).to_contain_text("熱中症特別警戒アラートの発表中は開く")
    expect(row).to_contain_text("冷房・トイレ・バリアフリー")
    axe(page)
    screenshots(page, "places")

    [stored] = console.api("GET", "/api/v1/places").json()
    assert stored["name"]["ko"] == "요코하마시 중앙도서관"
    assert stored["hours"]["weekly"]["sat"] == [{"start": "09:30", "end": "17:00"}]
    assert stored["hours"]["closed_dates"] == ["2026-07-13", "2026-08-10"]
    assert stored["hours"]["special_alert"] is True
    assert stored["topic"] == "kyusui/v1/all/places"

    row.get_by_role("link").click()
    expect(page.locator("#f-hours_tue")).to_have_value("09:30-20:30")
    screenshots(page, "place-editor")
    page.locator("#f-hours_sun").fill("09:30-17:00")
    page.get_by_role("button", name="保存して配信").click()
    expect(page.get_by_role("status")).to_contain_text("場所を保存し、配信しました。")
    changed = console.api("GET", "/api/v1/places/central-library").json()
    assert changed["hours"]["weekly"]["sun"] == [{"start": "09:30", "end": "17:00"}]

    page.locator("table.places a", has_text="横浜市中央図書館").click()
    page.get_by_role("button", name="削除").click()
    expect(page.get_by_role("status")).to_contain_text("場所を削除し、一覧を配信しました。")
    assert console.api("GET", "/api/v1/places").json() == []


def test_a_reader_sees_places_but_no_way_to_change_them(
    signed_in: Callable[[str], Page],
) -> None:
    page = signed_in("reader")
    page.goto("/places")
    expect(page.get_by_role("heading", name="涼める場所")).to_be_visible()
    expect(page.get_by_role("link", name="場所を追加")).to_have_count(0)
