"""GET /metrics: Prometheus text format."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from syncjobs.api.deps import Ctx
from syncjobs.context import AppContext
from syncjobs.engine import schema as engine_schema
from syncjobs.store import executions
from syncjobs.store.models import ACTIVE_STATUSES

router = APIRouter(tags=["health"])


def db_gauges(ctx: AppContext) -> dict[str, Any]:
    """What the DB says now: executions by status, active runs, the engine's queue."""
    with ctx.db.session() as session:
        counts = executions.count_by_status(session)
    values: dict[str, Any] = {"executions": counts,
                              "active": sum(counts.get(s, 0) for s in ACTIVE_STATUSES)}
    if ctx.engine is not None:
        values["queue_depth"] = ctx.engine.db.run_sync(_queue_depth)
    return values


def _queue_depth(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(engine_schema.queue)).scalar()
               or 0)


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
async def metrics(ctx: Ctx) -> Response:
    body = await run_in_threadpool(ctx.metrics.render)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
