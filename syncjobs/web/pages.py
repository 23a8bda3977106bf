"""Read-only pages: the jobs list, one job (config, fire times, history, chart), one execution."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from syncjobs import schedule
from syncjobs.api import executions as executions_api
from syncjobs.api import jobs as jobs_api
from syncjobs.api.schemas import ExecutionOut, JobOut
from syncjobs.store import connectors
from syncjobs.store.models import ACTIVE_STATUSES, Destination, Source
from syncjobs.web.auth import Current, ctx_of
from syncjobs.web.charts import history_chart, timeline
from syncjobs.web.security import DashboardRoute
from syncjobs.web.views import number, render

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)

# Notices are chosen by code, never reflected from the query string.
NOTICES = {
    "queued": "Run queued.", "cancelling": "Cancel requested.", "paused": "Schedule paused.",
    "resumed": "Schedule resumed.", "busy": "This job already has an active run.",
    "idle": "This job has no active run to cancel.", "saved": "Saved.", "deleted": "Deleted.",
    "in-use": "Not deleted: sync jobs still use it; delete or repoint them first.",
    "not-started": "The run could not be started: the engine did not accept the event.",
}
HISTORY_SHOWN = 20


def notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("notice", ""))


def names(session: Session, workspace_id: str) -> dict[str, str]:
    """Source and destination names by id, for "source → destination"."""
    found: dict[str, str] = {}
    for model in (Source, Destination):
        found.update({row.id: row.name for row in connectors.list_(session, model, workspace_id)})
    return found


def job_row(job: JobOut, named: dict[str, str]) -> dict[str, Any]:
    last = job.last_execution or {}
    zone = job.schedule.timezone if job.schedule else None
    return {
        "job": job, "source": named.get(job.source_id, job.source_id),
        "destination": named.get(job.destination_id, job.destination_id),
        "zone": zone, "last": last, "active": last.get("status") in ACTIVE_STATUSES,
        "state": "active" if job.enabled else "paused",
    }


@router.get("/")
async def jobs_page(request: Request, web: Current) -> Response:
    def load() -> list[dict[str, Any]]:
        with ctx_of(request).db.session() as session:
            named = names(session, web.workspace_id)
            return [job_row(j, named) for j in jobs_api.list_jobs(web.workspace_id, session)]

    rows = await run_in_threadpool(load)
    return render(request, "jobs.html", {"rows": rows, "notice": notice(request)})


@router.get("/jobs/{job_id}")
async def job_page(job_id: str, request: Request, web: Current) -> Response:
    ctx = ctx_of(request)

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            job = jobs_api.get_job(job_id, web.workspace_id, session)
            history = executions_api.job_history(job_id, web.workspace_id, session,
                                                 limit=HISTORY_SHOWN, offset=0)
            named = names(session, web.workspace_id)
        fire_times = []
        if job.schedule:
            zone = job.schedule.timezone
            fire_times = schedule.next_fire_times(job.schedule.cron, zone, ctx.clock(), 5)
        return {"row": job_row(job, named), "job": job, "history": history.items,
                "total": history.total, "fire_times": fire_times,
                "chart": history_chart(history.items)}

    values = await run_in_threadpool(load)
    return render(request, "job.html", {**values, "notice": notice(request)})


def chunk_items(execution: ExecutionOut) -> list[dict[str, Any]]:
    chunks = (execution.progress or {}).get("chunks") or []
    return [{
        "label": str(c.get("entity", "?")), "start": c.get("started_at"),
        "end": c.get("ended_at"), "status": "completed",
        "title": f"{c.get('entity', '?')}: {number(c.get('records', 0))} records",
    } for c in chunks if isinstance(c, dict)]


@router.get("/jobs/{job_id}/executions/{execution_id}")
async def execution_page(job_id: str, execution_id: str, request: Request,
                         web: Current) -> Response:
    def load() -> dict[str, Any]:
        with ctx_of(request).db.session() as session:
            job = jobs_api.get_job(job_id, web.workspace_id, session)
            execution = executions_api.get_execution(job_id, execution_id, web.workspace_id,
                                                     session)
            logs = executions_api.get_logs(job_id, execution_id, web.workspace_id, session,
                                           after=-1, limit=1000)
        chunks = chunk_items(execution)
        return {"job": job, "execution": execution, "logs": logs,
                "chunks": (execution.progress or {}).get("chunks") or [],
                "timeline": timeline(chunks),
                "entities": (execution.stats or {}).get("entities") or {},
                "active": execution.status in ACTIVE_STATUSES}

    values = await run_in_threadpool(load)
    return render(request, "execution.html", {**values, "notice": notice(request)})
