"""Errors as HTTP answers: every 4xx names what was wrong; nothing unexpected leaks."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from syncjobs.errors import (
    AuthError,
    ConfigError,
    ConflictError,
    ConnectorError,
    NotFoundError,
    SyncJobsError,
)

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[SyncJobsError], int]] = [
    (ConfigError, 422), (NotFoundError, 404), (ConflictError, 409), (AuthError, 401),
    # The request was fine; the source or destination it names was not.
    (ConnectorError, 424),
]


def _sync_jobs_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SyncJobsError)
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
    body: dict[str, Any] = {"detail": str(exc), "code": exc.code}
    if isinstance(exc, ConfigError):
        loc = ["body", *exc.field.split(".")] if exc.field else ["body"]
        body["detail"] = [{"loc": loc, "msg": str(exc), "type": exc.code}]
        body["message"] = str(exc)
        body["field"] = exc.field
    if isinstance(exc, ConflictError) and exc.details:
        body.update(exc.details)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    message = "; ".join(
        f"{'.'.join(str(p) for p in d['loc'])}: {d['msg']}" for d in detail
    ) or "invalid request"
    return JSONResponse(
        {"detail": detail, "code": "INVALID_REQUEST", "message": message}, status_code=422
    )


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse(
        {"detail": exc.detail, "code": f"HTTP_{exc.status_code}"},
        status_code=exc.status_code, headers=exc.headers,
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Log the type and route only: the exception text might quote a secret.
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return JSONResponse(
        {"detail": "internal error; the server log has the details", "code": "INTERNAL"},
        status_code=500,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(SyncJobsError, _sync_jobs_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


class ErrorOut(BaseModel):
    """The body of every 4xx: what was wrong, a stable code, and how to fix it when known."""

    model_config = ConfigDict(extra="allow")  # e.g. the active execution_id of a 409
    detail: str | list[dict[str, Any]] = Field(
        description="what was wrong: a sentence, or for 422 one item per field")
    code: str = Field(description="stable and machine-readable, e.g. NOT_FOUND, HTTP_413")
    message: str | None = Field(None, description="422: every field's problem in one line")
    field: str | None = Field(None, description="422 from our own checks: the field at fault")


_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_WHY = {
    400: "a NUL character in the path, or JSON nested too deep",
    401: "no API key (or admin token), or one that is not valid",
    404: "no such object in this workspace (a key of another workspace gets 404 too)",
    409: "in conflict with the current state: a name taken, a run already active, "
         "the engine not reachable, an object still in use",
    413: "request body over 1 MB",
    415: "request body not sent as application/json",
    424: "the source or destination failed; its error is quoted, secrets masked",
}


def _answers(path: str, method: str) -> list[int]:
    """The error codes an operation can answer besides its success and FastAPI's 422."""
    if not path.startswith("/api/") or path.startswith("/api/inngest"):
        return []  # /api/inngest is the SDK's own, documented by it
    codes = [400, 401]
    if "{" in path:
        codes.append(404)
    if path.startswith("/api/workspaces"):
        if method in ("post", "put", "patch", "delete"):
            codes.append(409)
        if method in ("post", "put", "patch"):
            codes += [413, 415]  # limits.RequestGuard
        if path.endswith(("/check", "/entities")):
            codes.append(424)
    return codes


def document(app: FastAPI) -> None:
    """Declare every API operation's error answers, with their body, in the OpenAPI document.

    Done on the generated document rather than per route, so a new route
    cannot be forgotten (schemathesis' status_code_conformance checks it).
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        doc = generate()  # FastAPI caches it: the additions below are made once
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        if "Error" not in schemas:
            schemas["Error"] = ErrorOut.model_json_schema()
            for path, operations in doc.get("paths", {}).items():
                for method, operation in operations.items():
                    for code in _answers(path, method):
                        operation["responses"].setdefault(
                            str(code), {"description": _WHY[code], "content": _ERROR_REF})
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
