"""Station agent figures: steady RSS, CPU at one reading per 10 s, bytes written to disk per
day, and the time to replay 14 days of buffered readings (20,160) to a real Mosquitto.

Usage: python bench/agent.py [--window-s 60] [--disk-interval-s 60]
The last line printed is one JSON object: {"rss_mb", "cpu_pct_at_10s", "replay_s_20160"}.
"""

import argparse
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procstat import cpu_s, status_mb  # noqa: E402
from contract.codec import encode  # noqa: E402
from contract.stored import ConfirmedTopic, messages_for  # noqa: E402
from contract.topics import stored_topic  # noqa: E402
from devnet.agent import simulated_agent_env, start_agent  # noqa: E402
from devnet.mosquitto import Mosquitto  # noqa: E402
from sensors.uplink.agentdb import open_agent_db  # noqa: E402

STATION = "st-bench-01"
SERVER = "kyusui-server"
REPLAY_READINGS = 20_160


def agent_env(broker: Mosquitto, state_dir: Path, interval_s: float) -> dict[str, str]:
    assert broker.port is not None
    env = simulated_agent_env(
        STATION,
        "naka",
        broker.port,
        broker.accounts[STATION],
        state_dir,
        config_file=state_dir / "absent.toml",
        reading_interval_s=str(interval_s),
    )
    return {**os.environ, **env}


def pss_mb(pid: int) -> float:
    """Proportional set size: shared libraries counted once across the processes using them."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no Pss")


def written_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    raise RuntimeError("no write_bytes")


def steady_state(
    broker: Mosquitto, workdir: Path, window_s: float, interval_s: float = 10.0
) -> dict[str, float]:
    state_dir = workdir / f"steady-{interval_s:g}"
    process = start_agent(agent_env(broker, state_dir, interval_s), workdir / "steady.log")
    try:
        time.sleep(15)  # start-up, first connection, first readings
        cpu0, io0, t0 = cpu_s(process.pid), written_bytes(process.pid), time.monotonic()
        time.sleep(window_s)
        cpu1, io1, t1 = cpu_s(process.pid), written_bytes(process.pid), time.monotonic()
        rss, pss = status_mb(process.pid), pss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(20)
    elapsed = t1 - t0
    per_reading = (io1 - io0) / (elapsed / interval_s)
    # Pages dirtied by readings closer together than the kernel's 30 s write-back are
    # written once, so the per-reading figure depends on the interval it was measured at.
    return {
        "rss_mb": round(rss, 1),
        "pss_mb": round(pss, 1),
        "cpu_pct_at_10s": round(100 * (cpu1 - cpu0) / elapsed, 2),
        f"disk_bytes_per_reading_at_{interval_s:g}s": round(per_reading),
        f"disk_bytes_per_day_at_{interval_s:g}s": round(per_reading * 86_400 / interval_s),
    }


def fill_outbox(state_dir: Path, count: int) -> None:
    """14 days of readings, as an offline station would have stored them."""
    conn = open_agent_db(state_dir).conn
    start = time.time_ns() // 1_000_000 - count * 60_000
    body = json.dumps(
        {"temp_c": 31.2, "rh": 62.5, "wbgt": 28.4, "level": "severe_warning", "quality": "ok"},
        separators=(",", ":"),
    )
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO outbox (ts, mono_ms, boot_id, time_source, body) VALUES (?, ?, ?, ?, ?)",
        ((start + i * 60_000, i * 60_000, "bench", "synced", body) for i in range(count)),
    )
    conn.execute("COMMIT")
    conn.close()


def replay(broker: Mosquitto, workdir: Path) -> float:
    state_dir = workdir / "replay"
    fill_outbox(state_dir, REPLAY_READINGS)
    seen: set[int] = set()
    online_at: list[float] = []
    done = threading.Event()

    def on_message(client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        if message.topic.endswith("/status") and b'"online"' in message.payload:
            online_at.append(time.monotonic())
        elif message.topic.endswith("/telemetry"):
            sent = json.loads(message.payload)
            seen.update(r["ts"] for r in sent["readings"])
            # As ingest does once it stored them: the agent may then send the next ones.
            done_ = [(ConfirmedTopic.TELEMETRY, sent["session"], sent["seq"])]
            for confirmation in messages_for(done_):
                client.publish(stored_topic(STATION), encode(confirmation), qos=1)
            if len(seen) >= REPLAY_READINGS:
                done.set()

    listener = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    listener.username_pw_set(SERVER, broker.accounts[SERVER])
    listener.on_message = on_message
    listener.connect("127.0.0.1", broker.port or 0)
    listener.subscribe(f"kyusui/v1/st/{STATION}/#", qos=1)
    listener.loop_start()
    time.sleep(0.5)
    started = time.monotonic()
    process = start_agent(agent_env(broker, state_dir, 60.0), workdir / "replay.log")
    try:
        if not done.wait(300):
            raise RuntimeError(f"only {len(seen)} of {REPLAY_READINGS} readings arrived")
        finished = time.monotonic()
    finally:
        process.terminate()
        process.wait(20)
        listener.disconnect()
        listener.loop_stop()
    connected = online_at[0] if online_at else started
    print(f"replay: process start to last reading {finished - started:.2f} s")
    return round(finished - connected, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--window-s", type=float, default=60.0, help="CPU/disk measuring window")
    parser.add_argument(
        "--disk-interval-s",
        type=float,
        default=0.0,
        help="also measure disk writes at this reading interval (60 = the default; slow)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kyusui-bench-", dir="/var/tmp") as tmp:
        workdir = Path(tmp)
        workdir.chmod(0o755)  # the broker drops to its own user and must reach its files
        accounts = {SERVER: secrets.token_urlsafe(12), STATION: secrets.token_urlsafe(12)}
        broker = Mosquitto(
            workdir / "broker", accounts=accounts, station_areas={STATION: "naka"}
        ).start()
        try:
            replay_s = replay(broker, workdir)
            steady = steady_state(broker, workdir, args.window_s)
            if args.disk_interval_s:
                window = max(args.window_s, 5 * args.disk_interval_s)
                disk = steady_state(broker, workdir, window, args.disk_interval_s)
                steady |= {k: v for k, v in disk.items() if k.startswith("disk_")}
        finally:
            broker.stop()
    for name, value in steady.items():
        print(f"{name}: {value}")
    print(f"replay_s_20160: {replay_s}")
    print(
        json.dumps(
            {
                "rss_mb": steady["rss_mb"],
                "cpu_pct_at_10s": steady["cpu_pct_at_10s"],
                "replay_s_20160": replay_s,
            }
        )
    )


if __name__ == "__main__":
    main()
