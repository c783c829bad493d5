"""The stored acknowledgement: ranges say exactly which messages the server is done with,
whatever order, repetition or session they come in."""

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.codec import decode, encode
from contract.errors import ContractError
from contract.stored import (
    MAX_RANGES,
    ConfirmedTopic,
    Stored,
    StoredRange,
    covered,
    messages_for,
    to_ranges,
)

T, R = ConfirmedTopic.TELEMETRY, ConfirmedTopic.RECEIPTS
triples = st.lists(
    st.tuples(st.sampled_from(ConfirmedTopic), st.integers(0, 3), st.integers(0, 60)),
    max_size=80,
)


def expand(ranges: list[StoredRange]) -> set[tuple[ConfirmedTopic, int, int]]:
    return {(r.topic, r.session, s) for r in ranges for s in range(r.first, r.last + 1)}


@settings(max_examples=300)
@given(triples)
def test_ranges_name_exactly_the_stored_messages_and_no_range_could_be_merged(
    done: list[tuple[ConfirmedTopic, int, int]],
) -> None:
    ranges = to_ranges(done)
    assert expand(ranges) == set(done)
    for a, b in itertools.pairwise(ranges):
        assert (a.topic, a.session, a.last + 1) != (b.topic, b.session, b.first)


def test_consecutive_messages_become_one_range() -> None:
    ranges = to_ranges([(T, 12, 7), (T, 12, 5), (T, 12, 6), (T, 12, 6), (R, 12, 1), (T, 13, 1)])
    assert [(r.topic, r.session, r.first, r.last) for r in ranges] == [
        (R, 12, 1, 1),
        (T, 12, 5, 7),
        (T, 13, 1, 1),
    ]


def test_a_station_takes_only_what_it_holds_of_its_own_session() -> None:
    stored = Stored(
        ranges=[
            StoredRange(topic=T, session=12, first=3, last=5),
            StoredRange(topic=T, session=11, first=1, last=100),  # a session it forgot
            StoredRange(topic=R, session=12, first=1, last=100),  # another topic
        ]
    )
    assert covered(stored, T, 12, [1, 2, 3, 4, 5, 6]) == [3, 4, 5]
    assert covered(stored, T, 12, []) == []
    assert covered(stored, T, 99, [1, 2]) == []


@settings(max_examples=200)
@given(triples, st.randoms())
def test_confirmations_twice_and_in_any_order_confirm_the_same(
    done: list[tuple[ConfirmedTopic, int, int]], rng: random.Random
) -> None:
    held = list(range(0, 61))
    messages = [Stored(ranges=[r]) for r in to_ranges(done)] * 2
    rng.shuffle(messages)
    confirmed = {s for m in messages for s in covered(m, T, 2, held)}
    assert confirmed == {s for topic, session, s in done if topic is T and session == 2}


def test_a_range_runs_forwards_and_a_message_is_never_empty() -> None:
    with pytest.raises(ContractError) as caught:
        decode(Stored, b'{"v":1,"ranges":[{"topic":"telemetry","session":1,"first":5,"last":4}]}')
    assert caught.value.reason == "schema"
    with pytest.raises(ContractError):
        decode(Stored, b'{"v":1,"ranges":[]}')
    with pytest.raises(ContractError):
        decode(Stored, b'{"v":1,"ranges":[{"topic":"health","session":1,"first":1,"last":1}]}')


def test_very_many_ranges_are_split_over_messages_that_each_decode() -> None:
    done = [(T, 1, 2 * i) for i in range(MAX_RANGES + 5)]
    messages = list(messages_for(done))
    assert [len(m.ranges) for m in messages] == [MAX_RANGES, 5]
    for m in messages:
        assert decode(Stored, encode(m)) == m
    assert list(messages_for([])) == []
