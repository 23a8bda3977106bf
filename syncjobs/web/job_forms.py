"""Forms to create and edit sync jobs: connectors, entities, mode, cron preset or custom, zone."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from syncjobs.api import jobs as jobs_api
from syncjobs.api.schemas import JobIn, JobOut, JobPatch, Schedule
from syncjobs.errors import ConfigError, ConflictError
from syncjobs.store import connectors
from syncjobs.store.models import Destination, Source
from syncjobs.web.auth import Current, Guarded, ctx_of
from syncjobs.web.security import DashboardRoute
from syncjobs.web.views import render

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
PRESETS = [
    ("", "On demand only (no schedule)"), ("*/5 * * * *", "Every 5 minutes"),
    ("*/15 * * * *", "Every 15 minutes"), ("*/30 * * * *", "Every 30 minutes"),
    ("0 * * * *", "Hourly"), ("0 */6 * * *", "Every 6 hours"), ("0 0 * * *", "Daily"),
    ("0 0 * * 1", "Weekly (Mondays)"), ("0 0 1 * *", "Monthly (the 1st)"),
    ("custom", "Custom cron…"),
]


@lru_cache(maxsize=1)
def zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


def _choices(request: Request, workspace_id: str) -> dict[str, Any]:
    with ctx_of(request).db.session() as session:
        return {
            "sources": [(r.id, r.name) for r in connectors.list_(session, Source, workspace_id)],
            "destinations": [(r.id, r.name) for r in
                             connectors.list_(session, Destination, workspace_id)],
        }


def values_of(job: JobOut | None) -> dict[str, Any]:
    """The form's fields, from a job (edit) or blank (new)."""
    cron = job.schedule.cron if job and job.schedule else ""
    preset = cron if cron in dict(PRESETS) else ("custom" if cron else "")
    return {
        "name": job.name if job else "", "source_id": job.source_id if job else "",
        "destination_id": job.destination_id if job else "",
        "entities": list(job.entities) if job else [],
        "sync_mode": job.sync_mode if job else "full",
        "preset": preset, "cron": cron,
        "timezone": job.schedule.timezone if job and job.schedule else "",
        "enabled": job.enabled if job else True,
        "missed_runs": job.missed_runs if job else "run_once",
        "table_prefix": (job.table_prefix or "") if job else "",
    }


def parse_form(form: FormData) -> dict[str, Any]:
    text = {k: str(form.get(k) or "").strip() for k in (
        "name", "source_id", "destination_id", "sync_mode", "preset", "cron", "timezone",
        "missed_runs", "table_prefix")}
    return {**text, "entities": [str(e) for e in form.getlist("entities") if str(e).strip()],
            "enabled": form.get("enabled") == "on"}


def schedule_of(values: dict[str, Any]) -> Schedule | None:
    preset = values["preset"]
    cron = values["cron"] if preset == "custom" else preset
    if not cron:
        return None
    return Schedule(cron=cron, timezone=values["timezone"] or "UTC")


def _page(request: Request, values: dict[str, Any], job_id: str | None,
          error: str | None = None, status: int = 200) -> Response:
    context = {"values": values, "job_id": job_id, "presets": PRESETS, "zones": zones(),
               "entities_json": json.dumps(values["entities"]), "error": error,
               **_choices(request, request.state.web.workspace_id)}
    return render(request, "job_form.html", context, status_code=status)


@router.get("/jobs/new")
async def new_job(request: Request, web: Current) -> Response:
    return await run_in_threadpool(_page, request, values_of(None), None)


@router.get("/jobs/{job_id}/edit")
async def edit_job(job_id: str, request: Request, web: Current) -> Response:
    def load() -> Response:
        with ctx_of(request).db.session() as session:
            job = jobs_api.get_job(job_id, web.workspace_id, session)
        return _page(request, values_of(job), job_id)

    return await run_in_threadpool(load)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors(include_input=False, include_url=False)[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(exc)


@router.post("/jobs/new")
@router.post("/jobs/{job_id}/edit")
async def save_job(request: Request, web: Guarded, job_id: str | None = None) -> Response:
    ctx = ctx_of(request)
    values = parse_form(await request.form())

    def store() -> str:
        fields: dict[str, Any] = {
            "name": values["name"], "source_id": values["source_id"],
            "destination_id": values["destination_id"], "entities": values["entities"],
            "sync_mode": values["sync_mode"] or "full", "schedule": schedule_of(values),
            "enabled": values["enabled"], "missed_runs": values["missed_runs"] or "run_once",
            "table_prefix": values["table_prefix"] or None,
        }
        with ctx.db.session() as session:
            if job_id is None:
                return jobs_api.create_job(JobIn(**fields), web.workspace_id, session, ctx).id
            return jobs_api.update_job(job_id, JobPatch(**fields), web.workspace_id, session,
                                       ctx).id

    try:
        saved = await run_in_threadpool(store)
    except (ConfigError, ConflictError, ValidationError) as exc:
        return await run_in_threadpool(_page, request, values, job_id, _message(exc), 422)
    return RedirectResponse(f"/jobs/{saved}?notice=saved", status_code=303)
