"""Raising and clearing "offline" alerts from the fleet's last-seen times (station_latest)."""

from server.alerts.book import AlertBook
from server.alerts.rules import OFFLINE_KINDS, offline_condition
from server.registry.db import Registry, now_ms
from server.registry.latest import last_seen


def check_offline(registry: Registry, book: AlertBook, after_s: int) -> None:
    with registry.session() as session:
        seen = last_seen(session)
    now = now_ms()
    for station, seen_ms in seen:
        book.sync(station, OFFLINE_KINDS, offline_condition(seen_ms, now, after_s))
