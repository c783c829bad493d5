"""A short-lived cache of the fleet view, shared by the requests of one API process.

Stations report about once a minute and many staff screens poll the fleet at once; one
computation per ``api_fleet_cache_s`` serves them all. Edits through this API clear it.
"""

import threading
import time
from collections.abc import Callable


class FleetCache:
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._entries: dict[bool, tuple[float, bytes]] = {}

    def get(self, key: bool, compute: Callable[[], bytes]) -> bytes:
        if self.ttl_s <= 0:
            return compute()
        with self._lock:  # one computation at a time; waiting requests reuse its result
            entry = self._entries.get(key)
            if entry is not None and time.monotonic() - entry[0] < self.ttl_s:
                return entry[1]
            body = compute()
            self._entries[key] = (time.monotonic(), body)
            return body

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
