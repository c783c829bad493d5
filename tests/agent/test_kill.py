"""kill -9 at any moment loses nothing that reached the outbox."""

import random
import signal
import sqlite3
import time
from pathlib import Path

from devnet.mosquitto import Mosquitto
from tests.agent.conftest import Listener, wait_until
from tests.agent.process import agent_env, start_agent


def outbox(state_dir: Path) -> tuple[set[int], int]:
    """(timestamps waiting in the outbox, how many readings were ever written to it)."""
    if not (state_dir / "agent.sqlite").exists():
        return set(), 0  # killed before it had created its files
    conn = sqlite3.connect(state_dir / "agent.sqlite", timeout=5)
    try:
        waiting = {r[0] for r in conn.execute("SELECT ts FROM outbox")}
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
        return waiting, int(row[0]) if row else 0
    finally:
        conn.close()


def test_readings_in_the_outbox_survive_sigkill_at_random_moments(
    own_broker: Mosquitto, tmp_path: Path
) -> None:
    listener = Listener(own_broker, persistent=True).start()
    state_dir = tmp_path / "state"
    env = agent_env(own_broker, state_dir)
    rng = random.Random(20260801)
    seen_in_outbox: set[int] = set()
    try:
        for round_ in range(5):
            before = outbox(state_dir)[1]
            process = start_agent(env, tmp_path / "agent.log")
            time.sleep(rng.uniform(0.8, 2.0))
            if round_ == 2:
                # One kill lands while readings pile up offline, once the agent measures
                # (a loaded machine may take longer than the sleep to start it).
                def measuring(since: int = before) -> bool:
                    return outbox(state_dir)[1] > since

                assert wait_until(measuring, timeout_s=20)
                own_broker.stop()
                time.sleep(0.5)
            process.send_signal(signal.SIGKILL)
            process.wait()
            if own_broker.process is None:
                own_broker.start()
            waiting, _ = outbox(state_dir)
            seen_in_outbox |= waiting
        assert seen_in_outbox, "no kill found readings waiting: the test proved nothing"

        _, written_before = outbox(state_dir)
        process = start_agent(env, tmp_path / "agent.log")
        assert wait_until(lambda: outbox(state_dir)[1] > written_before + 5, timeout_s=20)
        assert wait_until(lambda: len(outbox(state_dir)[0]) <= 2, timeout_s=20)
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
        written = outbox(state_dir)[1]
        # What the broker acknowledged may still be on its way to the listener.
        wait_until(lambda: len({r["ts"] for r in listener.readings()}) >= written, timeout_s=10)
    finally:
        listener.stop()

    waiting, written = outbox(state_dir)
    received = {r["ts"] for r in listener.readings()}
    assert not waiting, "a clean stop left readings behind"
    assert seen_in_outbox <= received, f"lost: {sorted(seen_in_outbox - received)[:5]}"
    assert len(received) == written, "every reading ever written arrived, none invented"
