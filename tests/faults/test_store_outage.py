"""The store stops answering for 30 s while the stations keep reading fast."""

import signal
import subprocess
import sys
import time
from collections.abc import Callable

from devnet.influx import InfluxDB
from tests.faults.conftest import assert_whole
from tests.faults.net import FaultNet

OUTAGE_S = 30
HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
"""


def back_count(net: FaultNet) -> int:
    return sum(net.log(f"ingest-{i}").count("store is back") for i in range(net.workers))


def test_a_write_locked_sqlite_store_costs_nothing_and_ingest_does_not_flap(
    faultnet: Callable[..., FaultNet],
) -> None:
    net = faultnet().start()
    time.sleep(3)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(net.timeseries_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"locked\n"
        time.sleep(OUTAGE_S)
        # While the lock was held no worker believed the store was back.
        assert back_count(net) == 0
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)
    counts = net.finish("SQLite store write-locked for 30 s")
    assert back_count(net) >= 1
    assert_whole(counts)


def test_a_stopped_influxdb_costs_nothing(
    faultnet: Callable[..., FaultNet], influxdb: InfluxDB
) -> None:
    net = faultnet(influx=influxdb).start()
    time.sleep(3)
    assert influxdb.process is not None
    influxdb.process.send_signal(signal.SIGSTOP)
    try:
        time.sleep(OUTAGE_S)
    finally:
        influxdb.process.send_signal(signal.SIGCONT)
    counts = net.finish("influxd SIGSTOPped for 30 s")
    assert_whole(counts)
