"""Ingest's quicker telemetry decoder accepts exactly what the contract's decoder accepts,
and refuses with the contract's reason: a message stored by one is stored by the other."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from contract.codec import decode
from contract.errors import ContractError
from contract.messages import Telemetry
from server.ingest.telemetry import telemetry

TS = 1_785_546_000_000  # 2026-08-01 10:00 JST
READING = {
    "ts": TS,
    "temp_c": 31.5,
    "rh": 60,
    "wbgt": 28.1,
    "level": "warning",
    "quality": "ok",
    "time": "synced",
}
GOOD = json.dumps({"v": 1, "session": 3, "seq": 7, "readings": [READING]}, separators=(",", ":"))


def verdict(decoder: object, payload: bytes) -> tuple[str, object]:
    assert callable(decoder)
    try:
        return "stored", decoder(payload)
    except ContractError as exc:
        return "refused", (exc.reason, exc.detail)


def contract(payload: bytes) -> Telemetry:
    return decode(Telemetry, payload)


def same(payload: bytes) -> None:
    assert verdict(telemetry, payload) == verdict(contract, payload), payload


# What a station or a broken client might send in place of a part of a good message.
EDITS = [
    ('"v":1', '"v":1.0'),
    ('"v":1', '"v":true'),
    ('"v":1', '"v":1e0'),
    ('"v":1', '"v" : 1'),
    ('"v":1,', ""),
    ('"v":1', '"\\u0076":1'),
    ('"v":1', '"v":1,"v":1'),
    ('"seq":7', '"seq":7,"seq":8'),
    ('"rh":60', '"rh":60,"rh":61'),
    ('"rh":60', '"rh":NaN'),
    ('"rh":60', '"rh":Infinity'),
    ('"rh":60', '"rh":1e400'),
    ('"temp_c":31.5', '"temp_c":-1e999'),
    ('"level":"warning"', '"level":"warn:ing"'),
    ('"level":"warning"', '"lev\\u0065l":"warning"'),
    ('"quality":"ok"', '"quality":"ok","note":"a:b"'),
    ('"time":"synced"', '"time":"synced","time":"synced"'),
    ('"rh":60', '"rh":"60"'),
    ('"seq":7', '"seq":7.0'),
    ("{", "\ufeff{"),
    ('"level":"warning"', '"level":"警告"'),
    ("}]}", "}]} "),
    ("}]}", "}]}x"),
    ("}]}", "}],}"),
]


def test_every_edit_gets_the_contracts_verdict() -> None:
    same(GOOD.encode())
    for old, new in EDITS:
        assert old in GOOD
        same(GOOD.replace(old, new, 1).encode())


def test_a_message_with_several_readings_and_a_fault_is_decoded_alike() -> None:
    fault = {"ts": TS + 2000, "quality": "fault", "time": "unsynced"}
    body = {"v": 1, "session": 3, "seq": 8, "readings": [READING, READING | {"ts": TS + 1}, fault]}
    same(json.dumps(body).encode())
    same(json.dumps(body, indent=2).encode())


@settings(max_examples=400)
@given(
    at=st.integers(0, len(GOOD)),
    cut=st.integers(0, 6),
    text=st.sampled_from(['"v":1,', ":", ",", '"rh":1', "NaN", "1e400", " ", '"', "\\", "}", "]"]),
)
def test_any_splice_into_a_good_message_gets_the_contracts_verdict(
    at: int, cut: int, text: str
) -> None:
    same((GOOD[:at] + text + GOOD[at + cut :]).encode())


@given(st.binary(max_size=300))
def test_any_bytes_get_the_contracts_verdict(payload: bytes) -> None:
    same(payload)
