"""The one exception the contract raises."""


class ContractError(ValueError):
    """A message, topic or signature that does not meet the contract.

    ``reason`` is a short machine-friendly code (``"json"``, ``"version"``, ``"schema"``,
    ``"too_large"``, ``"signature"``, ``"expired"``, ``"stale"``, ``"topic"``…) and ``detail``
    is a sentence a person can act on. Callers count by ``reason`` and log ``detail``.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
