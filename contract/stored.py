"""The end-to-end acknowledgement: which of a station's messages the server has stored.

A broker's PUBACK says only that the broker has a message. ``Stored``, published by the
ingest worker that wrote a batch, says that the server is done with the messages it names:
their content is durably stored (or quarantined with a reason, so sending them again would
not help). Messages are named by (topic, session, seq) in ranges of consecutive ``seq``.

Pure logic: the server builds ranges with ``to_ranges``; a station asks ``covered`` which
of the seqs it holds a message names.
"""

from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from contract.messages import Count, _Message

MAX_RANGES = 1000


class ConfirmedTopic(StrEnum):
    """The uplink topics whose messages are confirmed."""

    TELEMETRY = "telemetry"
    RECEIPTS = "receipts"


class StoredRange(_Message):
    """Every message on ``topic`` of ``session`` with ``first`` ≤ ``seq`` ≤ ``last``."""

    topic: ConfirmedTopic
    session: Count
    first: Count
    last: Count

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.first > self.last:
            raise ValueError("first must not be greater than last")
        return self


class Stored(_Message):
    v: Literal[1] = 1
    ranges: Annotated[list[StoredRange], Field(min_length=1, max_length=MAX_RANGES)]


def to_ranges(done: Iterable[tuple[ConfirmedTopic, int, int]]) -> list[StoredRange]:
    """(topic, session, seq) triples as few ranges as possible, in order; repeats merge."""
    ranges: list[StoredRange] = []
    start: tuple[ConfirmedTopic, int, int] | None = None
    last = 0
    for topic, session, seq in sorted(set(done)):
        if start is not None and (topic, session) == start[:2] and seq == last + 1:
            last = seq
            continue
        if start is not None:
            ranges.append(StoredRange(topic=start[0], session=start[1], first=start[2], last=last))
        start, last = (topic, session, seq), seq
    if start is not None:
        ranges.append(StoredRange(topic=start[0], session=start[1], first=start[2], last=last))
    return ranges


def messages_for(done: Iterable[tuple[ConfirmedTopic, int, int]]) -> Iterator[Stored]:
    """The ``Stored`` messages that confirm ``done``: one, unless it needs more ranges than
    one message may carry."""
    ranges = to_ranges(done)
    for i in range(0, len(ranges), MAX_RANGES):
        yield Stored(ranges=ranges[i : i + MAX_RANGES])


def covered(stored: Stored, topic: ConfirmedTopic, session: int, held: Iterable[int]) -> list[int]:
    """Which of the ``held`` seqs (of ``topic`` in ``session``) the message confirms.

    Ranges of other sessions or topics, and seqs not held, are ignored: a confirmation may
    come twice, late, out of order, or for a session the station has forgotten.
    """
    mine = [(r.first, r.last) for r in stored.ranges if r.topic is topic and r.session == session]
    if not mine:
        return []
    return [seq for seq in held if any(first <= seq <= last for first, last in mine)]
