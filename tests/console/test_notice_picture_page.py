"""Staff attach a picture to a notice from its page: it is shown as stations receive it, with
its text alternatives; a file that is not a picture is refused with the reason."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.console.conftest import ConsoleNetwork
from tests.pictures import poster


def test_staff_attach_a_picture_and_a_non_picture_is_refused(
    console: ConsoleNetwork,
    signed_in: Callable[[str], Page],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
    tmp_path: Path,
) -> None:
    body = {"id": "poster-day", "title": {"ja": "夏祭りに給水所が出ます"}, "priority": "high"}
    created = console.api("POST", "/api/v1/notices", json=body)
    assert created.status_code == 201, created.text
    photo = tmp_path / "poster.jpg"
    photo.write_bytes(poster(1600, 1200))
    minutes = tmp_path / "minutes.pdf"
    minutes.write_bytes(b"%PDF-1.7\n1 0 obj << >> endobj\n")

    page = signed_in("staff")
    page.goto("/notices/poster-day")
    expect(page.locator(".notice-picture")).to_contain_text("画像はありません。")
    page.locator("#f-picture").set_input_files(str(minutes))
    page.locator("#f-alt_ja").fill("夏祭りのポスター")
    page.get_by_role("button", name="画像を配信する").click()
    expect(page.get_by_role("alert")).to_contain_text("画像として読めないファイルです")

    page.locator("#f-picture").set_input_files(str(photo))
    page.locator("#f-alt_ja").fill("夏祭りのポスター：本部テントの横で冷たい水を配ります")
    page.locator("#f-alt_en").fill("Festival poster: cold water by the main tent")
    page.get_by_role("button", name="画像を配信する").click()
    expect(page.locator("p.done")).to_contain_text("画像を配信しました")
    shown = page.locator(".notice-picture img")
    expect(shown).to_have_attribute("alt", "夏祭りのポスター：本部テントの横で冷たい水を配ります")
    assert shown.evaluate("img => img.complete && img.naturalWidth") == 640  # as re-encoded
    expect(page.locator(".notice-picture")).to_contain_text("Festival poster: cold water")
    expect(page.locator(".notice-picture")).to_contain_text("image/jpeg 640×480")
    axe(page)
    screenshots(page, "notice-picture")
    console.api("POST", "/api/v1/notices/poster-day/withdraw")
