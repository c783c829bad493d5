"""Telemetry decoded at half the cost, accepting exactly what ``contract.codec.decode`` accepts.

The contract's decoder parses a payload twice: ``load_json`` (Python's ``json`` with a hook
per object and per float) refuses what pydantic's parser lets through — a member named
twice, ``NaN``, a number that overflows, ``v`` other than the JSON integer 1 — and then the
same bytes are validated strictly. For a telemetry message the first parse is two thirds of
the cost. ``telemetry`` validates strictly first (the very call the contract makes) and
then proves from the model and the bytes that ``load_json`` had nothing to refuse:

- the payload is ASCII within the size limit (so UTF-8, and no byte-order mark), and holds
  no ``NaN`` or ``Infinity`` (the model refuses non-finite numbers as well);
- ``v`` is the JSON integer 1: the bytes hold ``"v":1`` followed by ``,`` or ``}``;
- no member is named twice: every member of a JSON object has one ``:``, and ``:`` occurs
  nowhere else in a valid telemetry message (its only strings are its member names and
  enum values), so the payload's ``:`` count equals the members pydantic saw, field by
  field (``model_fields_set``), of the message and its readings. Any ``:`` more — a
  member named twice, or one inside a string — makes the counts differ.

Whatever cannot be proven that way goes to ``contract.codec.decode``, which then gives the
verdict and the reason; so ingest refuses exactly what the contract refuses, for the reason
it gives. ``tests/server/test_ingest_strict.py`` checks both against each other.
"""

import re

from pydantic import ValidationError

from contract.codec import MAX_PAYLOAD_BYTES, decode
from contract.messages import Telemetry

# JSON's whitespace only: ``\s`` would also take bytes JSON refuses.
_V_IS_ONE = re.compile(rb'"v"[ \t\n\r]*:[ \t\n\r]*1[ \t\n\r]*[,}]')


def _proven(payload: bytes, message: Telemetry) -> bool:
    if b'"v":1,' not in payload and _V_IS_ONE.search(payload) is None:
        return False
    members = len(message.model_fields_set)
    for reading in message.readings:
        members += len(reading.model_fields_set)
    return payload.count(b":") == members


def telemetry(payload: bytes) -> Telemetry:
    """The payload as Telemetry, or ContractError with the contract's own reason."""
    if (
        len(payload) <= MAX_PAYLOAD_BYTES
        and payload.isascii()
        and b"NaN" not in payload
        and b"Infinity" not in payload
    ):
        try:
            message = Telemetry.model_validate_json(payload, strict=True)
        except ValidationError:
            pass  # the contract's decoder says why
        else:
            if "v" in message.model_fields_set and _proven(payload, message):
                return message
    return decode(Telemetry, payload)
