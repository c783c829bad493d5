"""The two server processes as the demo and systemd run them, on the embedded defaults."""

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect

from devnet.mosquitto import Mosquitto
from devnet.ports import free_port, wait_for_port
from server.registry.db import Registry
from server.settings import ServerSettings
from tests.server.helpers import now_ms, reading, status, telemetry
from tests.server.test_ingest import publish_all, station, wait_until


@pytest.fixture
def server(broker: Mosquitto, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    token = uuid.uuid4().hex
    api_port = free_port()
    metrics_port = free_port()
    env = os.environ | {
        "KYUSUI_SERVER_CONFIG": str(tmp_path / "absent.toml"),
        "KYUSUI_SERVER_BROKER_PORT": str(broker.port),
        "KYUSUI_SERVER_BROKER_USERNAME": "kyusui-server",
        "KYUSUI_SERVER_BROKER_PASSWORD": broker.accounts["kyusui-server"],
        "KYUSUI_SERVER_TIMESERIES_PATH": str(tmp_path / "timeseries.sqlite"),
        "KYUSUI_SERVER_REGISTRY_PATH": str(tmp_path / "registry.sqlite"),
        "KYUSUI_SERVER_API_PORT": str(api_port),
        "KYUSUI_SERVER_BOOTSTRAP_TOKEN": token,
        "KYUSUI_SERVER_INGEST_GROUP": f"g{uuid.uuid4().hex[:6]}",
        "KYUSUI_SERVER_INGEST_METRICS_PORT": str(metrics_port),
    }
    logs = [(tmp_path / f"{name}.log").open("wb") for name in ("ingest", "api")]
    children = [
        subprocess.Popen(
            [sys.executable, "-m", f"server.{name}"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        for name, log in zip(("ingest", "api"), logs, strict=True)
    ]
    try:
        wait_for_port(api_port, timeout_s=30)
        (tmp_path / "ingest-metrics-url").write_text(f"http://127.0.0.1:{metrics_port}/metrics")
        yield f"http://127.0.0.1:{api_port}", token, tmp_path
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(15)
        for log in logs:
            log.close()


def test_a_reporting_station_shows_up_in_the_api_without_enrolment(
    server: tuple[str, str, Path], broker: Mosquitto
) -> None:
    url, token, workdir = server
    auth = {"Authorization": f"Bearer {token}"}
    ts = now_ms()
    with station(broker) as client:
        publish_all(client, [status()], "kyusui/v1/st/st-test-01/status")
        publish_all(client, [telemetry(1, reading(ts, wbgt=27.0))])

        def listed() -> bool:
            answer = httpx.get(f"{url}/api/v1/stations", headers=auth)
            return answer.status_code == 200 and len(answer.json()) == 1

        wait_until(listed, what="the station in the API")
    [st] = httpx.get(f"{url}/api/v1/stations", headers=auth).json()
    assert (st["id"], st["online"], st["latest"]["wbgt"]) == ("st-test-01", True, 27.0)
    history = httpx.get(f"{url}/api/v1/stations/st-test-01/readings", headers=auth).json()
    assert [r["wbgt"] for r in history] == [27.0]
    metrics = httpx.get(f"{url}/metrics", headers=auth).text
    assert "kyusui_stations_online 1.0" in metrics
    assert httpx.get(f"{url}/api/v1/stations").status_code == 401
    assert '"message": "api starting"' in (workdir / "api.log").read_text()
    ingest = httpx.get((workdir / "ingest-metrics-url").read_text()).text
    assert 'kyusui_ingest_messages_total{kind="telemetry"} 1.0' in ingest
    assert "kyusui_ingest_write_seconds_count 1.0" in ingest
    assert "kyusui_ingest_lag_seconds" in ingest


def test_processes_starting_together_migrate_the_registry_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Registry(url).close()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {"stations", "alerts", "api_tokens", "quarantine", "alembic_version"} <= tables


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValueError, match="broker_password"):
        ServerSettings(production=True, broker_password="changeme")
    with pytest.raises(ValueError, match="influx_token"):
        ServerSettings(
            production=True,
            broker_password="s3cr3t-Enough",
            timeseries_backend="influxdb",
        )
    ok = ServerSettings(production=True, broker_password="s3cr3t-Enough")
    assert ok.production
