"""Decoding bytes off the wire into models: one place, one error type."""

import json
import math
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError

from contract.errors import ContractError

WIRE_VERSION = 1
MAX_PAYLOAD_BYTES = 256 * 1024
# Screenshots travel base64-encoded in a command result.
MAX_COMMAND_RESULT_BYTES = 4 * 1024 * 1024

M = TypeVar("M", bound=BaseModel)


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large for a JSON number")
    return value


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose member names repeat means different things to different parsers."""
    data = dict(pairs)
    if len(data) != len(pairs):
        names = [k for k, _ in pairs]
        repeated = next(k for i, k in enumerate(names) if k in names[:i])
        raise ValueError(f"member {repeated[:40]!r} appears twice")
    return data


def load_json(raw: bytes, limit: int = MAX_PAYLOAD_BYTES) -> dict[str, Any]:
    """Parse a payload's JSON object and check its size and ``v``."""
    if len(raw) > limit:
        raise ContractError("too_large", f"payload is {len(raw)} bytes; the limit is {limit}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractError("encoding", f"payload is not UTF-8 ({exc.reason})") from None
    try:
        data = json.loads(
            text,
            parse_constant=_no_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_members,
        )
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise ContractError("json", f"payload is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ContractError("json", f"payload must be a JSON object, not {type(data).__name__}")
    _check_version(data)
    return data


def payload_limit(kind: str) -> int:
    """The size limit for a station topic's kind (a ``StationTopic`` value)."""
    return MAX_COMMAND_RESULT_BYTES if kind == "cmd/result" else MAX_PAYLOAD_BYTES


def _check_version(data: dict[str, Any]) -> None:
    version = data.get("v")
    if type(version) is not int or version != WIRE_VERSION:  # 1.0 and true are not 1
        raise ContractError(
            "version", f"unsupported wire version {version!r}; this side speaks v={WIRE_VERSION}"
        )


def _strict(model: type[M], text: str | bytes) -> M:
    """Validate JSON text in pydantic's strict mode: no coercion ("25.0" is not 25.0, true is
    not 1, 1.8e12 is not an integer); enums and literals still take their JSON values."""
    try:
        return model.model_validate_json(text, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "payload"
        raise ContractError("schema", f"{where}: {first['msg']}") from None


def validate(model: type[M], data: Any) -> M:
    """Validate data parsed by ``load_json`` (an object inside a payload) as strictly as
    ``decode`` validates a whole payload."""
    if isinstance(data, dict) and "v" in model.model_fields:
        _check_version(data)
    return _strict(model, json.dumps(data, ensure_ascii=False))


def decode(model: type[M], raw: bytes, limit: int = MAX_PAYLOAD_BYTES) -> M:
    """Decode a wire payload into ``model`` or raise ContractError with the reason.

    ``load_json`` refuses what pydantic's parser lets through (a repeated member, NaN, a
    number that overflows, ``v`` other than the integer 1); the strict validation then reads
    the same bytes. Two parses cost less than validating the parsed objects in Python.
    """
    load_json(raw, limit)
    return _strict(model, raw)


def encode(message: BaseModel) -> bytes:
    return message.model_dump_json(exclude_none=True).encode("utf-8")
