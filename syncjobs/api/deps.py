"""Request dependencies: the shared context and the two kinds of bearer auth."""

from __future__ import annotations

import functools
import hmac
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from syncjobs.context import AppContext
from syncjobs.errors import AuthError, NotFoundError
from syncjobs.store import workspaces
from syncjobs.store.db import Database

T = TypeVar("T")
P = ParamSpec("P")
_bearer = HTTPBearer(auto_error=False, description="a workspace API key, or the admin token")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def get_ctx(request: Request) -> AppContext:
    # async: a plain def would cost every request a hop to a worker thread.
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


async def get_session(ctx: Ctx, request: Request) -> AsyncIterator[Session]:
    """One transaction per request, committed when the route returns.

    GET routes only read: theirs takes no SQLite write lock, so reads do not
    queue behind the engine's writes (nor hold the lock across async hops).
    async: beginning does no I/O (the connection comes with the first query),
    and only the end, which commits, takes a worker thread. A plain generator
    cost every request two thread hops, a third of a read's time under load.
    """
    session = ctx.db.begin(read_only=request.method in ("GET", "HEAD"))
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await run_in_threadpool(ctx.db.end, session, False)
        raise
    if session.in_transaction():  # else a @reads route ended it in its own thread call
        await run_in_threadpool(ctx.db.end, session, True)


DbSession = Annotated[Session, Depends(get_session)]


def reads(
    register: Callable[[Callable[..., Any]], Any],
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """`@reads(router.get(...))`: serve a plain-def route taking a `DbSession` in one thread call.

    FastAPI gives a plain-def route a worker thread for its body, another to
    validate its answer and (for the session's commit) a third: registered
    through this, the body runs and the session ends in one, and the answer is
    validated on the event loop. FastAPI reads the signature through
    `__wrapped__`. The module keeps the plain function (the dashboard calls it).
    """
    def decorate(route: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(route)
        async def endpoint(*args: P.args, **kwargs: P.kwargs) -> T:
            session = next(v for v in kwargs.values() if isinstance(v, Session))

            def call() -> T:
                try:
                    answer = route(*args, **kwargs)
                except BaseException:
                    Database.end(session, False)
                    raise
                Database.end(session, True)
                return answer

            return await run_in_threadpool(call)

        register(endpoint)
        return route

    return decorate


async def in_session(ctx: AppContext, work: Callable[[Session], T]) -> T:
    """`work(session)` in one transaction, on a worker thread.

    Async routes must not touch the DB on the event loop: a SQLite write waits
    (up to its busy timeout) for the engine's lock, and the whole server with it.
    """
    def call() -> T:
        with ctx.db.session() as session:
            return work(session)

    return await run_in_threadpool(call)


async def workspace_id(
    ctx: Ctx,
    credentials: Credentials,
    ws: Annotated[str, Path(description="workspace id", max_length=64)],
) -> str:
    """The path's workspace, if the key is one of its keys; a foreign key sees a 404.

    async, with the key's workspace remembered for a few seconds (`ctx.keys`):
    most requests are then authenticated without a thread hop or a query.
    """
    if credentials is None or not credentials.credentials:
        raise AuthError("missing API key", hint="send `Authorization: Bearer <workspace API key>`")
    digest = workspaces.hash_key(credentials.credentials)
    owner = ctx.keys.get(digest)
    if owner is None:
        owner = await run_in_threadpool(_lookup_digest, ctx, digest)
        if owner is None:
            raise AuthError("invalid API key",
                            hint="check the key; a workspace key is shown once")
        ctx.keys.put(digest, owner)  # only the DB's answer starts the TTL, not each use
    if owner != ws:
        raise NotFoundError(f"workspace {ws!r} not found")
    return ws


def _lookup_digest(ctx: AppContext, digest: str) -> str | None:
    with ctx.db.read_session() as session:
        return workspaces.workspace_for_digest(session, digest)


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
