"""A short-lived cache of the whole-fleet views, shared by the requests of one API process.

Stations report about once a minute and many staff screens poll the fleet at once; one
computation per ``api_fleet_cache_s`` serves them all. A caller never waits behind a
recompute: once a view is older than its lifetime, callers get it as it is while one
background thread computes the next, and that thread goes on refreshing the view every
lifetime for as long as someone asked for it in the last ``KEEP_FRESH_S``. A screen that
polls every few seconds is thus never served a view older than one lifetime plus one
computation. Only the very first caller of a view, the first after an edit through this
API (which clears the cache) and the first after a view went unasked for longer than
``KEEP_FRESH_S`` wait for it; the fleet's refresh then costs what changed meanwhile.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from server.api.fleet_snapshot import FleetSnapshot

log = logging.getLogger("kyusui.api")
KEEP_FRESH_S = 60.0


@dataclass(frozen=True, slots=True)
class Cached:
    body: bytes
    etag: str  # quoted, as in the ETag header
    cursor: int  # the change feed's cursor: when this body's computation started
    at: float  # time.monotonic() of its computation
    next_after: str | None = None  # paging: where the next page starts


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


# What a view's computation returns: its body, its change-feed cursor, its next page, and
# its ETag (None: a hash of the body).
Compute = Callable[[], tuple[bytes, int, str | None, str | None]]


class FleetCache:
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._entries: dict[Hashable, Cached] = {}
        self._refreshing: set[Hashable] = set()
        self._first: dict[Hashable, threading.Lock] = {}
        self._generation = 0  # bumped by clear(): a refresh begun before it is dropped
        self._snapshots: dict[Hashable, FleetSnapshot] = {}
        self._asked: dict[Hashable, float] = {}  # time.monotonic() of each view's last caller

    def snapshot(self, compact: bool, include_retired: bool) -> FleetSnapshot:
        """The whole fleet kept up to date from the change feed (kept across clear())."""
        with self._lock:
            key = (compact, include_retired)
            found = self._snapshots.get(key)
            if found is None:
                found = self._snapshots[key] = FleetSnapshot(compact, include_retired)
            return found

    def get(self, key: Hashable, compute: Callable[[], bytes]) -> bytes:
        return self.entry(key, lambda: (compute(), 0, None, None)).body

    def entry(self, key: Hashable, compute: Compute) -> Cached:
        if self.ttl_s <= 0:
            return _computed(compute)
        with self._lock:
            now = self._asked[key] = time.monotonic()
            found = self._entries.get(key)
            if found is not None and now - found.at >= KEEP_FRESH_S:
                found = None  # unasked for so long that serving it would mislead
            if found is not None:
                if now - found.at >= self.ttl_s and key not in self._refreshing:
                    self._refreshing.add(key)
                    threading.Thread(
                        target=self._keep_fresh,
                        args=(key, compute),
                        name="fleet-cache",
                        daemon=True,
                    ).start()
                return found
            first = self._first.setdefault(key, threading.Lock())
        with first:  # nothing to serve yet: one computation, the others wait for it
            with self._lock:
                found = self._entries.get(key)
                generation = self._generation
            if found is not None and time.monotonic() - found.at < KEEP_FRESH_S:
                return found
            computed = _computed(compute)
            self._store(key, computed, generation)
            return computed

    def _keep_fresh(self, key: Hashable, compute: Compute) -> None:
        while True:
            with self._lock:
                generation = self._generation
            try:
                self._store(key, _computed(compute), generation)
            except Exception:
                log.exception("could not refresh the fleet view; serving the previous one")
            with self._lock:
                if time.monotonic() - self._asked.get(key, 0.0) >= KEEP_FRESH_S:
                    self._refreshing.discard(key)
                    return
            time.sleep(self.ttl_s)

    def _store(self, key: Hashable, computed: Cached, generation: int) -> None:
        with self._lock:
            if generation == self._generation:
                self._entries[key] = computed

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()


def _computed(compute: Compute) -> Cached:
    body, cursor, next_after, etag = compute()
    return Cached(body, etag or etag_of(body), cursor, time.monotonic(), next_after)
