"""Sign-in runs on the same registries as the API tests: SQLite and a real PostgreSQL.

Each test gets a fresh registry copied from one migrated at the start of the session
(a file copy; ``CREATE DATABASE … TEMPLATE``), which is much quicker than migrating each.
"""

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from server.alerts.notify import NoNotifier
from server.api.app import create_app
from server.api.deps import get_clock
from server.auth import passwords
from server.registry import users
from server.registry.db import Registry
from server.registry.models import Role
from server.settings import ServerSettings
from server.store.sqlite import SqliteTimeSeries
from tests.auth.helpers import PASSWORD, FakeClock
from tests.server.conftest import (  # the fixtures the API tests use
    ADMIN_TOKEN,
    api_settings,
    fresh_postgres_database,
    postgres_server_url,
    registry,
)

__all__ = ["api_settings", "postgres_server_url", "registry"]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "registry.sqlite"
    Registry(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="session")
def migrated_postgres(postgres_server_url: str) -> str:
    """The name of a migrated database to copy; nothing stays connected to it."""
    url = fresh_postgres_database(postgres_server_url)
    Registry(url).close()
    return url.rpartition("/")[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "registry.sqlite"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    server_url: str = request.getfixturevalue("postgres_server_url")
    template: str = request.getfixturevalue("migrated_postgres")
    name = f"kyusui_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return f"{server_url.rpartition('/')[0]}/{name}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with the smallest cost: the behaviour is the same, each hash takes
    milliseconds instead of a large part of a second (the real parameters have their own test)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_dummy", None)


@pytest.fixture
def people(registry: Registry, quick_hashing: None) -> Registry:
    """The registry with one user of each role, all with ``PASSWORD``."""
    with registry.session() as session:
        for login, role in (("kato", Role.ADMIN), ("sato", Role.STAFF), ("ito", Role.READER)):
            users.create(session, login, login.title(), role, actor="test", password=PASSWORD)
    return registry


@pytest.fixture
def app_client(
    api_settings: ServerSettings, people: Registry, clock: FakeClock, tmp_path: Path
) -> Iterator[TestClient]:
    """The API with no credentials of its own (a browser), on the parametrised registry,
    with the fake clock; ``ADMIN_TOKEN`` is the bootstrap admin token."""
    store = SqliteTimeSeries(tmp_path / "ts.sqlite")
    app = create_app(api_settings, store, people, NoNotifier())
    app.dependency_overrides[get_clock] = lambda: clock
    with TestClient(app) as client:
        yield client
    store.close()


def bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
