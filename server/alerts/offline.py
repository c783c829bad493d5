"""Raising and clearing "offline" alerts from the fleet's last-seen times."""

from server.alerts.book import AlertBook
from server.alerts.rules import OFFLINE_KINDS, offline_condition
from server.registry.db import Registry, now_ms
from server.registry.models import EnrolmentState
from server.registry.stations import list_stations
from server.store.base import TimeSeriesStore


def check_offline(
    store: TimeSeriesStore, registry: Registry, book: AlertBook, after_s: int
) -> None:
    with registry.session() as session:
        retired = {s.id for s in list_stations(session) if s.state == EnrolmentState.RETIRED}
    now = now_ms()
    for state in store.fleet():
        if state.station in retired:
            continue
        book.sync(state.station, OFFLINE_KINDS, offline_condition(state.last_seen_ms, now, after_s))
