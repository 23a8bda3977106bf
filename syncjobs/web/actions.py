"""Buttons: run now, cancel, pause/resume and delete, through the API's own functions."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from syncjobs.api import executions as executions_api
from syncjobs.api import jobs as jobs_api
from syncjobs.api.schemas import CancelIn
from syncjobs.errors import ConflictError, NotFoundError
from syncjobs.web.auth import Guarded, ctx_of
from syncjobs.web.security import DashboardRoute

log = logging.getLogger(__name__)
router = APIRouter(route_class=DashboardRoute, include_in_schema=False)


async def back_to(request: Request, fallback: str, notice: str) -> Response:
    """Redirect to the form's `next` page (a local path only) with a notice code."""
    target = (await request.form()).get("next")
    parts = urlsplit(target if isinstance(target, str) else "")
    local = not (parts.scheme or parts.netloc) and parts.path.startswith("/")
    path = parts.path if local and not parts.path.startswith("//") else fallback
    return RedirectResponse(f"{path}?notice={notice}", status_code=303)


@router.post("/jobs/{job_id}/run")
async def run_now(job_id: str, request: Request, web: Guarded) -> Response:
    ctx = ctx_of(request)
    try:
        accepted = await executions_api.run_job(job_id, web.workspace_id, ctx)
    except ConflictError as exc:
        busy = "already has an active" in str(exc)
        return await back_to(request, f"/jobs/{job_id}", "busy" if busy else "not-started")
    # Straight to the execution, whose log follows the run live.
    return RedirectResponse(f"/jobs/{job_id}/executions/{accepted.execution_id}?notice=queued",
                            status_code=303)


@router.post("/jobs/{job_id}/cancel")
async def cancel(job_id: str, request: Request, web: Guarded) -> Response:
    ctx = ctx_of(request)
    form = await request.form()
    execution_id = form.get("execution_id")
    body = (CancelIn(execution_id=execution_id)
            if isinstance(execution_id, str) and execution_id else None)
    try:
        await executions_api.cancel_job(job_id, web.workspace_id, ctx, body)
    except (ConflictError, NotFoundError) as exc:
        if isinstance(exc, NotFoundError) and "no active execution" not in str(exc):
            raise
        return await back_to(request, f"/jobs/{job_id}", "idle")
    return await back_to(request, f"/jobs/{job_id}", "cancelling")


@router.post("/jobs/{job_id}/toggle")
async def toggle(job_id: str, request: Request, web: Guarded) -> Response:
    ctx = ctx_of(request)

    def flip() -> bool:
        with ctx.db.session() as session:
            return jobs_api.toggle_job(job_id, web.workspace_id, session, ctx).enabled

    enabled = await run_in_threadpool(flip)
    return await back_to(request, f"/jobs/{job_id}", "resumed" if enabled else "paused")


@router.post("/jobs/{job_id}/delete")
async def delete(job_id: str, request: Request, web: Guarded) -> Response:
    await jobs_api.delete_job(job_id, web.workspace_id, ctx_of(request))
    return RedirectResponse("/?notice=deleted", status_code=303)
