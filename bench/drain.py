"""A drain round of the ingest benchmarks: the publishers out of the contest.

The consumers' persistent sessions join the share group and go offline, the whole stream is
published into the broker, and only then do the consumers connect and take the backlog
(``drain`` for Kyusui's workers, ``raw_drain`` for plain ``mosquitto_sub`` sessions).
"""

import os
import secrets
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from bench.procstat import busy_since, cpu_counters, cpu_s, sched, sched_shares
from bench.rig import SERVER, TOTAL, Kyusui, forget_session, publish, settled_at
from devnet.mosquitto import Mosquitto


def join_group(broker: Mosquitto, client_id: str, topic: str, expiry_s: int = 3600) -> None:
    """Leave a persistent session ``client_id`` subscribed to ``topic`` (QoS 1), offline."""
    subscribed = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.username_pw_set(SERVER, broker.accounts[SERVER])
    client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
    client.on_subscribe = lambda *_: subscribed.set()
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = expiry_s
    client.connect("127.0.0.1", broker.port or 0, clean_start=True, properties=props)
    client.loop_start()
    try:
        if not subscribed.wait(10):
            raise RuntimeError(f"{client_id} could not subscribe to {topic}")
    finally:
        client.disconnect()
        client.loop_stop()


@dataclass
class Drained:
    """A backlog round: the rate from the first connection until the last message stored
    (or until the store stopped growing, then ``lost`` > 0), what each consumer took, and
    CPU per 1,000 messages: each worker's (of what it took), the broker's and InfluxDB's
    (of the stream), and the share of both cores busy meanwhile (others' work too)."""

    msgs_per_s: float
    lost: int
    taken: list[int]
    worker_cpu_s_per_1000: list[float] = field(default_factory=list)
    broker_cpu_s_per_1000: float = 0.0
    influxdb_cpu_s_per_1000: float = 0.0
    machine_busy: float = 0.0
    # Per worker, its two busiest threads (the network thread reading and decoding, the
    # store thread writing), then the broker's one: (share of the drain on a core, share
    # runnable but waiting for a core). What is left of 1.0 the thread was blocked.
    worker_threads: list[list[tuple[float, float]]] = field(default_factory=list)
    broker_thread: tuple[float, float] = (0.0, 0.0)
    poller_cpu_s_per_1000: float = 0.0  # this process: starting the workers, counting
    write_ms_per_batch: list[float] = field(default_factory=list)  # each worker's, mean

    def cores(self) -> tuple[float, float]:
        """Cores the round's own processes used on average (workers, broker, InfluxDB, this
        process), and what the rest of the machine's busy cores went to (others' work)."""
        # (a raw round measures no consumer's CPU: there, the broker's and this process's)
        workers = sum(c * n for c, n in zip(self.worker_cpu_s_per_1000, self.taken, strict=False))
        per_1000 = (
            workers / TOTAL
            + self.broker_cpu_s_per_1000
            + self.influxdb_cpu_s_per_1000
            + self.poller_cpu_s_per_1000
        )
        ours = self.msgs_per_s * per_1000 / 1000
        return ours, self.machine_busy * (os.cpu_count() or 1) - ours

    def figures(self) -> dict[str, object]:
        ours, others = self.cores()
        return {
            "msgs_per_s": round(self.msgs_per_s),
            "lost": self.lost,
            "taken": self.taken,
            "worker_cpu_s_per_1000": [round(c, 3) for c in self.worker_cpu_s_per_1000],
            "broker_cpu_s_per_1000": round(self.broker_cpu_s_per_1000, 4),
            "influxdb_cpu_s_per_1000": round(self.influxdb_cpu_s_per_1000, 4),
            "machine_busy": round(self.machine_busy, 2),
            "worker_threads_on_core_runq": self.worker_threads,
            "broker_thread_on_core_runq": self.broker_thread,
            "poller_cpu_s_per_1000": round(self.poller_cpu_s_per_1000, 4),
            "write_ms_per_batch": [round(ms, 1) for ms in self.write_ms_per_batch],
            "cores_ours": round(ours, 2),
            "cores_others": round(others, 2),
        }


def drain(kyusui: Kyusui, files: dict[str, Path], services: list[int]) -> Drained:
    """``kyusui``'s workers (it needs ``session_expiry_s`` and ``metrics``) connect once, so
    their sessions join its share group, and stop; the whole stream is published while no
    worker runs; then they start again and store the backlog. ``services``: the broker's
    and InfluxDB's pids."""
    assert kyusui.session_expiry_s
    assert kyusui.metrics
    kyusui.init()
    kyusui.start()
    kyusui.stop(forget=False)
    publish(kyusui.broker, files)
    around = [cpu_s(pid) for pid in services]
    broker_pid = services[0]
    broker_sched, own = sched(broker_pid), time.process_time()
    kyusui.start()
    try:
        n, done_at = settled_at(kyusui.stored, kyusui.last_of(files))
        wall = done_at - kyusui.connected_at
        threads = [sched_shares(kyusui.sched_at_connect[pid], pid, wall) for pid in kyusui.pids()]
        broker_thread = sched_shares(broker_sched, broker_pid, wall, 1)[0]
        used = {pid: cpu_s(pid) - cpu for pid, cpu in kyusui.cpu_at_connect.items()}
        own = time.process_time() - own
        around = [cpu_s(pid) - was for pid, was in zip(services, around, strict=True)]
        share = busy_since(kyusui.machine_at_connect)
        handled, pids = kyusui.handled(), kyusui.pids()
    finally:
        kyusui.stop()
    taken = [n for n, _ in handled]
    per_1000 = [used[pid] / max(1, t) * 1000 for pid, t in zip(pids, taken, strict=True)]
    broker_cpu, influx_cpu = (cpu / TOTAL * 1000 for cpu in around)
    return Drained(
        n / wall,
        TOTAL - n,
        taken,
        per_1000,
        broker_cpu,
        influx_cpu,
        share,
        threads,
        broker_thread,
        own / TOTAL * 1000,
        [write_s * 1000 for _, write_s in handled],
    )


def raw_drain(broker: Mosquitto, files: dict[str, Path], members: int) -> Drained:
    """The same backlog for ``members`` plain ``mosquitto_sub`` sessions of one share group
    (``-C`` its share of a round robin each): the broker's own delivery ceiling."""
    group = f"raw_{secrets.token_hex(3)}"
    topic = f"$share/{group}/kyusui/v1/st/+/telemetry"
    ids = [f"{group}-{n}" for n in range(members)]
    for client_id in ids:
        join_group(broker, client_id, topic)
    publish(broker, files)
    outs = [next(iter(files.values())).parent / f"{client_id}.out" for client_id in ids]
    around, machine = cpu_s(broker.process.pid) if broker.process else 0.0, cpu_counters()
    started = time.perf_counter()
    subs = [
        subprocess.Popen(
            [
                *("mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-u", SERVER),
                *("-P", broker.accounts[SERVER], "-V", "mqttv5", "-c", "-x", "3600", "-i", cid),
                *("-q", "1", "-t", topic, "-F", "m", "-C", str(TOTAL // members)),
            ],
            stdout=out.open("wb"),
        )
        for cid, out in zip(ids, outs, strict=True)
    ]
    for sub in subs:
        try:
            sub.wait(60)
        except subprocess.TimeoutExpired:
            sub.kill()  # fewer than its share came: counted below
            sub.wait()
    elapsed = time.perf_counter() - started
    broker_cpu = (cpu_s(broker.process.pid) if broker.process else 0.0) - around
    share = busy_since(machine)
    taken = [out.read_bytes().count(b"\n") for out in outs]
    for client_id in ids:
        forget_session(broker, client_id)
    return Drained(
        sum(taken) / elapsed,
        TOTAL - sum(taken),
        taken,
        broker_cpu_s_per_1000=broker_cpu / TOTAL * 1000,
        machine_busy=share,
    )
