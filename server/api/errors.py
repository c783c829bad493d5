"""Errors with their own code in the error body, beyond the ones a status implies."""

from fastapi import HTTPException


class CodedError(HTTPException):
    """``{"error": {"code": error_code, "message": detail}}`` with ``status_code``."""

    def __init__(self, status_code: int, error_code: str, detail: str) -> None:
        super().__init__(status_code, detail)
        self.error_code = error_code
