"""Fixtures for the real services. A missing service fails the test; it never skips."""

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
