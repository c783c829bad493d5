"""Fixtures for the real services, and the ``services`` mark on every test that uses one.

A missing service fails the test; it never skips. ``pytest -m "not services"`` runs the rest:
the fast lane, which needs nothing but the virtualenv.
"""

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from devnet.mosquitto import Mosquitto

# Properties are about what is true, not how fast: a per-example deadline only measures how
# busy the machine is (a loaded CI runner failed a decode property on it).
settings.register_profile("kyusui", deadline=None)
settings.load_profile("kyusui")

# Fixtures that start (or stand for) a real service: a test using any of them, directly or
# through another fixture, is marked ``services``.
SERVICE_FIXTURES = frozenset(
    {
        "broker",  # Mosquitto
        "own_broker",
        "influxdb",  # InfluxDB
        "influx_gateway",  # nginx in front of InfluxDB
        "postgres_server_url",  # PostgreSQL
        "xvfb_display",  # Xvfb, for the kiosk window
        "tesseract",
        "console",  # a whole station network behind the staff console
        "server",  # provisioning's station network
        "faultnet",  # network namespaces, broker, stores
        "browser",  # Chromium through Playwright
        "page",
        "context",
        "wheel",  # the systemd-nspawn station is installed from it
    }
)
# Parameters of the fixtures that run once on a file and once on a server (``registry_url``,
# ``any_store`` and their like): the server runs are marked.
SERVICE_PARAMS = frozenset({"postgresql", "influxdb-v1"})


# Folders whose every test runs a whole station network.
SERVICE_FOLDERS = frozenset({"e2e"})


def uses_a_service(item: pytest.Item) -> bool:
    if set(getattr(item, "fixturenames", ())) & SERVICE_FIXTURES:
        return True
    if Path(str(item.path)).resolve().parent.name in SERVICE_FOLDERS:
        return True
    params: dict[str, object] = getattr(getattr(item, "callspec", None), "params", {})
    return any(isinstance(value, str) and value in SERVICE_PARAMS for value in params.values())


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses a service fixture, or lives in a folder of station-network tests,
    carries the ``services`` mark; a test that starts a service itself says so with
    ``pytest.mark.services``."""
    for item in items:
        if uses_a_service(item):
            item.add_marker(pytest.mark.services)


SERVER_USER = "kyusui-server"
# Stations every test broker knows, with their areas.
TEST_STATIONS: dict[str, str | None] = {
    "st-test-01": "naka",
    "st-test-02": "naka",
    "st-test-03": "kohoku",
}


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    """A private Mosquitto with passwords and the production ACL; ``broker.accounts``
    maps every user (the server account and each of TEST_STATIONS) to its password."""
    accounts = {SERVER_USER: secrets.token_urlsafe(12)} | {
        station: secrets.token_urlsafe(12) for station in TEST_STATIONS
    }
    instance = Mosquitto(
        Path(tmp_path_factory.mktemp("mosquitto")),
        accounts=accounts,
        station_areas=dict(TEST_STATIONS),
        server_user=SERVER_USER,
    )
    instance.start()
    yield instance
    instance.stop()
