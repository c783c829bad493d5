"""Signing in and out of the console, the language switch and the offline API docs."""

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.console.conftest import ConsoleNetwork, Login


def test_staff_signs_in_with_the_form_and_lands_on_the_fleet(
    new_context: Callable[..., BrowserContext],
    accounts: dict[str, Login],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = new_context().new_page()
    page.goto("/?sort=name")
    expect(page).to_have_url(re.compile(r"/login\?next=/%3Fsort%3Dname$"))
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    axe(page)
    screenshots(page, "login")
    # By keyboard alone: the login field has the focus, Tab to the password, Enter signs in.
    expect(page.get_by_label("ログイン名")).to_be_focused()
    page.keyboard.type(accounts["staff"].login)
    page.keyboard.press("Tab")
    page.keyboard.type(accounts["staff"].password)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"{accounts['staff'].login} (staff) さん")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/\?sort=name$"))


def test_a_wrong_password_is_refused(
    new_context: Callable[..., BrowserContext], accounts: dict[str, Login], console: ConsoleNetwork
) -> None:
    page = new_context().new_page()
    page.goto("/login")
    page.get_by_label("ログイン名").fill(accounts["reader"].login)
    page.get_by_label("パスワード").fill("not-the-password")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert")).to_have_text("ログイン名またはパスワードが違います。")
    expect(page.get_by_role("link", name="ステーション一覧")).to_have_count(0)
    audit = console.api("GET", "/api/v1/audit", params={"limit": 50})
    assert audit.status_code == 200, audit.text
    failed = [e for e in audit.json() if e["action"] == "auth.sign_in_failed"]
    assert any(e["actor"] == accounts["reader"].login for e in failed), failed


def test_english_is_one_click_away(signed_in: Callable[[str], Page]) -> None:
    page = signed_in("reader")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ステーション一覧")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stations")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="日本語").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ステーション一覧")


def test_signing_out_ends_the_session(signed_in: Callable[[str], Page]) -> None:
    page = signed_in("staff")
    page.goto("/")
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()


def test_api_docs_render_with_the_network_cut(
    new_context: Callable[..., BrowserContext], screenshots: Callable[[Page, str], object]
) -> None:
    page = new_context().new_page()
    page.goto("/docs")
    expect(page.get_by_text("Kyusui API").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    screenshots(page, "docs")
    page.goto("/redoc")
    expect(page.locator("h1", has_text="Kyusui API")).to_be_visible()


def test_pages_read_in_english_and_an_unknown_station_is_a_page_too(
    signed_in: Callable[[str], Page],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("staff")
    page.goto("/lang/en?next=/")
    expect(page.get_by_role("columnheader", name="Data quality")).to_be_visible()
    expect(page.get_by_role("link", name="Alerts")).to_be_visible()
    axe(page)
    screenshots(page, "fleet-en")
    answer = page.goto("/stations/st-nobody")
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_role("link", name="Back to the stations")).to_be_visible()
    axe(page)
    page.goto("/lang/ja?next=/")
