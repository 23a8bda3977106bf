"""Dashboard safety: security headers, CSRF tokens and the Origin check, in one route class."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from syncjobs.errors import NotFoundError
from syncjobs.web.views import render

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInRequired(Exception):
    """No valid session cookie: pages redirect to the sign-in form, JSON answers 401."""


class CsrfRefused(Exception):
    """A state-changing request without a valid token or from a foreign origin."""


def add_headers(response: Response, *, cache: bool = False) -> Response:
    for name, value in HEADERS.items():
        response.headers[name] = value
    if not cache:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def session_token(api_key: str) -> str:
    """The CSRF token bound to a session: useless without the key, and it does not reveal it."""
    return hmac.new(api_key.encode(), b"syncjobs-dashboard-csrf", hashlib.sha256).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_origin(request: Request) -> bool:
    """Origin (or, failing it, Referer) must name this very host; absent both, the token decides."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return True
    if claimed == "null":
        return False
    parts = urlsplit(claimed)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.url.scheme}://{request.url.netloc}"


async def check_csrf(request: Request, expected: str) -> None:
    """Refuse a state-changing request whose token or Origin does not match this session."""
    if not same_origin(request):
        raise CsrfRefused("cross-origin request refused")
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise CsrfRefused("missing or invalid CSRF token")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/ui/")


class DashboardRoute(APIRoute):
    """Every dashboard route: security headers on every answer, auth and CSRF failures mapped."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            response: Response
            try:
                response = await original(request)
            except SignInRequired:
                if _wants_json(request):
                    response = JSONResponse({"detail": "sign in first"}, status_code=401)
                else:
                    response = RedirectResponse("/signin", status_code=303)
            except CsrfRefused as exc:
                log.warning("dashboard request refused: %s on %s", exc, request.url.path)
                response = PlainTextResponse(f"403 Forbidden: {exc}", status_code=403)
            except NotFoundError as exc:
                response = _not_found(request, str(exc))
            return add_headers(response)

        return handler


def _not_found(request: Request, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message, "code": "NOT_FOUND"}, status_code=404)
    return render(request, "not_found.html", {"message": message}, status_code=404)


class SecureStaticFiles(StaticFiles):
    """The dashboard's own CSS and JS, with the same headers as its pages."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response: Any = await super().get_response(path, scope)
        return add_headers(response, cache=True)
