"""GET /health: the metadata DB is reachable, and what the engine is doing."""

from __future__ import annotations

import os
import socket
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from syncjobs import __version__
from syncjobs.api.deps import Ctx

router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"description": "the metadata DB is unreachable"}})
async def health(ctx: Ctx) -> JSONResponse:
    # `worker`: which process answered (under `serve --workers N`, any of them).
    body: dict[str, Any] = {"version": __version__, "engine_mode": ctx.settings.engine,
                            "worker": f"{socket.gethostname()}:{os.getpid()}"}
    try:
        await run_in_threadpool(ctx.db.ping)
        body["database"] = "ok"
    except Exception as exc:
        body["database"] = f"unreachable ({type(exc).__name__})"
    engine = ctx.engine
    if engine is None:
        body["engine"] = {"mode": "inngest", "state": "driven by the Inngest server"}
    else:
        # synced: the app's functions are registered with this engine (until then a
        # run requested waits; a readiness probe may wait for it).
        body["engine"] = {"mode": "embedded", "leader": bool(engine.is_leader),
                          "state": "running" if engine.is_leader else "standby",
                          "synced": engine.synced.is_set(),
                          "functions": len(engine.functions)}
    ok = body["database"] == "ok"
    body["status"] = "ok" if ok else "unavailable"
    return JSONResponse(body, status_code=200 if ok else 503)
