"""Errors that would otherwise be a 500: each answers a 4xx in the error shape.

A pydantic ValidationError raised inside an endpoint means the request built a model the
contract refuses (an impossible date, a time out of range); a value the registry's database
refuses is the request's too. Anything else unforeseen still answers the error shape.
"""

import http
import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError

from server.api.errors import CODES, error_body

log = logging.getLogger("kyusui.api")
# The frameworks' own messages are English phrases; the API speaks Japanese first.
MESSAGES = {
    400: "本文を読めません / the request body cannot be read",
    404: "ありません / not found",
    405: "このメソッドは使えません / this method is not allowed here",
}
_FRAMEWORK_DETAILS = {"There was an error parsing the body"}
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def http_error_response(
    request: Request,
    status: int,
    detail: str,
    code: str | None,
    headers: Mapping[str, str] | None,
) -> JSONResponse:
    """An HTTPException as the error shape, with a code the docs list."""
    if detail == http.HTTPStatus(status).phrase or detail in _FRAMEWORK_DETAILS:
        detail = MESSAGES.get(status, detail)
    if status == 405:
        headers = dict(headers or {})
        headers["Allow"] = allowed_methods(request, headers.get("Allow", ""))
    return error_response(status, code or CODES.get(status, f"http_{status}"), detail, headers)


def allowed_methods(request: Request, fallback: str) -> str:
    """Every method the document lists for this path (Starlette names only one route's)."""
    template = getattr(request.scope.get("route"), "path", None)
    paths: dict[str, dict[str, object]] = request.app.openapi().get("paths", {})
    methods = {m.upper() for m in paths.get(str(template), {})} & _METHODS
    return ", ".join(sorted(methods)) if methods else fallback


def _field(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return f"{where}: {first['msg']}"


def install(app: FastAPI) -> None:
    @app.exception_handler(ValidationError)
    async def refused_by_a_model(request: Request, exc: ValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _field(exc))

    @app.exception_handler(DataError)
    async def refused_by_the_registry(request: Request, exc: DataError) -> JSONResponse:
        log.warning("registry refused a value: %s", exc.orig)
        return error_response(
            422, "invalid_request", "登録できない値です / the registry cannot store a value"
        )

    @app.exception_handler(IntegrityError)
    async def conflicting(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("registry constraint: %s", exc.orig)
        return error_response(
            409, "conflict", "既存のデータと矛盾します / conflicts with what the registry holds"
        )

    @app.exception_handler(Exception)
    async def unforeseen(request: Request, exc: Exception) -> JSONResponse:
        # Logged with its traceback by the server; the client gets the error shape.
        return error_response(
            500, "internal_error", "サーバー内部のエラーです / an internal server error"
        )
