"""Errors as HTTP answers: every 4xx names what was wrong; nothing unexpected leaks."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
