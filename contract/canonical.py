"""Canonical JSON for signatures: RFC 8785 (JSON Canonicalization Scheme, JCS).

The same value gives the same bytes in every language that implements RFC 8785:

- objects: members sorted by key, compared as UTF-16 code units; no whitespace;
- strings: UTF-8, only ``"``, ``\\`` and control characters below U+0020 escaped
  (``\\b \\f \\n \\r \\t``, otherwise ``\\u00xx`` in lowercase hex);
- numbers: as ECMAScript's ``Number.prototype.toString`` prints them, so ``33.0`` is ``33``,
  ``0.5`` is ``0.5``, ``1e-7`` is ``1e-7`` and ``1e21`` is ``1e+21``;
- ``true``, ``false``, ``null`` as themselves.

Integers are numbers like any other, read as the nearest IEEE 754 double (2^53 + 1 prints
as 9007199254740992), which is why the contract keeps its integers within ±(2^53 − 1).
NaN, the infinities and numbers beyond the double range have no canonical form.
"""

import math
from collections.abc import Mapping
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 bytes of a JSON value; ValueError for what JSON cannot carry exactly."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts).encode("utf-8")  # UnicodeEncodeError (a ValueError) on lone surrogates


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int):
        if abs(value) <= MAX_SAFE_INTEGER:
            out.append(str(int(value)))
        else:  # a JSON number is a double: read it as the nearest one, as JavaScript does
            try:
                float(value)
            except OverflowError:
                raise ValueError(f"integer {value} is too large for a JSON number") from None
            out.append(es_number(float(value)))
    elif isinstance(value, float):
        out.append(es_number(value))
    elif isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda kv: _utf16_key(kv[0]))
        out.append("{")
        for index, (key, item) in enumerate(items):
            if index:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise ValueError(f"{type(value).__name__} is not a JSON value")


def _utf16_key(key: object) -> bytes:
    if not isinstance(key, str):
        raise ValueError("object keys must be strings")
    return key.encode("utf-16-be", "surrogatepass")


def _string(text: str) -> str:
    chars = ['"']
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            chars.append(escaped)
        elif char < " ":
            chars.append(f"\\u{ord(char):04x}")
        else:
            chars.append(char)
    chars.append('"')
    return "".join(chars)


def es_number(value: float) -> str:
    """A float as ECMAScript prints it (RFC 8785 §3.2.2.3)."""
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a JSON number")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that round-trip, as ECMAScript requires.
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # n: the position of the decimal point relative to the start of ``digits``.
    n = len(whole.lstrip("0")) + int(exp_text or 0)
    if not whole.lstrip("0"):  # 0.000ddd: leading zeros of the fraction move the point left
        n = -(len(fraction) - len(fraction.lstrip("0"))) + int(exp_text or 0)
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        exponent = n - 1
        head = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        text = f"{head}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    return sign + text
