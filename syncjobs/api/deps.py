"""Request dependencies: the shared context and the two kinds of bearer auth."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from syncjobs.context import AppContext
from syncjobs.errors import AuthError, NotFoundError
from syncjobs.store import workspaces

_bearer = HTTPBearer(auto_error=False, description="a workspace API key, or the admin token")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


def get_session(ctx: Ctx) -> Iterator[Session]:
    """One transaction per request, committed when the route returns."""
    with ctx.db.session() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def workspace_id(
    ctx: Ctx,
    credentials: Credentials,
    ws: Annotated[str, Path(description="workspace id", max_length=64)],
) -> str:
    """The path's workspace, if the key is one of its keys; a foreign key sees a 404."""
    if credentials is None or not credentials.credentials:
        raise AuthError("missing API key", hint="send `Authorization: Bearer <workspace API key>`")
    with ctx.db.session() as session:
        owner = workspaces.workspace_for_key(session, credentials.credentials)
    if owner is None:
        raise AuthError("invalid API key", hint="check the key; a workspace key is shown once")
    if owner != ws:
        raise NotFoundError(f"workspace {ws!r} not found")
    return ws


WorkspaceId = Annotated[str, Depends(workspace_id)]


def require_admin(ctx: Ctx, credentials: Credentials) -> None:
    """The admin token guards workspace creation and the engine's run history."""
    expected = ctx.settings.admin_token
    if expected is None or not expected.get_secret_value():
        raise AuthError(
            "admin routes are disabled", hint="set SYNCJOBS_ADMIN_TOKEN to enable them"
        )
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
        raise AuthError(
            "invalid or missing admin token",
            hint="send `Authorization: Bearer <SYNCJOBS_ADMIN_TOKEN>`",
        )


Admin = Depends(require_admin)
