"""A station behind its own network link: a network namespace joined to the host by a veth
pair, whose host end the suite takes down and up, with ``tc netem`` loss and delay when
the kernel has it. Needs root and iproute2."""

import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

INSTALL_HINT = "iproute2 is not installed: run 'sudo apt-get install iproute2'"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@dataclass(frozen=True)
class Link:
    namespace: str
    host_end: str
    host_address: str  # where the station reaches the host (the broker listens there)

    def down(self) -> None:
        _ip("link", "set", self.host_end, "down")

    def up(self) -> None:
        _ip("link", "set", self.host_end, "up")

    def impair(self, loss_pct: float, delay_ms: int) -> bool:
        """Loss and delay on the link; False when the kernel has no netem."""
        netem = ["netem", "loss", f"{loss_pct}%", "delay", f"{delay_ms}ms"]
        done = subprocess.run(
            ["tc", "qdisc", "add", "dev", self.host_end, "root", *netem], capture_output=True
        )
        return done.returncode == 0


@contextmanager
def namespace_link() -> Iterator[Link]:
    if shutil.which("ip") is None:
        raise RuntimeError(INSTALL_HINT)
    tag = f"{os.getpid() % 100_000}"
    subnet = random.Random(os.getpid()).randrange(1, 250)
    link = Link(f"kyusui-faults-{tag}", f"kyf{tag}h", f"10.231.{subnet}.1")
    station_end = f"kyf{tag}s"
    _ip("netns", "add", link.namespace)
    try:
        _ip("link", "add", link.host_end, "type", "veth", "peer", "name", station_end)
        _ip("link", "set", station_end, "netns", link.namespace)
        _ip("addr", "add", f"{link.host_address}/30", "dev", link.host_end)
        _ip("link", "set", link.host_end, "up")
        inside = ("netns", "exec", link.namespace, "ip")
        _ip(*inside, "addr", "add", f"10.231.{subnet}.2/30", "dev", station_end)
        _ip(*inside, "link", "set", station_end, "up")
        _ip(*inside, "link", "set", "lo", "up")
        yield link
    finally:
        subprocess.run(["ip", "link", "del", link.host_end], capture_output=True)
        subprocess.run(["ip", "netns", "del", link.namespace], capture_output=True)
