"""Which station messages a batch is done with, and the ``…/stored`` messages that say so.

Pure logic: the worker publishes what ``confirmations`` returns after the batch's write.
"""

import json
from collections import defaultdict
from collections.abc import Iterable

from contract.codec import encode
from contract.messages import MAX_SAFE_INTEGER
from contract.stored import ConfirmedTopic, messages_for
from contract.topics import stored_topic

# (station id, topic, session, seq): one message the server stored or quarantined.
Done = tuple[str, ConfirmedTopic, int, int]
CONFIRMED_KINDS = frozenset(t.value for t in ConfirmedTopic)


def _count(value: object) -> int | None:
    if type(value) is int and 0 <= value <= MAX_SAFE_INTEGER:
        return value
    return None


def sent_as(station: str, kind: str, payload: bytes) -> Done | None:
    """The (session, seq) a refused message carried, if it can be read at all: a message
    that will be refused again however often it comes is confirmed, so the station stops
    sending it (it stays in quarantine for staff)."""
    if kind not in CONFIRMED_KINDS:
        return None
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    session, seq = _count(data.get("session")), _count(data.get("seq"))
    if session is None or seq is None:
        return None
    return station, ConfirmedTopic(kind), session, seq


def confirmations(done: Iterable[Done]) -> list[tuple[str, bytes]]:
    """(topic, payload) per station: one ``Stored`` each (more only past 1000 ranges)."""
    by_station: dict[str, list[tuple[ConfirmedTopic, int, int]]] = defaultdict(list)
    for station, topic, session, seq in done:
        by_station[station].append((topic, session, seq))
    return [
        (stored_topic(station), encode(message))
        for station, items in by_station.items()
        for message in messages_for(items)
    ]
