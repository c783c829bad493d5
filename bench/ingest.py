"""Ingest throughput: simulated stations → Mosquitto → ingest worker(s) → InfluxDB.

The same stream (STATIONS × PER_STATION telemetry messages, QoS 1, published as fast as
``mosquitto_pub`` can) is delivered six times in one run:
  1. to a plain ``mosquitto_sub`` (the broker's raw delivery rate, the baseline),
  2. to a bare paho-mqtt v5 subscriber that does nothing with what it gets (the client
     library's own ceiling on this machine),
  3. to one ingest worker (``python -m server.ingest``) writing to InfluxDB, without the
     stored confirmations (``ingest_confirm_stored = false``),
  4. the same with them (the default: one ``…/stored`` per station per batch),
  5. to two ingest workers sharing the subscription, with confirmations,
  6. to one worker writing to SQLite instead, with confirmations.
A worker's rate counts only readings that landed in the store (polled with InfluxQL or SQL).
Then the drain rounds, on a broker of their own (autosave as shipped, room for the whole
stream in one session's queue), with the publishers out of the contest: the consumers'
persistent sessions join a share group and go offline, the whole stream is published into
the broker, and only then do they connect and take the backlog:
  7. one and two plain ``mosquitto_sub`` sessions (the broker's delivery ceiling),
  8. one ingest worker, then two (a fresh share group and database each), into InfluxDB,
     timed from the first worker's connection until the whole stream is stored; each
     worker's share (its ``/metrics``) and CPU, the broker's and InfluxDB's, and how busy
     the machine was. A message the broker dropped shows as ``lost``.
``--drain`` runs only rounds 7 and 8. The last line is one JSON object; ratio = one worker
(confirming) / raw, paho_ratio = the same over the bare paho rate. It also gives the cost of
decoding one of the stream's messages with the contract's strict decoder and with ingest's
telemetry decoder (its verdicts, at one parse), next to pydantic's lax JSON parsing, which
ingest used long ago (and which coerced wrong types). The stream, its publishers and the
workers as processes are ``bench/rig.py``.
"""

import argparse
import json
import os
import secrets
import sys
import tempfile
import threading
import time
import timeit
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

os.environ.setdefault("BENCH_PER_STATION", "5000")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.drain import drain, raw_drain  # noqa: E402
from bench.rig import (  # noqa: E402
    PER_STATION,
    SERVER,
    STATIONS,
    TOTAL,
    Kyusui,
    publish,
    raw_rate,
    stream_files,
    until_stored,
)
from contract.codec import decode  # noqa: E402
from contract.messages import Telemetry  # noqa: E402
from devnet.influx import InfluxDB  # noqa: E402
from devnet.mosquitto import Mosquitto  # noqa: E402
from devnet.ports import free_port  # noqa: E402
from server.ingest.telemetry import telemetry  # noqa: E402


def paho_rate(broker: Mosquitto, files: dict[str, Path]) -> float:
    """A paho v5 QoS 1 subscriber that only counts (auto-acknowledged by the library)."""
    received = 0
    done = threading.Event()

    def on_message(client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        nonlocal received
        received += 1
        if received >= TOTAL:
            done.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(SERVER, broker.accounts[SERVER])
    client.on_message = on_message
    client.connect("127.0.0.1", broker.port or 0)
    client.subscribe("kyusui/v1/st/+/telemetry", qos=1)
    client.loop_start()
    try:
        time.sleep(0.5)  # subscribed by then
        started = publish(broker, files)
        if not done.wait(300):
            raise RuntimeError(f"paho received only {received} of {TOTAL}")
        return TOTAL / (time.perf_counter() - started)
    finally:
        client.disconnect()
        client.loop_stop()


def worker_rate(
    broker: Mosquitto,
    influx: InfluxDB | None,
    files: dict[str, Path],
    workers: int,
    workdir: Path,
    confirm: bool = True,
    backend: str = "influxdb-v1",
) -> float:
    kyusui = Kyusui(broker, workdir, backend, influx, confirm)
    kyusui.init()
    kyusui.start(workers)
    try:
        return until_stored(kyusui.stored, publish(broker, files), kyusui.last_of(files))
    finally:
        kyusui.stop()


def decode_us(files: dict[str, Path]) -> dict[str, float]:
    """Microseconds to decode one message: the contract's strict decoder, ingest's telemetry
    decoder (the same verdicts, one parse when it can prove that enough), and the lax parse
    ingest once used."""
    message = next(iter(files.values())).read_bytes().splitlines()[0]
    n = 20_000
    strict = timeit.timeit(lambda: decode(Telemetry, message), number=n) / n * 1e6
    ingest = timeit.timeit(lambda: telemetry(message), number=n) / n * 1e6
    lax = timeit.timeit(lambda: Telemetry.model_validate_json(message), number=n) / n * 1e6
    return {
        "decode_us_strict": round(strict, 2),
        "decode_us_ingest": round(ingest, 2),
        "decode_us_lax": round(lax, 2),
    }


def drain_rounds(
    broker: Mosquitto, influx: InfluxDB, files: dict[str, Path], workdir: Path
) -> dict[str, object]:
    """Rounds 7 and 8: the stream as a backlog, for the broker alone, then 1 and 2 workers."""
    services = [p.pid for p in (broker.process, influx.process) if p is not None]
    raw1 = raw_drain(broker, files, 1)
    print(f"drain, 1 mosquitto_sub:  {raw1}", flush=True)
    raw2 = raw_drain(broker, files, 2)
    print(f"drain, 2 mosquitto_sub:  {raw2}", flush=True)
    kyusui = [
        Kyusui(broker, workdir, influx=influx, session_expiry_s=3600, workers=n, metrics=True)
        for n in (1, 2)
    ]
    one = drain(kyusui[0], files, services)
    print(f"drain, 1 worker:         {one}", flush=True)
    two = drain(kyusui[1], files, services)
    print(f"drain, 2 workers:        {two}", flush=True)
    return {
        "drain_msgs_per_s_1worker": round(one.msgs_per_s),
        "drain_msgs_per_s_2workers": round(two.msgs_per_s),
        "drain_two_workers_over_one": round(two.msgs_per_s / one.msgs_per_s, 2),
        # Per core the round's own processes got: what others' work on the machine leaves
        # out. Equal for one and two workers: nothing serialises them but the cores.
        "drain_two_over_one_per_core": round(
            two.msgs_per_s / two.cores()[0] / (one.msgs_per_s / one.cores()[0]), 2
        ),
        "drain_raw_two_over_one": round(raw2.msgs_per_s / raw1.msgs_per_s, 2),
        "drain_1worker": one.figures(),
        "drain_2workers": two.figures(),
        "drain_raw_1sub": raw1.figures(),
        "drain_raw_2subs": raw2.figures(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Ingest throughput, live and from a backlog.")
    parser.add_argument("--drain", action="store_true", help="only the drain rounds (7 and 8)")
    only_drain = parser.parse_args().drain
    workdir = Path(tempfile.mkdtemp(prefix="kyusui-bench-"))
    stations = {f"bench-{s:03d}": secrets.token_urlsafe(8) for s in range(STATIONS)}

    def new_broker(name: str, autosave_s: int | None = 1, queued: int = 100_000) -> Mosquitto:
        return Mosquitto(
            workdir / name,
            accounts={SERVER: secrets.token_urlsafe(8)} | stations,
            station_areas=dict.fromkeys(stations, "bench"),
            port=free_port(),
            autosave_interval_s=autosave_s,
            max_queued_messages=queued,
        ).start()

    # The drain rounds' broker: a save every 30 min as shipped (not a save of the whole
    # backlog every second), and room for the whole stream in one session's queue.
    drain_broker = new_broker("broker-drain", None, 2 * TOTAL)
    broker = new_broker("broker")
    influx = InfluxDB(workdir / "influx").start()
    try:
        files = stream_files(workdir, int(time.time() * 1000) - PER_STATION * 1000)
        print(f"stream: {STATIONS} stations × {PER_STATION} messages = {TOTAL} (QoS 1)")
        if only_drain:
            print(
                json.dumps({"messages": TOTAL} | drain_rounds(drain_broker, influx, files, workdir))
            )
            return
        costs = decode_us(files)
        print(
            f"decoding one message: {costs['decode_us_strict']} µs strict, "
            f"{costs['decode_us_ingest']} µs ingest's (lax parse: {costs['decode_us_lax']} µs)"
        )
        raw = raw_rate(broker, files)
        print(f"mosquitto_sub (raw delivery):   {raw:,.0f} msg/s")
        bare = paho_rate(broker, files)
        print(f"bare paho subscriber:           {bare:,.0f} msg/s  ({bare / raw:.2f} × raw)")
        plain = worker_rate(broker, influx, files, 1, workdir, confirm=False)
        print(f"1 worker, no confirmations:     {plain:,.0f} msg/s  ({plain / raw:.2f} × raw)")
        one = worker_rate(broker, influx, files, 1, workdir)
        print(f"1 worker, stored confirmations: {one:,.0f} msg/s  ({one / raw:.2f} × raw)")
        two = worker_rate(broker, influx, files, 2, workdir)
        print(f"2 workers, confirmations:       {two:,.0f} msg/s  ({two / raw:.2f} × raw)")
        lite = worker_rate(broker, None, files, 1, workdir, backend="sqlite")
        print(f"1 worker, SQLite:               {lite:,.0f} msg/s  ({lite / raw:.2f} × raw)")
        drained = drain_rounds(drain_broker, influx, files, workdir)
        print(
            json.dumps(
                {
                    "messages": TOTAL,
                    "msgs_per_s_1worker": round(one),
                    "msgs_per_s_1worker_unconfirmed": round(plain),
                    "msgs_per_s_2workers": round(two),
                    "msgs_per_s_1worker_sqlite": round(lite),
                    "two_workers_over_one": round(two / one, 2),
                    "paho_bare_msgs_per_s": round(bare),
                    "broker_raw_msgs_per_s": round(raw),
                    "ratio": round(one / raw, 3),
                    "paho_ratio": round(one / bare, 3),
                }
                | costs
                | drained
            )
        )
    finally:
        influx.stop()
        broker.stop()
        drain_broker.stop()
        httpx.Client().close()


if __name__ == "__main__":
    main()
