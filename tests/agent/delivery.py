"""Delivery end to end for the agent's tests: a station agent on a test broker that records
what it measures, ingest workers writing into SQLite, and what each side holds."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from contract.messages import Reading
from devnet.mosquitto import Mosquitto
from sensors.agent import Agent
from server.ingest.handler import MessageHandler
from server.ingest.worker import IngestWorker
from server.settings import ServerSettings
from server.store.sqlite import SqliteTimeSeries
from tests.agent.conftest import STATION, agent_settings
from tests.conftest import SERVER_USER

FOREVER_MS = 32_503_680_000_000


@contextmanager
def ingest(
    broker: Mosquitto, store_path: Path, index: int = 0, **over: Any
) -> Iterator[IngestWorker]:
    """An ingest worker on the default settings (shared group ``ingest``, the derived
    client id, no lingering session) writing into the SQLite file ``store_path``."""
    settings = ServerSettings(
        broker_port=broker.port or 0,
        broker_password=broker.accounts[SERVER_USER],
        timeseries_path=store_path,
        registry_path=store_path.with_name("registry.sqlite"),
        ingest_worker_index=index,
        ingest_batch_wait_s=0.02,
        ingest_retry_s=0.2,
        **over,
    )
    store = SqliteTimeSeries(store_path)
    worker = IngestWorker(settings, MessageHandler(store))
    worker.start()
    assert worker.subscribed.wait(10), "the ingest worker did not subscribe"
    try:
        yield worker
    finally:
        worker.stop()
        store.close()


def stored(store_path: Path, station: str = STATION) -> list[int]:
    store = SqliteTimeSeries(store_path)
    try:
        return [r.ts for r in store.readings(station, 0, FOREVER_MS)]
    finally:
        store.close()


def outbox(state_dir: Path) -> list[int]:
    conn = sqlite3.connect(state_dir / "agent.sqlite", timeout=5)
    try:
        return [r[0] for r in conn.execute("SELECT ts FROM outbox ORDER BY id")]
    finally:
        conn.close()


def recorded(agent: Agent) -> list[Reading]:
    """Every reading the agent takes, in order (the count of what was produced)."""
    taken: list[Reading] = []
    take = agent.take_reading

    def recording() -> Reading:
        taken.append(take())
        return taken[-1]

    agent.take_reading = recording  # type: ignore[method-assign]
    return taken


def times(taken: list[Reading]) -> set[int]:
    """The readings taken, by their identity (station + time): at a fast reading interval
    two can share a millisecond, and are then one reading."""
    return {r.ts for r in taken}


def station_agent(broker: Mosquitto, state_dir: Path, station: str = STATION) -> Agent:
    return Agent(
        agent_settings(
            broker,
            state_dir,
            station_id=station,
            broker_password=broker.accounts[station],
            reading_interval_s=0.05,
            unconfirmed_resend_s=1.0,
        )
    )


def broker_took_everything_sent(agent: Agent) -> bool:
    """Every message sent so far has its PUBACK (read while the agent's thread runs on)."""
    pump = agent.outgoing.pump
    try:
        waiting = list(pump.unconfirmed.values())
        return pump.seq > 0 and not pump.inflight and all(m.acked_ms is not None for m in waiting)
    except RuntimeError:  # changed size while being copied: ask again
        return False


class Reporting(NamedTuple):
    """A station agent (not started) that records every reading it takes, its state
    directory, and the SQLite file its ingest workers write into."""

    agent: Agent
    taken: list[Reading]
    state_dir: Path
    store_path: Path


def reporting_station(broker: Mosquitto, workdir: Path) -> Reporting:
    state_dir = workdir / "station"
    agent = station_agent(broker, state_dir)
    return Reporting(agent, recorded(agent), state_dir, workdir / "ts.sqlite")
