"""Admins manage staff accounts and API tokens in the console, and see quarantined
messages with their reasons and the audit log; nobody else can."""

import re
import secrets
from collections.abc import Callable

import httpx
from playwright.sync_api import BrowserContext, Page, expect

from contract.topics import StationTopic, station_topic
from tests.console.conftest import CONSOLE_STATIONS, ConsoleNetwork, Login, sign_in_context
from tests.e2e.helpers import wait_for


def test_an_admin_adds_a_user_whose_password_is_shown_once_and_works(
    console: ConsoleNetwork,
    signed_in: Callable[[str], Page],
    new_context: Callable[..., BrowserContext],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("admin")
    page.goto("/admin")
    axe(page)
    screenshots(page, "admin")
    page.get_by_role("link", name="ユーザーと権限").first.click()
    login = f"sato-{secrets.token_hex(3)}"
    page.get_by_label("ログイン名").fill(login)
    page.get_by_label("表示名").fill("佐藤 花子")
    page.locator("#f-role").select_option("reader")
    page.get_by_role("button", name="追加する").click()
    expect(page.get_by_role("heading", name=f"{login} のパスワード")).to_be_visible()
    password = page.locator("#secret-value").input_value()
    assert len(password) >= 16
    axe(page)
    screenshots(page, "admin-users")
    page.goto("/admin/users")
    expect(page.locator("#secret-value")).to_have_count(0)  # shown once only
    assert password not in page.content()

    newcomer = new_context()
    sign_in_context(newcomer, Login(login, password, "reader"))

    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=login))
    row.get_by_label(f"{login} の権限").select_option("staff")
    row.get_by_role("button", name=re.compile("^変更")).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=login))
    expect(row.get_by_label(f"{login} の権限")).to_have_value("staff")
    row.get_by_role("button", name=re.compile("^無効にする")).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=login))
    expect(row).to_contain_text("無効")
    # Disabling ends the user's session at once.
    assert newcomer.request.get("/notices", max_redirects=0).status == 303

    page.goto("/admin/audit")
    audit = page.locator("table.audit")
    expect(audit).to_contain_text("user.add")
    expect(audit).to_contain_text("user.role")
    expect(audit).to_contain_text("user.disable")
    axe(page)
    screenshots(page, "admin-audit")


def test_an_api_token_is_shown_once_works_and_can_be_revoked(
    console: ConsoleNetwork,
    signed_in: Callable[[str], Page],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    page = signed_in("admin")
    page.goto("/admin/tokens")
    name = f"export-script-{secrets.token_hex(3)}"
    page.get_by_label("トークンの名前（用途）").fill(name)
    page.locator("#f-token-role").select_option("reader")
    page.get_by_role("button", name="作成する").click()
    token = page.locator("#secret-value").input_value()
    assert token.startswith("ksu_")
    axe(page)
    screenshots(page, "admin-tokens")
    as_machine = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{console.url}/api/v1/stations", headers=as_machine).status_code == 200
    page.goto("/admin/tokens")
    assert token not in page.content()
    row = page.get_by_role("row").filter(has_text=name)
    row.get_by_role("button", name=re.compile("^失効させる")).click()
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("失効")
    assert httpx.get(f"{console.url}/api/v1/stations", headers=as_machine).status_code == 401


def test_quarantined_messages_are_listed_with_their_reasons(
    console: ConsoleNetwork,
    signed_in: Callable[[str], Page],
    axe: Callable[[Page], None],
    screenshots: Callable[[Page, str], object],
) -> None:
    station = CONSOLE_STATIONS[2].id
    console.publish_as(
        station, station_topic(station, StationTopic.TELEMETRY), b'{"v": 1, "readings": "<b>"}'
    )
    page = signed_in("staff")  # staff see quarantine, as in the API

    def listed() -> bool | None:
        page.goto(f"/admin/quarantine?station={station}")
        return True if page.locator("table.quarantine tbody tr .reason").count() else None

    wait_for("the quarantined message on the page", listed, timeout_s=30)
    row = page.locator("table.quarantine tbody tr").first
    expect(row.locator(".reason")).to_have_text(re.compile(r"^[a-z_]+$"))
    row.get_by_text(re.compile("受信した内容")).click()
    expect(row.locator("pre.payload")).to_have_text('{"v": 1, "readings": "<b>"}')
    axe(page)
    screenshots(page, "admin-quarantine")


def test_only_admins_reach_accounts_tokens_and_the_audit_log(
    signed_in: Callable[[str], Page], accounts: dict[str, Login]
) -> None:
    for role in ("staff", "reader"):
        page = signed_in(role)
        page.goto("/")
        expect(page.get_by_role("link", name="管理", exact=True)).to_have_count(0)
        for path in ("/admin", "/admin/users", "/admin/tokens", "/admin/audit"):
            assert page.request.get(path).status == 403, (role, path)
        csrf = page.locator('input[name="csrf_token"]').first.get_attribute("value")
        assert csrf
        forced = page.request.post(
            "/admin/users",
            form={"csrf_token": csrf, "login": f"x-{role}", "display_name": "x", "role": "admin"},
            max_redirects=0,
        )
        assert forced.status == 403
    reader = signed_in("reader")
    assert reader.request.get("/admin/quarantine").status == 403


def test_the_user_form_works_with_the_keyboard_alone(signed_in: Callable[[str], Page]) -> None:
    page = signed_in("admin")
    page.goto("/admin/users")
    page.get_by_label("ログイン名").focus()
    login = f"kb-{secrets.token_hex(3)}"
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    page.keyboard.type("キーボード 太郎")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"{login} のパスワード")).to_be_visible()
