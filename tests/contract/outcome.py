"""Run a contract call and keep what came of it: a result or a refusal's reason."""

from collections.abc import Callable
from typing import Any


def outcome(call: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    from contract import ContractError

    try:
        return call(*args), None
    except ContractError as exc:
        return None, exc.reason
