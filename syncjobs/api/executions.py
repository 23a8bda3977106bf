"""Running jobs: run now, status, cancel, history, one execution, and its log."""

from __future__ import annotations

import logging
from typing import Annotated

import inngest
from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from syncjobs.api.deps import Ctx, DbSession, WorkspaceId, in_session, reads
from syncjobs.api.schemas import (
    CancelAccepted,
    CancelIn,
    ExecutionOut,
    History,
    JobStatus,
    LogLine,
    LogPage,
    RunAccepted,
)
from syncjobs.context import AppContext
from syncjobs.errors import ConflictError, NotFoundError
from syncjobs.functions import events
from syncjobs.functions.ending import end
from syncjobs.store import executions, jobs, logs
from syncjobs.store.models import ACTIVE_STATUSES, Execution

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/workspaces/{ws}/sync-jobs/{job_id}", tags=["executions"])


def execution_out(row: Execution) -> ExecutionOut:
    return ExecutionOut.model_validate(row, from_attributes=True)


async def send_events(ctx: AppContext, batch: list[inngest.Event]) -> list[str]:
    return list(await ctx.inngest.send(batch))


@router.post("/run", status_code=status.HTTP_202_ACCEPTED,
             responses={409: {"description": "an execution of this job is already active"}})
async def run_job(job_id: str, ws: WorkspaceId, ctx: Ctx) -> RunAccepted:
    """Queue a manual execution; a paused job runs too (pausing stops only its schedule)."""
    def queue(session: Session) -> tuple[Execution, bool]:
        job = jobs.get(session, ws, job_id)
        return executions.create_queued(session, job, "manual"), job.enabled

    execution, enabled = await in_session(ctx, queue)
    event = events.job_event(events.MANUAL, job_id=job_id, workspace_id=ws,
                             execution_id=execution.id, trigger="manual")
    try:
        (event_id,) = await send_events(ctx, [event])
    except Exception as exc:
        # Nothing is lost: the execution records why it never started.
        error = {"code": "EVENT_NOT_SENT",
                 "message": f"could not send the event: {type(exc).__name__}"}
        await in_session(ctx, lambda session: end(ctx, session, execution, "failed", error))
        log.error("manual run event not sent: %s", type(exc).__name__,
                  extra={"job_id": job_id, "execution_id": execution.id})
        raise ConflictError("the run could not be started: the engine did not accept the event",
                            hint="check /health and retry") from None
    await in_session(ctx, lambda session: executions.transition(
        session, execution.id, ACTIVE_STATUSES, event_id=event_id))
    message = None if enabled else (
        "this job is paused: its schedule does not fire, but this manual run does")
    return RunAccepted(execution_id=execution.id, event_id=event_id, status="queued",
                       message=message)


@reads(router.get("/status"))
def job_status(job_id: str, ws: WorkspaceId, session: DbSession) -> JobStatus:
    jobs.get(session, ws, job_id)
    active = executions.active_for_job(session, job_id)
    if active is not None:
        return JobStatus(is_running=True, execution=execution_out(active))
    latest, _total = executions.history(session, job_id, 1, 0)
    return JobStatus(is_running=False, execution=execution_out(latest[0]) if latest else None)


@router.post("/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_job(job_id: str, ws: WorkspaceId, ctx: Ctx,
                     body: CancelIn | None = None) -> CancelAccepted:
    def flag(session: Session) -> Execution:
        jobs.get(session, ws, job_id)
        if body is not None and body.execution_id:
            execution = executions.get_for_job(session, job_id, body.execution_id)
            if execution.status not in ACTIVE_STATUSES:
                raise ConflictError(f"execution {execution.id} already ended ({execution.status})")
        else:
            found = executions.active_for_job(session, job_id)
            if found is None:
                raise NotFoundError("this job has no active execution to cancel")
            execution = found
        # The flag takes effect at the next page even before the event is handled.
        executions.request_cancel(session, execution.id)
        return execution

    execution = await in_session(ctx, flag)
    try:
        await send_events(ctx, [events.cancel_event(job_id=job_id, workspace_id=ws,
                                                    execution_id=execution.id)])
    except Exception as exc:
        # The flag stands (a running chunk obeys it); a run that never started
        # would wait for an engine that is not there, so it ends here.
        log.error("cancel event not sent: %s", type(exc).__name__,
                  extra={"job_id": job_id, "execution_id": execution.id})
        def end_if_queued(session: Session) -> bool:
            row = executions.get(session, execution.id)
            return row is not None and row.status == "queued" and bool(executions.finish(
                session, row, "cancelled",
                error={"code": "CANCELLED", "message": "cancelled before it started"}))

        ended = await in_session(ctx, end_if_queued)
        return CancelAccepted(
            execution_id=execution.id, status="cancelled" if ended else "cancelling",
            message="the engine did not accept the cancel event; the execution is flagged "
            "and stops at its next page (check /health)")
    return CancelAccepted(execution_id=execution.id, status="cancelling")


@reads(router.get("/history"))
def job_history(
    job_id: str, ws: WorkspaceId, session: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> History:
    jobs.get(session, ws, job_id)
    rows, total = executions.history(session, job_id, limit, offset)
    return History(items=[execution_out(r) for r in rows], total=total, limit=limit,
                   offset=offset)


@reads(router.get("/executions/{execution_id}"))
def get_execution(job_id: str, execution_id: str, ws: WorkspaceId,
                  session: DbSession) -> ExecutionOut:
    jobs.get(session, ws, job_id)
    return execution_out(executions.get_for_job(session, job_id, execution_id))


@reads(router.get("/executions/{execution_id}/logs"))
def get_logs(
    job_id: str, execution_id: str, ws: WorkspaceId, session: DbSession,
    # Bounded by the column (a 32-bit integer): a larger number is a 422, not a driver error.
    after: Annotated[int, Query(ge=-1, le=2**31 - 1, description="last seq already seen")] = -1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> LogPage:
    jobs.get(session, ws, job_id)
    execution = executions.get_for_job(session, job_id, execution_id)
    rows = logs.page(session, execution_id, after=after, limit=limit)
    items = [LogLine(seq=r.seq, ts=r.ts, level=r.level, message=r.message, data=r.data)
             for r in rows]
    return LogPage(items=items, next_after=items[-1].seq if items else after,
                   status=execution.status)


