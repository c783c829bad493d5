"""The fault suite's networks: real processes on free loopback ports, killed by PID."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devnet.influx import InfluxDB
from tests.faults.counts import Counts
from tests.faults.net import FaultNet


@pytest.fixture
def faultnet(tmp_path: Path) -> Iterator[Callable[..., FaultNet]]:
    """Build (not start) a FaultNet in this test's directory; it is shut down after."""
    made: list[FaultNet] = []

    def make(**options: Any) -> FaultNet:
        net = FaultNet(tmp_path / f"net-{len(made)}", **options)
        made.append(net)
        return net

    yield make
    for net in made:
        net.shutdown()


@pytest.fixture
def influxdb(tmp_path: Path) -> Iterator[InfluxDB]:
    instance = InfluxDB(tmp_path / "influxdb").start()
    yield instance
    instance.stop()


def assert_whole(counts: dict[str, Counts], phantoms: int = 0, at_least: int = 30) -> None:
    """Nothing lost, nothing stored twice, the station's order kept; every station busy."""
    for station, c in counts.items():
        assert c.produced >= at_least, f"{station} took only {c.produced} readings"
        assert c.lost == 0, c.line(station)
        assert c.duplicates == 0, c.line(station)
        assert c.phantoms <= phantoms, c.line(station)
        assert c.out_of_order == 0, c.line(station)
