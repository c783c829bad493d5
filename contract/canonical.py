"""Canonical JSON for signatures: RFC 8785 (JSON Canonicalization Scheme, JCS), from the
``rfc8785`` package.

The same value gives the same bytes in every language that implements RFC 8785:

- objects: members sorted by key, compared as UTF-16 code units; no whitespace;
- strings: UTF-8, only ``"``, ``\\`` and control characters below U+0020 escaped
  (``\\b \\f \\n \\r \\t``, otherwise ``\\u00xx`` in lowercase hex);
- numbers: as ECMAScript's ``Number.prototype.toString`` prints them, so ``33.0`` is ``33``,
  ``0.5`` is ``0.5``, ``1e-7`` is ``1e-7`` and ``1e21`` is ``1e+21``;
- ``true``, ``false``, ``null`` as themselves.

Integers are numbers like any other, read as the nearest IEEE 754 double (2^53 + 1 prints
as 9007199254740992), as a JavaScript signer reads them; the contract keeps its integers
within ±(2^53 − 1), where that changes nothing. NaN, the infinities and numbers beyond the
double range have no canonical form.
"""

from typing import Any

import rfc8785


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 bytes of a JSON value; ValueError for what JSON cannot carry exactly."""
    try:
        return rfc8785.dumps(value)
    except rfc8785.IntegerDomainError:  # rare: an integer only a double can stand for
        return rfc8785.dumps(_as_doubles(value))


def _as_doubles(value: Any) -> Any:
    """``value`` with every integer beyond ±(2^53 − 1) as the nearest double."""
    if isinstance(value, bool) or not isinstance(value, int | dict | list | tuple):
        return value
    if isinstance(value, int):
        if abs(value) < 2**53:
            return value
        try:
            return float(value)
        except OverflowError:
            raise ValueError(f"integer {value} is too large for a JSON number") from None
    if isinstance(value, dict):
        return {key: _as_doubles(item) for key, item in value.items()}
    return [_as_doubles(item) for item in value]
