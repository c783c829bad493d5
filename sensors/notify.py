"""systemd readiness and watchdog: datagrams to ``$NOTIFY_SOCKET`` (sd_notify(3)).

Without ``NOTIFY_SOCKET`` (not started by systemd, or not ``Type=notify``) every call is a
no-op, so the agent runs the same by hand, in the demo and under systemd.
"""

import logging
import os
import socket
import time

log = logging.getLogger("kyusui.agent.notify")


class SystemdNotifier:
    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        if address.startswith("@"):
            address = "\0" + address[1:]  # abstract namespace
        self.address = address or None
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        watched = usec.isdigit() and (not pid or pid == str(os.getpid()))
        self.watchdog_s: float | None = int(usec) / 1e6 if watched else None
        self._sock: socket.socket | None = None
        self._last_ping = -float("inf")

    def _send(self, text: str) -> None:
        if self.address is None:
            return
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            # Never block the measuring loop on systemd: a full queue drops this ping only.
            self._sock.sendto(text.encode(), socket.MSG_DONTWAIT, self.address)
        except BlockingIOError:
            log.debug("systemd's notify queue is full; %s not sent", text.split("=")[0])
        except OSError as exc:  # systemd gone or socket full: never a reason to stop measuring
            log.warning("could not notify systemd (%s): %s", text.split("=")[0], exc)

    def ready(self, status: str = "") -> None:
        self._send("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, status: str) -> None:
        self._send(f"STATUS={status}")

    def watchdog(self) -> None:
        """Ping, at most three times per watchdog period however often it is called."""
        if self.watchdog_s is None:
            return
        now = time.monotonic()
        if now - self._last_ping >= self.watchdog_s / 3:
            self._last_ping = now
            self._send("WATCHDOG=1")

    def stopping(self) -> None:
        self._send("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
