"""The OpenAPI document lists every error status an endpoint can answer, with the error body.

FastAPI documents only the success and a 422 of its own shape. The statuses that follow from
an operation's form are added here: 401 and 403 where it needs a token, 404 where the path
names something, 400 and 422 where it takes a body, 422 where it takes parameters, 409 where
it writes (what it writes can conflict with what exists), 503 for all (a store, the registry
or the broker can be down). A route may declare more in its ``responses=``; every error
response gets the error body's schema.
"""

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from server.api.errors import ErrorOut

ERROR_SCHEMA = "Error"
DESCRIPTIONS = {
    400: "本文が JSON ではありません / the body is not JSON",
    401: "API トークンがないか無効です / no token, or an unknown or revoked one",
    403: "権限が足りません / the token's role may not do this",
    404: "ありません / no such thing",
    409: "現在の状態と矛盾します / conflicts with what exists",
    422: "入力が仕様に合いません / the input breaks the schema",
    503: "データベースまたはブローカーに接続できません / a database or the broker is unavailable",
}
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
_FASTAPI_422 = ("HTTPValidationError", "ValidationError")


def error_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {503} if method == "get" else {409, 503}
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        statuses |= {401, 403}
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if "requestBody" in operation:
        statuses |= {400, 422}
    if parameters:
        statuses.add(422)
    return statuses


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error.pop("$defs", {}))
    schemas[ERROR_SCHEMA] = error
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}
    for path in document.get("paths", {}).values():
        for method, operation in path.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, operation):
                responses.setdefault(str(status), {})
            for status, response in responses.items():
                if status[0] in "45":
                    code = int(status)
                    response["description"] = DESCRIPTIONS.get(code, response.get("description"))
                    response["content"] = body
    if "/HTTPValidationError" not in json.dumps(document.get("paths", {})):
        for name in _FASTAPI_422:  # FastAPI's own 422 body, replaced above
            schemas.pop(name, None)
    return document


def install(app: FastAPI) -> None:
    """Serve the document with its errors (built once, on first use)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
