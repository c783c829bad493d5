"""Free loopback ports."""

import random
import socket
import time
from pathlib import Path

# Ports handed out by this process, so two services of one run never get the same one.
_handed_out: set[int] = set()


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(preferred: int | None = None, host: str = "127.0.0.1") -> int:
    """``preferred`` or the next free port above it; any free port when None.

    Any free port is chosen below the kernel's ephemeral range: a port from that range can be
    taken as the source port of some outgoing connection in the seconds between being
    handed out here and the service binding it (seen as "address already in use").
    """
    if preferred is not None:
        for port in range(preferred, preferred + 100):
            if is_free(port, host):
                return port
    low = _ephemeral_low()
    for _ in range(200):
        port = random.randrange(10_000, low)
        if port not in _handed_out and is_free(port, host):
            _handed_out.add(port)
            return port
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _ephemeral_low() -> int:
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768
    return max(low, 10_001)


def wait_for_port(port: int, timeout_s: float = 10.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing is listening on {host}:{port} after {timeout_s} s")
