"""The API's error body, and errors with their own code beyond the ones a status implies."""

from fastapi import HTTPException
from pydantic import BaseModel

# The code a status answers with unless the error names its own (CodedError).
CODES = {
    400: "invalid_request",  # a body that is not JSON, or not the declared media type
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_request",
}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    """``{"error": {"code": "...", "message": "日本語 / English"}}``, whatever the status."""

    error: ErrorDetail


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return ErrorOut(error=ErrorDetail(code=code, message=message)).model_dump()


class CodedError(HTTPException):
    """``{"error": {"code": error_code, "message": detail}}`` with ``status_code``."""

    def __init__(self, status_code: int, error_code: str, detail: str) -> None:
        super().__init__(status_code, detail)
        self.error_code = error_code
