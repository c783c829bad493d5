"""Fixtures for the staff console in a real browser: Debian's Chromium through Playwright,
a real broker, ingest and API (SQLite registry and time series), users of every role.

- ``console``: the running network (session-wide); ``console.publish_as(station, topic, body)``
  publishes as a station; ``console.start_agent(spec)`` adds a real simulated agent.
- ``accounts``: role → ``Login`` (login, password): a user of each role in the registry.
- ``signed_in``: ``signed_in("staff")`` → a Playwright ``Page`` already signed in as that role.
- Every context made here fails the test on any request that leaves loopback.
- ``axe``: ``axe(page)`` fails on any serious or critical axe-core violation.
- ``screenshots``: ``screenshots(page, "fleet")`` writes ``artifacts/console/fleet-1280x800.png``
  and ``fleet-390x844.png``.
"""

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import paho.mqtt.client as mqtt
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from devnet.network import StationNetwork, StationSpec
from devnet.ports import free_port
from server.registry import users
from server.registry.db import Registry
from server.registry.models import Role
from tests.e2e.helpers import mqtt_session, publish

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "console"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = ((1280, 800), (390, 844))
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
ROLES = ("admin", "staff", "reader")

# Stations of the console's test network: registered, on the map, no agent unless asked.
CONSOLE_STATIONS = (
    StationSpec("st-naka-01", "naka", 11, "中区役所前 給水所", "Naka Ward Office"),
    StationSpec("st-naka-02", "naka", 12, "山下公園 まちの給水所", "Yamashita Park"),
    StationSpec("st-kohoku-01", "kohoku", 13, "綱島駅前 給水所", "Tsunashima Station"),
    StationSpec("st-naka-03", "naka", 14, "本町小学校前 給水所", "Honcho School"),
)
PLACES = {
    "st-naka-01": (35.4444, 139.6368),
    "st-naka-02": (35.4466, 139.6503),
    "st-kohoku-01": (35.5365, 139.6346),
    "st-naka-03": (35.4489, 139.6342),
}
AREAS = {"naka": "中区", "kohoku": "港北区"}


@dataclass(frozen=True)
class Login:
    login: str
    password: str
    role: str


@dataclass
class ConsoleNetwork:
    network: StationNetwork
    started_agents: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return self.network.api_url

    @property
    def token(self) -> str:
        return self.network.api_token

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The REST API as the run's admin token."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=15, **kwargs)

    def publish_as(self, station: str, topic: str, payload: bytes) -> None:
        client: mqtt.Client
        with mqtt_session(self.network, station) as (client, _):
            publish(client, topic, payload)

    def start_agent(self, station: str) -> None:
        """The real station agent (simulated sensor) for one of CONSOLE_STATIONS."""
        if station not in self.started_agents:
            self.network.start_station(next(s for s in CONSOLE_STATIONS if s.id == station))
            self.started_agents.add(station)

    def stop_agent(self, station: str) -> None:
        if station in self.started_agents:
            self.network.children.stop(station)
            self.started_agents.discard(station)

    def add_user(self, login: str, role: str, password: str) -> None:
        """A user with a password, written straight into the run's registry."""
        registry = Registry(f"sqlite:///{self.network.workdir / 'registry.sqlite'}")
        try:
            with registry.session() as session:
                users.create(
                    session, login, f"{login} ({role})", Role(role), actor="test", password=password
                )
        finally:
            registry.close()


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleNetwork]:
    """Broker, ingest and API on free ports; the three stations registered with places."""
    network = StationNetwork(
        tmp_path_factory.mktemp("console"),
        stations=CONSOLE_STATIONS,
        reading_interval_s=1.0,
        failure_rate=0.0,
        broker_port=free_port(),
        api_port=free_port(),
    )
    network.workdir.mkdir(parents=True, exist_ok=True)
    try:
        network.ensure_signing_keys()
        network.start_broker()
        network.start_server()
        wrapped = ConsoleNetwork(network)
        for area, name in AREAS.items():
            answer = wrapped.api("PUT", f"/api/v1/areas/{area}", json={"id": area, "name_ja": name})
            assert answer.status_code in (200, 201), answer.text
        for spec in CONSOLE_STATIONS:
            lat, lon = PLACES[spec.id]
            body = {
                "id": spec.id,
                "name_ja": spec.name_ja,
                "name_en": spec.name_en,
                "area": spec.area,
                "latitude": lat,
                "longitude": lon,
            }
            answer = wrapped.api("POST", "/api/v1/stations", json=body)
            assert answer.status_code == 201, answer.text
        yield wrapped
    finally:
        network.stop()


@pytest.fixture(scope="session")
def accounts(console: ConsoleNetwork) -> dict[str, Login]:
    made = {}
    for role in ROLES:
        login = Login(f"test-{role}", secrets.token_urlsafe(12), role)
        console.add_user(login.login, role, login.password)
        made[role] = login
    return made


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser (pytest-playwright's hook)."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@dataclass
class Outside:
    """Requests that tried to leave loopback: each one fails the test."""

    urls: list[str] = field(default_factory=list)

    def guard(self, route: Route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
            return
        self.urls.append(route.request.url)
        route.abort("internetdisconnected")


@pytest.fixture
def new_context(
    browser: Browser, console: ConsoleNetwork
) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context(**options)``: a browser context on the console, guarded to loopback."""
    outside = Outside()
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        values: dict[str, Any] = {
            "base_url": console.url,
            "viewport": {"width": 1280, "height": 800},
            "locale": "ja-JP",
            "timezone_id": "Asia/Tokyo",
            "accept_downloads": True,
        } | options
        context = browser.new_context(**values)
        context.route("**/*", outside.guard)
        context.set_default_timeout(10_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    assert not outside.urls, f"requests left loopback: {outside.urls}"


def login_csrf(context: BrowserContext) -> str:
    """The login form's CSRF token (its cookie lands in the context)."""
    form = context.request.get("/login").text()
    match = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert match, "the login page has no CSRF token"
    return match.group(1)


def sign_in_context(context: BrowserContext, who: Login) -> None:
    """Sign in through the console's own form, as a browser does."""
    answer = context.request.post(
        "/login",
        form={"login": who.login, "password": who.password, "csrf_token": login_csrf(context)},
        max_redirects=0,
    )
    assert answer.status == 303, f"sign-in as {who.login}: {answer.status} {answer.text()}"


@pytest.fixture
def signed_in(
    new_context: Callable[..., BrowserContext], accounts: dict[str, Login]
) -> Callable[[str], Page]:
    """``signed_in(role)``: a page in a fresh context whose session cookie is that role's."""

    def make(role: str) -> Page:
        context = new_context()
        sign_in_context(context, accounts[role])
        return context.new_page()

    return make


def _axe_run(page: Page) -> list[dict[str, Any]]:
    assert AXE.is_file(), f"axe-core is missing ({AXE}): run `npm ci` (./scripts/test does)"
    # Evaluated rather than added as a <script>: the console's CSP allows no inline script.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.fixture
def axe() -> Callable[[Page], None]:
    """``axe(page)``: no serious or critical accessibility violation on the page as it is."""

    def check(page: Page) -> None:
        bad = _axe_run(page)
        described = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
            for v in bad
        ]
        assert not bad, f"axe on {page.url}:\n" + "\n".join(described)

    return check


# The outermost elements that stick out of the viewport (a page must not scroll sideways;
# a wide table scrolls inside its own region instead).
WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) { return []; }
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !(el.parentElement && out.includes(el.parentElement))) {
      if (el.closest(".table-wrap") && !el.classList.contains("table-wrap")) { continue; }
      out.push(el);
    }
  }
  return out.slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : "")
    + " right=" + Math.round(e.getBoundingClientRect().right));
}"""


@pytest.fixture
def screenshots() -> Callable[[Page, str], list[Path]]:
    """``screenshots(page, name)``: the page at 1280×800 and at 390×844 (a phone)."""

    def take(page: Page, name: str) -> list[Path]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        written = []
        before = page.viewport_size
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(150)  # let the layout settle (not an assertion)
            path = ARTIFACTS / f"{name}-{width}x{height}.png"
            page.screenshot(path=str(path), full_page=True)
            written.append(path)
            wider = page.evaluate(WIDER_THAN_SCREEN)
            assert not wider, f"{name} at {width}x{height} scrolls sideways: {wider}"
        if before is not None:
            page.set_viewport_size(before)
        return written

    return take
