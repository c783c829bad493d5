"""systemd readiness and watchdog pings (sd_notify(3)): a datagram to ``$NOTIFY_SOCKET``.

Outside systemd the variable is unset and every call does nothing.
"""

import os
import socket
import time
from contextlib import suppress


class SystemdNotifier:
    def __init__(self) -> None:
        address = os.environ.get("NOTIFY_SOCKET", "")
        self.address = "\0" + address[1:] if address.startswith("@") else address
        usec = os.environ.get("WATCHDOG_USEC", "")
        # Ping at a third of the watchdog interval; None when there is no watchdog.
        self.ping_every_s = int(usec) / 3_000_000 if usec.isdigit() else None
        self._last_ping = 0.0

    def _send(self, message: str) -> None:
        if not self.address:
            return
        # OSError: systemd is gone (shutdown); there is nothing useful to do about it.
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock, suppress(OSError):
            sock.sendto(message.encode(), self.address)

    def ready(self, status: str = "") -> None:
        self._send("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, status: str) -> None:
        self._send(f"STATUS={status}")

    def watchdog(self) -> None:
        """Call often; sends at most one ping per third of the watchdog interval."""
        if self.ping_every_s is None:
            return
        now = time.monotonic()
        if now - self._last_ping >= self.ping_every_s:
            self._last_ping = now
            self._send("WATCHDOG=1")

    def stopping(self) -> None:
        self._send("STOPPING=1")
