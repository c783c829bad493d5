"""The one exception the official-data parsers raise."""


class OfficialDataError(ValueError):
    """A file from the Ministry's site that cannot be used.

    ``reason`` is a short code (``"encoding"``, ``"html"``, ``"empty"``, ``"header"``,
    ``"row"``, ``"value"``, ``"truncated"``, ``"point"``, ``"area"``) and ``detail`` a sentence
    saying what was found and where, for the person who opens the kept file.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
