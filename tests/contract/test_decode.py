"""Whatever arrives off the wire, decoding gives a model or one ContractError with a reason."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from contract import ContractError
from contract.codec import (
    MAX_COMMAND_RESULT_BYTES,
    MAX_PAYLOAD_BYTES,
    decode,
    encode,
    payload_limit,
)
from contract.content import HeatAlert, Notice, StationConfig
from contract.messages import (
    Command,
    CommandResult,
    Health,
    Quality,
    Reading,
    Receipts,
    StationState,
    Status,
    Telemetry,
)
from tests.contract import strategies as s
from tests.contract.outcome import outcome

# Every model a receiver decodes; the content models arrive inside envelopes but are
# decoded the same way once the envelope is open.
MODELS: list[type[BaseModel]] = [
    Telemetry,
    Health,
    Status,
    Receipts,
    Command,
    CommandResult,
    Reading,
    Notice,
    StationConfig,
    HeatAlert,
]


def decodes_or_refuses(model: type[BaseModel], raw: bytes) -> None:
    result, reason = outcome(decode, model, raw)
    if reason is None:
        assert isinstance(result, model)
    else:
        assert reason in {"too_large", "encoding", "json", "version", "schema"}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@settings(max_examples=200)
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_the_decoder(model: type[BaseModel], raw: bytes) -> None:
    decodes_or_refuses(model, raw)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@settings(max_examples=200)
@given(value=s.json_values, with_version=st.booleans())
def test_arbitrary_json_never_crashes_the_decoder(
    model: type[BaseModel], value: Any, with_version: bool
) -> None:
    if with_version and isinstance(value, dict):
        value = {**value, "v": 1}
    decodes_or_refuses(model, json.dumps(value).encode())


@settings(max_examples=200)
@given(
    message=s.telemetry,
    key=st.sampled_from(["session", "seq", "readings", "v"]),
    value=s.json_values,
)
def test_telemetry_with_any_field_replaced_never_crashes(
    message: Telemetry, key: str, value: Any
) -> None:
    data = json.loads(encode(message)) | {key: value}
    decodes_or_refuses(Telemetry, json.dumps(data).encode())


def reason(model: type[BaseModel], raw: bytes) -> str:
    with pytest.raises(ContractError) as caught:
        decode(model, raw)
    return caught.value.reason


GOOD_STATUS = b'{"v":1,"state":"online","session":1}'


def test_a_good_message_decodes() -> None:
    assert decode(Status, GOOD_STATUS).state is StationState.ONLINE


def test_an_oversized_payload_is_refused_before_it_is_parsed() -> None:
    padded = GOOD_STATUS[:-1] + b"," + b'"x":"' + b"a" * MAX_PAYLOAD_BYTES + b'"}'
    assert reason(Status, padded) == "too_large"
    assert reason(Status, b"\xff" * (MAX_PAYLOAD_BYTES + 1)) == "too_large"


def test_a_screenshot_result_may_be_larger_than_other_messages() -> None:
    png = "A" * (MAX_PAYLOAD_BYTES + 10)
    raw = json.dumps({"v": 1, "cmd_id": "c1", "ok": True, "png_base64": png}).encode()
    assert reason(CommandResult, raw) == "too_large"
    assert payload_limit("cmd/result") == MAX_COMMAND_RESULT_BYTES
    assert payload_limit("telemetry") == MAX_PAYLOAD_BYTES
    result = decode(CommandResult, raw, payload_limit("cmd/result"))
    assert result.png_base64 == png


def test_the_limit_itself_is_allowed() -> None:
    body = b'{"v":1,"state":"online","session":1,"version":"x"}'
    assert len(body) <= MAX_PAYLOAD_BYTES
    assert decode(Status, body).version == "x"


@pytest.mark.parametrize(
    "raw", [b"\xff\xfe{}", b'{"v":1,"state":"\xc3"}', b"\xed\xa0\x80", b'{"v":1}\x80']
)
def test_non_utf8_payloads_are_refused_as_encoding(raw: bytes) -> None:
    assert reason(Status, raw) == "encoding"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"[1,2]",
        b'"online"',
        b"null",
        b'{"v":1,"state":"online","session":NaN}',
        b'{"v":1,"state":"online","session":Infinity}',
        b'{"v":1,"uptime_s":1e400}',
        b'{"v":1,"session":' + b"9" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"v":1,"state":"online","session":1,"session":2}',  # a repeated member
    ],
)
def test_payloads_that_are_not_a_json_object_are_refused_as_json(raw: bytes) -> None:
    assert reason(Status, raw) == "json"


@pytest.mark.parametrize("version", [b"2", b"0", b'"1"', b"1.0", b"true", b"null", b"[1]", None])
def test_any_version_but_the_integer_1_is_refused(version: bytes | None) -> None:
    body = b'"state":"online","session":1'
    raw = b"{" + body + b"}" if version is None else b'{"v":' + version + b"," + body + b"}"
    assert reason(Status, raw) == "version"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"v":1,"state":"sleeping","session":1}',  # unknown state
        b'{"v":1,"state":"online","session":-1}',  # negative count
        b'{"v":1,"state":"online","session":9007199254740992}',  # beyond 2^53 - 1
        b'{"v":1,"state":"online","session":1,"colour":"red"}',  # unknown field
        b'{"v":1,"session":1,"seq":1,"readings":[]}',  # telemetry without readings
    ],
)
def test_messages_that_break_the_schema_are_refused_as_schema(raw: bytes) -> None:
    model = Telemetry if b"readings" in raw else Status
    assert reason(model, raw) == "schema"


def telemetry_with(reading: dict[str, Any]) -> bytes:
    return json.dumps({"v": 1, "session": 1, "seq": 1, "readings": [reading]}).encode()


OK_READING = {"ts": 1, "temp_c": 30.0, "rh": 60.0, "wbgt": 26.0, "level": "warning"}


@pytest.mark.parametrize(
    "change",
    [
        {"rh": 150},
        {"rh": -1},
        {"temp_c": 95},
        {"level": "scorching"},
        {"wbgt": None},
        {"quality": "fault"},  # a fault carries no values
        {"ts": -5},
        {"humidity": 60},
    ],
)
def test_impossible_readings_are_refused(change: dict[str, Any]) -> None:
    assert reason(Telemetry, telemetry_with(OK_READING | change)) == "schema"


@pytest.mark.parametrize(
    "change",
    [
        {"temp_c": "25.0"},  # text is not a number
        {"rh": True},  # true is not 1 %
        {"ts": 1.8e12},  # a float is not an integer, even a whole one
        {"ts": "1785546000000"},
        {"level": 2},
        {"quality": None},
    ],
)
def test_no_value_is_coerced_to_the_type_the_contract_asks_for(change: dict[str, Any]) -> None:
    assert reason(Telemetry, telemetry_with(OK_READING | change)) == "schema"


@pytest.mark.parametrize("raw", [b'"1"', b"1.0", b"true"])
def test_counts_are_json_integers(raw: bytes) -> None:
    assert reason(Status, b'{"v":1,"state":"online","session":' + raw + b"}") == "schema"


def test_an_integer_is_a_good_temperature() -> None:
    decoded = decode(Telemetry, telemetry_with(OK_READING | {"temp_c": 30, "rh": 60}))
    assert decoded.readings[0].temp_c == 30.0


def test_a_fault_reading_is_a_timestamp_without_values() -> None:
    telemetry = decode(Telemetry, telemetry_with({"ts": 5, "quality": "fault"}))
    assert telemetry.readings[0].quality is Quality.FAULT
    assert telemetry.readings[0].temp_c is None


def test_the_error_names_the_field_at_fault() -> None:
    with pytest.raises(ContractError) as caught:
        decode(Telemetry, telemetry_with(OK_READING | {"rh": 150}))
    assert "readings.0.rh" in caught.value.detail
    assert str(caught.value).startswith("schema: ")


def test_a_contract_error_is_a_value_error() -> None:
    assert issubclass(ContractError, ValueError)


def test_a_screen_report_needs_something_to_report() -> None:
    empty = b'{"v":1,"session":1,"seq":1,"receipts":[],"interactions":[]}'
    with pytest.raises(ContractError) as refused:
        decode(Receipts, empty)
    assert refused.value.reason == "schema"
    touch_only = (
        b'{"v":1,"session":1,"seq":2,"interactions":[{"ts":1,"kind":"lang","detail":"en"}]}'
    )
    assert decode(Receipts, touch_only).interactions[0].detail == "en"
