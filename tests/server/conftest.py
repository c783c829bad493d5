"""Fixtures for the server: real InfluxDB, real PostgreSQL and SQLite, real Mosquitto.

A missing binary fails the test with how to install it; nothing here skips.
"""

import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from devnet.influx import InfluxDB, InfluxV2Gateway
from devnet.mosquitto import Mosquitto
from devnet.postgres import PostgresCluster
from provisioning.keys import generate_keypair
from server.alerts.notify import NoNotifier
from server.api.app import create_app
from server.registry.db import Registry
from server.settings import ServerSettings, TimeSeriesBackend
from server.store.base import TimeSeriesStore
from server.store.influx import InfluxTimeSeries
from server.store.influx_init import init_influx
from server.store.sqlite import SqliteTimeSeries
from tests.server.notice_helpers import clear_retained, publishing_settings

ADMIN_TOKEN = "test-admin-" + secrets.token_urlsafe(8)


@pytest.fixture(scope="session")
def influxdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxDB]:
    instance = InfluxDB(Path(tmp_path_factory.mktemp("influxdb"))).start()
    yield instance
    instance.stop()


@pytest.fixture(scope="session")
def influx_gateway(
    influxdb: InfluxDB, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[InfluxV2Gateway]:
    assert influxdb.port is not None
    gateway = InfluxV2Gateway(Path(tmp_path_factory.mktemp("nginx")), influxdb.port).start()
    yield gateway
    gateway.stop()


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """``KYUSUI_TEST_POSTGRES_URL`` (a database we may create databases on) or a private cluster."""
    given = os.environ.get("KYUSUI_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    cluster = PostgresCluster().start()
    yield cluster.url()
    cluster.stop()


def fresh_postgres_database(server_url: str) -> str:
    name = f"kyusui_{uuid.uuid4().hex[:12]}"
    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite'}"
    server_url: str = request.getfixturevalue("postgres_server_url")
    return fresh_postgres_database(server_url)


@pytest.fixture
def registry(registry_url: str) -> Iterator[Registry]:
    instance = Registry(registry_url)
    yield instance
    instance.close()


@pytest.fixture
def sqlite_registry(tmp_path: Path) -> Iterator[Registry]:
    instance = Registry(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    yield instance
    instance.close()


def influx_settings(influxdb: InfluxDB, **overrides: object) -> ServerSettings:
    """Settings for a fresh, initialised database on the test InfluxDB (v1 mode)."""
    values: dict[str, object] = {
        "timeseries_backend": TimeSeriesBackend.INFLUXDB_V1,
        "influx_url": influxdb.url,
        "influx_database": f"t_{uuid.uuid4().hex[:10]}",
        "influx_timeout_s": 3.0,
    } | overrides
    settings = ServerSettings.model_validate(values)
    init_influx(settings)
    return settings


@pytest.fixture
def influx_store(influxdb: InfluxDB) -> Iterator[InfluxTimeSeries]:
    store = InfluxTimeSeries(influx_settings(influxdb))
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "influxdb-v1"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TimeSeriesStore]:
    store: TimeSeriesStore
    if request.param == "sqlite":
        store = SqliteTimeSeries(tmp_path / "ts.sqlite")
    else:
        store = InfluxTimeSeries(influx_settings(request.getfixturevalue("influxdb")))
    yield store
    store.close()


@pytest.fixture
def api_settings(tmp_path: Path) -> ServerSettings:
    return ServerSettings(
        bootstrap_token=ADMIN_TOKEN,
        timeseries_path=tmp_path / "ts.sqlite",
        registry_path=tmp_path / "registry.sqlite",
        alert_check_interval_s=3600,
        api_fleet_cache_s=0,
    )


@pytest.fixture
def api(api_settings: ServerSettings, registry: Registry) -> Iterator[TestClient]:
    """The API on SQLite time series and the parametrised registry, as the admin."""
    store = SqliteTimeSeries(api_settings.timeseries_path)
    app = create_app(api_settings, store, registry, NoNotifier())
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        yield client
    store.close()


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    directory = tmp_path / "keys"
    generate_keypair(directory)
    return directory


@pytest.fixture
def notices_api(
    broker: Mosquitto,
    api_settings: ServerSettings,
    registry: Registry,
    keys: Path,
) -> Iterator[TestClient]:
    """The API, as the admin, signing with ``keys`` and publishing to the session broker;
    areas ``naka`` and ``kohoku`` are registered."""
    settings = publishing_settings(api_settings, broker, keys)
    store = SqliteTimeSeries(settings.timeseries_path)
    app = create_app(settings, store, registry, NoNotifier())
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        for area, name in (("naka", "中区"), ("kohoku", "港北区")):
            client.put(f"/api/v1/areas/{area}", json={"id": area, "name_ja": name})
        try:
            yield client
        finally:
            clear_retained(broker, [n["topic"] for n in client.get("/api/v1/notices").json()])
    store.close()
