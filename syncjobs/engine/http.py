"""FastAPI routers: the SDK's side of "Inngest" (sync, events) and the run history."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from .history import RunSummary, RunView, get_run, list_runs
from .limits import LimitExceeded
from .registry import RegistrationError
from .signing import authorized

if TYPE_CHECKING:
    from .engine import EmbeddedEngine


def inngest_api_router(engine: EmbeddedEngine) -> APIRouter:
    """`POST /fn/register` (the SDK's sync) and `POST /e/{event_key}` (client.send)."""
    router = APIRouter(include_in_schema=False)

    @router.post("/fn/register")
    async def register(request: Request) -> JSONResponse:
        # In cloud mode the SDK proves it holds the signing key; refuse anyone else.
        if not authorized(request.headers.get("authorization"), engine.config.signing_key):
            return JSONResponse({"ok": False, "error": "bad or missing signing key"}, 401)
        body = await request.json()
        try:
            fns = await engine.register(
                str(body.get("appname") or body.get("app_name") or "app"),
                str(body.get("url") or ""),
                list(body.get("functions") or []),
            )
        except (RegistrationError, KeyError, TypeError) as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True, "modified": True, "functions": len(fns)})

    @router.post("/e/{event_key}")
    async def send_events(event_key: str, request: Request) -> JSONResponse:
        if engine.config.event_key is not None and event_key != engine.config.event_key:
            return JSONResponse({"ids": [], "status": 401, "error": "unknown event key"}, 401)
        body = await request.json()
        events = body if isinstance(body, list) else [body]
        try:
            ids = await engine.send(events)
        except LimitExceeded as exc:
            return JSONResponse({"ids": [], "status": 413, "error": str(exc)}, 413)
        except ValueError as exc:
            return JSONResponse({"ids": [], "status": 400, "error": str(exc)}, 400)
        return JSONResponse({"ids": ids, "status": 200})

    return router


RunStatus = Literal["queued", "running", "completed", "failed", "cancelled"]


def runs_router(engine: EmbeddedEngine, auth: Callable[..., Any]) -> APIRouter:
    """`GET /api/engine/runs[/{run_id}]`, behind the app's `auth` dependency."""
    router = APIRouter(prefix="/api/engine", tags=["engine"], dependencies=[Depends(auth)])

    @router.get("/runs", response_model=list[RunSummary])
    async def runs(
        function_id: str | None = Query(None, min_length=1, max_length=200,
                                        pattern=r"^[A-Za-z0-9._:-]+$"),
        status: RunStatus | None = None,
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0, le=1_000_000),  # SQLite integers are 64-bit
    ) -> list[RunSummary]:
        return await engine.db.run(
            lambda c: list_runs(
                c, function_id=function_id, status=status, limit=limit, offset=offset
            )
        )

    @router.get("/runs/{run_id}", response_model=RunView)
    async def run(run_id: str) -> RunView:
        view = await engine.db.run(lambda c: get_run(c, run_id))
        if view is None:
            raise HTTPException(404, f"no run {run_id}")
        return view

    return router
