"""Every message survives encoding and decoding unchanged, as a station and the server see it."""

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from contract.codec import decode, encode
from contract.content import AnyContent
from contract.messages import (
    Command,
    CommandResult,
    Health,
    Receipts,
    StationState,
    Status,
    Telemetry,
)
from contract.signing import canonical_json, verify
from contract.topics import ContentKind
from tests.contract import strategies as s
from tests.contract.keys import SIGNER, TRUSTED

UPLINK: list[tuple[type[BaseModel], st.SearchStrategy[Any]]] = [
    (Telemetry, s.telemetry),
    (Health, s.health),
    (Status, s.status),
    (Receipts, s.receipts),
    (Command, s.commands),
    (CommandResult, s.command_results),
]


def check_round_trip(model: type[BaseModel], message: BaseModel) -> None:
    raw = encode(message)
    assert raw.decode("utf-8")  # UTF-8 on the wire
    assert decode(model, raw) == message


@settings(max_examples=200)
@given(s.telemetry)
def test_telemetry_round_trips(message: Telemetry) -> None:
    check_round_trip(Telemetry, message)


@settings(max_examples=200)
@given(s.health)
def test_health_round_trips(message: Health) -> None:
    check_round_trip(Health, message)


@settings(max_examples=200)
@given(s.status)
def test_status_birth_and_will_round_trip(message: Status) -> None:
    check_round_trip(Status, message)


@settings(max_examples=200)
@given(s.receipts)
def test_receipts_round_trip(message: Receipts) -> None:
    check_round_trip(Receipts, message)


@settings(max_examples=200)
@given(s.commands)
def test_commands_round_trip(message: Command) -> None:
    check_round_trip(Command, message)


@settings(max_examples=200)
@given(s.command_results)
def test_command_results_round_trip(message: CommandResult) -> None:
    check_round_trip(CommandResult, message)


def check_signed_round_trip(content: AnyContent, kind: ContentKind) -> None:
    envelope = SIGNER.sign(content)
    assert verify(envelope, TRUSTED, kind, now_ms=-1) == content  # -1: before any expiry
    # The envelope on the wire is itself canonical: signing twice gives the same bytes.
    assert SIGNER.sign(content) == envelope
    assert canonical_json(json.loads(envelope)) == envelope


@settings(max_examples=200)
@given(s.notices())
def test_notices_round_trip_through_a_signed_envelope(content: AnyContent) -> None:
    check_signed_round_trip(content, ContentKind.NOTICE)


@settings(max_examples=200)
@given(s.configs)
def test_configs_round_trip_through_a_signed_envelope(content: AnyContent) -> None:
    check_signed_round_trip(content, ContentKind.CONFIG)


@settings(max_examples=200)
@given(s.alerts)
def test_alerts_round_trip_through_a_signed_envelope(content: AnyContent) -> None:
    check_signed_round_trip(content, ContentKind.ALERT)


def test_encoding_leaves_out_absent_fields() -> None:
    will = Status(state=StationState.OFFLINE, session=3)
    assert encode(will) == b'{"v":1,"state":"offline","session":3}'
