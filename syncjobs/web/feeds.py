"""Small JSON endpoints behind the session cookie: live log, cron preview, check, entities."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from syncjobs import schedule
from syncjobs.api import connectors as connectors_api
from syncjobs.api import executions as executions_api
from syncjobs.errors import ConfigError, ConnectorError
from syncjobs.web.auth import Current, Guarded, ctx_of
from syncjobs.web.security import DashboardRoute
from syncjobs.web.views import duration, local, utc

router = APIRouter(prefix="/ui", route_class=DashboardRoute, include_in_schema=False)
KINDS = {"sources": connectors_api.sources_router,
         "destinations": connectors_api.destinations_router}


def connector_endpoint(kind: str, name: str) -> Callable[..., Any]:
    """The API's own route function (the same code path), e.g. ("sources", "check_connector").

    Unwrapped: a route served through `api.deps.reads` is called here as the
    plain function it wraps, inside the caller's own session.
    """
    for route in KINDS[kind].routes:
        if isinstance(route, APIRoute) and route.name == name:
            endpoint: Callable[..., Any] = inspect.unwrap(route.endpoint)
            return endpoint
    raise LookupError(f"no API route {name!r} for {kind}")


@router.get("/jobs/{job_id}/executions/{execution_id}/logs")
async def log_lines(
    job_id: str, execution_id: str, request: Request, web: Current,
    after: Annotated[int, Query(ge=-1)] = -1,
) -> dict[str, Any]:
    """Lines after `after`, with the execution's status, for the page that follows a run."""
    def load() -> dict[str, Any]:
        with ctx_of(request).db.session() as session:
            page = executions_api.get_logs(job_id, execution_id, web.workspace_id, session,
                                           after=after, limit=500)
            execution = executions_api.get_execution(job_id, execution_id, web.workspace_id,
                                                     session)
        return {
            "items": [{"seq": line.seq, "ts": line.ts.strftime("%H:%M:%S"),
                       "level": line.level, "message": line.message} for line in page.items],
            "next_after": page.next_after, "status": execution.status,
            "records": int((execution.stats or {}).get("records_processed", 0) or 0),
            "duration": duration(execution.duration_ms),
            "chunks": len((execution.progress or {}).get("chunks") or []),
        }

    return await run_in_threadpool(load)


@router.get("/schedule/preview", response_model=None)
async def preview(
    request: Request, web: Current,
    cron: Annotated[str, Query(max_length=100)] = "",
    timezone: Annotated[str, Query(max_length=64)] = "UTC",
) -> dict[str, Any] | JSONResponse:
    """The next five fire times of a cron being typed; 422 with the reason when it is invalid."""
    try:
        expr = schedule.validate_cron(cron)
        zone = schedule.validate_timezone(timezone or "UTC")
        times = schedule.next_fire_times(expr, zone, ctx_of(request).clock(), 5)
    except ConfigError as exc:
        return JSONResponse({"message": str(exc), "field": exc.field}, status_code=422)
    return {"cron": expr, "timezone": zone, "description": schedule.describe(expr),
            "next": [{"utc": utc(t), "local": local(t, zone)} for t in times]}


@router.post("/{kind}/{item_id}/check")
async def check(kind: str, item_id: str, request: Request, web: Guarded) -> dict[str, Any]:
    """Connect to a saved source or destination, as POST .../{id}/check does."""
    if kind not in KINDS:
        return {"ok": False, "message": f"unknown kind {kind!r}"}
    run = connector_endpoint(kind, "check_connector")
    answer = await run(item_id=item_id, ws=web.workspace_id, ctx=ctx_of(request))
    return dict(answer.model_dump())


@router.get("/sources/{item_id}/entities", response_model=None)
async def entities(item_id: str, request: Request, web: Current) -> Any:
    """The entities a saved source offers, for the job form's checkboxes."""
    run = connector_endpoint("sources", "list_entities")
    try:
        found = await run(item_id=item_id, ws=web.workspace_id, ctx=ctx_of(request))
    except ConnectorError as exc:
        return JSONResponse({"message": str(exc), "code": exc.code}, status_code=424)
    except ConfigError as exc:
        return JSONResponse({"message": str(exc)}, status_code=422)
    return [{"name": e.name, "primary_key": e.primary_key} for e in found]

