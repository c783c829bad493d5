"""Ingest workers for the benchmarks: ``python -m server.ingest`` processes on a broker, started
together and waited for until each has connected."""

import os
import subprocess
import sys
import time
from pathlib import Path

from devnet.mosquitto import Mosquitto

SERVER = "kyusui-server"


def start_ingest_workers(
    broker: Mosquitto, workdir: Path, name: str, workers: int, env_extra: dict[str, str]
) -> list[subprocess.Popen[bytes]]:
    """``workers`` workers in the shared group ``name``, their logs in ``workdir``; a store
    other than SQLite is initialised first."""
    env = (
        os.environ
        | {
            "KYUSUI_SERVER_CONFIG": str(workdir / "absent.toml"),
            "KYUSUI_SERVER_BROKER_PORT": str(broker.port),
            "KYUSUI_SERVER_BROKER_PASSWORD": broker.accounts[SERVER],
            "KYUSUI_SERVER_REGISTRY_PATH": str(workdir / f"registry-{name}.sqlite"),
            "KYUSUI_SERVER_INGEST_GROUP": name,
        }
        | env_extra
    )
    if env_extra.get("KYUSUI_SERVER_TIMESERIES_BACKEND", "sqlite") != "sqlite":
        subprocess.run(
            [sys.executable, "-m", "server.store", "init"], env=env, check=True, capture_output=True
        )
    logs = [workdir / f"{name}-{n}.log" for n in range(workers)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "server.ingest"],
            env=env | {"KYUSUI_SERVER_INGEST_WORKER_INDEX": str(n)},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        for n, log in enumerate(logs)
    ]
    deadline = time.monotonic() + 30
    while not all("connected" in log.read_text() for log in logs):
        if time.monotonic() > deadline:
            stop_workers(procs)
            raise RuntimeError(f"ingest did not connect; see {workdir}")
        time.sleep(0.05)
    time.sleep(0.5)  # subscribed by then
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(15)
