"""Engine runs (embedded mode): recent runs per function, and one run's steps as a timeline.

Isolation: a run is shown with its steps only when its triggering event's data
names this workspace. Cron-triggered runs serve every workspace at once, so
they are listed as metadata only (function, status, times), never opened.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response

from syncjobs.engine.history import RunSummary, RunView, get_run, list_runs
from syncjobs.errors import NotFoundError
from syncjobs.web.auth import Current, ctx_of
from syncjobs.web.charts import timeline
from syncjobs.web.security import DashboardRoute
from syncjobs.web.views import between_ms, duration, render

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
SCAN = 200  # runs read per function to find this workspace's
SHOWN = 15  # runs shown per function


def workspace_of(view: RunView) -> str | None:
    """The workspace named by the run's event, or by the original event of a failure handler."""
    data = view.event.get("data") if isinstance(view.event, dict) else None
    for _ in range(2):
        if not isinstance(data, dict):
            return None
        value = data.get("workspace_id")
        if isinstance(value, str):
            return value
        original = data.get("event")  # inngest/function.failed carries the failed run's event
        data = original.get("data") if isinstance(original, dict) else None
    return None


def _runs_of(conn: sa.Connection, function: Any, workspace_id: str) -> dict[str, Any]:
    summaries = list_runs(conn, function_id=function.id, limit=SCAN)
    system = not function.event_triggers
    mine: list[RunSummary] = []
    if system:
        mine = summaries[:SHOWN]
    else:
        for summary in summaries:
            view = get_run(conn, summary.id)
            if view is not None and workspace_of(view) == workspace_id:
                mine.append(summary)
                if len(mine) >= SHOWN:
                    break
    return {"id": function.id, "name": function.name, "system": system,
            "triggers": [t for t, _ in function.event_triggers] or list(function.crons),
            "runs": mine}


@router.get("/engine/runs")
async def runs_page(request: Request, web: Current) -> Response:
    engine = ctx_of(request).engine
    if engine is None:
        return render(request, "engine_runs.html", {"functions": [], "embedded": False})
    functions = sorted(engine.functions.values(), key=lambda f: f.id)
    listed = await engine.db.run(
        lambda conn: [_runs_of(conn, f, web.workspace_id) for f in functions])
    return render(request, "engine_runs.html", {"functions": listed, "embedded": True})


@router.get("/engine/runs/{run_id}")
async def run_page(run_id: str, request: Request, web: Current) -> Response:
    engine = ctx_of(request).engine
    view: RunView | None = await engine.get_run(run_id) if engine is not None else None
    if view is None or workspace_of(view) != web.workspace_id:
        raise NotFoundError(f"no run {run_id!r} in this workspace")
    data = view.event.get("data") or {}
    steps = [{
        "label": s.name or s.id, "start": s.started_at, "end": s.ended_at or s.started_at,
        "status": s.status,
        "title": f"{s.name}: {s.status}, attempt {s.attempt}, "
                 f"{duration(between_ms(s.started_at, s.ended_at))}",
    } for s in view.steps]
    return render(request, "engine_run.html", {
        "run": view, "data": {k: v for k, v in data.items() if isinstance(v, str | int)},
        "timeline": timeline(steps),
    })
