"""Sign-in with a workspace API key, kept in an HttpOnly SameSite=Strict cookie; sign-out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from syncjobs.context import AppContext
from syncjobs.store import workspaces
from syncjobs.web.security import (
    CSRF_FIELD,
    CsrfRefused,
    DashboardRoute,
    SignInRequired,
    check_csrf,
    new_token,
    session_token,
)
from syncjobs.web.views import render

COOKIE = "sj_session"
SIGNIN_COOKIE = "sj_signin_csrf"
SESSION_SECONDS = 12 * 3600

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)


@dataclass(frozen=True)
class WebSession:
    """Who is signed in: the workspace, and the CSRF token bound to this session."""

    workspace_id: str
    csrf: str


def ctx_of(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def _resolve(ctx: AppContext, key: str) -> str | None:
    with ctx.db.session() as session:
        return workspaces.workspace_for_key(session, key)


async def current(request: Request) -> WebSession:
    """The signed-in workspace, from the cookie; a missing or revoked key means sign in again."""
    key = request.cookies.get(COOKIE, "")
    if not key or len(key) > 200:
        raise SignInRequired
    workspace_id = await run_in_threadpool(_resolve, ctx_of(request), key)
    if workspace_id is None:
        raise SignInRequired
    web = WebSession(workspace_id, session_token(key))
    request.state.web = web
    return web


async def guarded(request: Request) -> WebSession:
    """The session of a state-changing request, after the CSRF token and Origin check."""
    web = await current(request)
    await check_csrf(request, web.csrf)
    return web


Current = Annotated[WebSession, Depends(current)]
Guarded = Annotated[WebSession, Depends(guarded)]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _signin_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    token = new_token()
    response = render(request, "signin.html", {"signin_csrf": token, "error": error},
                      status_code=status)
    response.set_cookie(SIGNIN_COOKIE, token, max_age=900, httponly=True, samesite="strict",
                        secure=_secure(request), path="/signin")
    return response


@router.get("/signin")
async def signin_form(request: Request) -> Response:
    return _signin_page(request)


@router.post("/signin")
async def signin(request: Request) -> Response:
    # Before a session exists the token is double-submitted: cookie and field must match.
    await check_csrf(request, request.cookies.get(SIGNIN_COOKIE, ""))
    form = await request.form()
    key = form.get("api_key")
    key = key.strip() if isinstance(key, str) else ""
    workspace_id = await run_in_threadpool(_resolve, ctx_of(request), key) if key else None
    if workspace_id is None:
        return _signin_page(request, "That API key is not valid.", status=401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, key, max_age=SESSION_SECONDS, httponly=True, samesite="strict",
                        secure=_secure(request), path="/")
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    try:
        await guarded(request)
    except SignInRequired:
        pass  # signing out without a session is harmless: clear the cookie anyway
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=_secure(request))
    return response


__all__ = ["COOKIE", "CSRF_FIELD", "CsrfRefused", "Current", "Guarded", "WebSession", "router"]
