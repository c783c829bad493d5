"""Canonical JSON (RFC 8785): the bytes a signature covers, the same in every language."""

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract.canonical import canonical_bytes
from tests.contract.strategies import json_values


def test_the_rfc_8785_sample_is_reproduced() -> None:
    # RFC 8785 §3.2.3: numbers, escapes and literals of the standard's own example.
    value = json.loads(
        '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],'
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        '"literals":[null,true,false]}'
    )
    expected = (
        '{"literals":[null,true,false],'
        '"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_bytes(value) == expected.encode()


def test_keys_sort_by_utf16_code_units() -> None:
    # U+1F600 (a surrogate pair, D83D…) sorts before U+FF01 in UTF-16, not in code points.
    assert canonical_bytes({"！": 1, "😀": 2, "a": 3}) == '{"a":3,"😀":2,"！":1}'.encode()


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (33.0, "33"),
        (0.5, "0.5"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (123.456, "123.456"),
        (5e-324, "5e-324"),
        (0.1 + 0.2, "0.30000000000000004"),
    ],
)
def test_numbers_print_as_ecmascript_prints_them(number: float, text: str) -> None:
    assert canonical_bytes(number) == text.encode()


@settings(max_examples=200)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_prints_so_that_it_reads_back_exactly(number: float) -> None:
    text = canonical_bytes(number)
    assert float(text) == number or (number == 0 and text == b"0")


@settings(max_examples=200)
@given(json_values)
def test_canonical_form_is_json_that_reads_back_the_same(value: Any) -> None:
    try:
        raw = canonical_bytes(value)
    except ValueError:
        return  # an integer beyond the double range has no canonical form
    assert canonical_bytes(json.loads(raw)) == raw
    assert as_doubles(json.loads(raw)) == as_doubles(value)


def as_doubles(value: Any) -> Any:
    """A JSON value as a double-based reader sees it: integral numbers as integers."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        number = float(value)
        return int(number) if number.is_integer() else number
    if isinstance(value, dict):
        return {k: as_doubles(v) for k, v in value.items()}
    return [as_doubles(v) for v in value]


def test_member_order_and_spacing_do_not_change_the_canonical_form() -> None:
    a = json.loads('{ "b" : [1, 2.50, "x"], "a" : {"d": null, "c": true} }')
    b = json.loads('{"a":{"c":true,"d":null},"b":[1,2.5,"x"]}')
    assert canonical_bytes(a) == canonical_bytes(b) == b'{"a":{"c":true,"d":null},"b":[1,2.5,"x"]}'


def test_large_integers_print_as_the_nearest_double_as_javascript_reads_them() -> None:
    assert canonical_bytes([2**53 + 1, 10**21, -(2**60)]) == (
        b"[9007199254740992,1e+21,-1152921504606847000]"
    )


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, 10**400, -(10**400), {1: "a"}, {"a": b"x"}, ["\ud800"]]
)
def test_values_json_cannot_carry_exactly_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"JCS|JSON|strings|unsupported|UTF-8"):
        canonical_bytes(bad)
