"""``python -m devnet`` (what ./scripts/demo runs): it says where its services are, serves
them, and stops every child on Ctrl-C or SIGTERM."""

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devnet.ports import free_port, is_free

ROOT = Path(__file__).resolve().parents[2]


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid``, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Demo:
    def __init__(self, workdir: Path) -> None:
        self.api_port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devnet",
                "--interval",
                "1",
                "--api-port",
                str(self.api_port),
                "--workdir",
                str(workdir),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.output: list[str] = []

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def read_until(self, last: str, timeout_s: float = 60.0) -> list[str]:
        deadline = time.monotonic() + timeout_s
        while not self.output or self.output[-1] != last:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {last!r} line; output so far: {self.output}")
            try:
                self.output.append(self.lines.get(timeout=remaining))
            except queue.Empty:
                continue
        return self.output

    def value(self, name: str) -> str:
        for line in self.output:
            if line.startswith(f"{name}: "):
                return line.split(": ", 1)[1]
        raise AssertionError(f"no {name!r} line in {self.output}")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = Demo(tmp_path)
    try:
        yield running
    finally:
        if running.process.poll() is None:  # the test failed half-way: clean up after it
            children = descendants(running.process.pid)
            running.process.kill()
            running.process.wait()
            for pid in children:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_demo_prints_its_services_and_stops_cleanly(
    demo: Demo, stop_signal: signal.Signals
) -> None:
    demo.read_until("Ctrl-C stops everything.")
    broker = re.fullmatch(r"mqtt://127\.0\.0\.1:(\d+)", demo.value("broker"))
    assert broker, demo.value("broker")
    broker_port = int(broker[1])
    api_url = demo.value("api").split()[0]
    assert api_url == f"http://127.0.0.1:{demo.api_port}"
    assert sum(line.startswith("station: ") for line in demo.output) == 3

    token = demo.value("api token")
    response = httpx.get(
        f"{api_url}/api/v1/stations", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200
    assert demo.value("console") == f"{api_url}/"
    login, password = demo.value("login").split()
    signed_in = httpx.post(
        f"{api_url}/api/v1/session", json={"login": login, "password": password}, timeout=10
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["role"] == "admin"

    children = descendants(demo.process.pid)
    assert len(children) >= 6, "a broker, ingest, API and three stations"
    demo.process.send_signal(stop_signal)
    assert demo.process.wait(60) == 0
    demo.read_until("stopped.", timeout_s=10)
    left = sorted(pid for pid in children if alive(pid))
    assert not left, f"children left behind: {left}"
    assert is_free(demo.api_port)
    assert is_free(broker_port)
