"""systemd readiness and watchdog pings (``Type=notify``, ``WatchdogSec=``), without a library.

Outside systemd ``NOTIFY_SOCKET`` is unset and every call does nothing.
"""

import os
import socket


def notify(message: str) -> bool:
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(message.encode(), address)
    except OSError:
        return False
    return True
