"""Sync jobs: CRUD, pause/resume, and the schedule preview."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.orm import Session

from syncjobs import schedule, sync
from syncjobs.api.deps import Ctx, DbSession, WorkspaceId, in_session, reads
from syncjobs.api.schemas import (
    FireTime,
    JobIn,
    JobOut,
    JobPatch,
    Schedule,
    ScheduleOut,
    ScheduleTimes,
)
from syncjobs.context import AppContext
from syncjobs.errors import ConfigError, ConnectorError, NotFoundError
from syncjobs.functions import events
from syncjobs.functions.ending import end
from syncjobs.store import connectors, executions, jobs
from syncjobs.store.models import Destination, Execution, Source, SyncJob

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/workspaces/{ws}/sync-jobs", tags=["sync-jobs"])


def execution_summary(row: Execution | None) -> dict[str, Any] | None:
    if row is None:
        return None
    stats = row.stats or {}
    return {
        "id": row.id, "status": row.status, "trigger": row.trigger,
        "queued_at": row.queued_at, "started_at": row.started_at,
        "completed_at": row.completed_at, "duration_ms": row.duration_ms,
        "records_processed": stats.get("records_processed", 0),
        "error": row.error,
    }


def job_out(job: SyncJob, last: Execution | None = None) -> JobOut:
    sched = None
    if job.cron:
        sched = ScheduleOut(cron=job.cron, timezone=job.timezone or "UTC",
                            description=schedule.describe(job.cron))
    return JobOut(
        id=job.id, name=job.name, source_id=job.source_id, destination_id=job.destination_id,
        entities=list(job.entities or []), sync_mode=job.sync_mode, table_prefix=job.table_prefix,
        schedule=sched, enabled=job.enabled, missed_runs=job.missed_runs,
        next_run_at=job.next_run_at, last_run_at=job.last_run_at,
        last_success_at=job.last_success_at, last_error=job.last_error, run_count=job.run_count,
        created_at=job.created_at, updated_at=job.updated_at,
        last_execution=execution_summary(last),
    )


def _validated_schedule(body: Schedule) -> tuple[str, str]:
    return schedule.validate_cron(body.cron), schedule.validate_timezone(body.timezone or "UTC")


def _next_run(cron: str | None, zone: str | None, enabled: bool, now: datetime) -> datetime | None:
    if not cron or not enabled:
        return None
    return schedule.next_run_after(cron, zone or "UTC", now)


def _connector(session: Session, model: type[Source] | type[Destination], ws: str,
               item_id: str, field: str) -> Source | Destination:
    try:
        return connectors.get(session, model, ws, item_id)
    except NotFoundError:
        raise ConfigError(
            f"{field}: no {'source' if model is Source else 'destination'} {item_id!r} "
            "in this workspace", field=field, hint="list them with GET .../" +
            ("sources" if model is Source else "destinations"),
        ) from None


def _check_entities(ctx: AppContext, source: Source, entities: list[str]) -> None:
    """Refuse entities the source does not offer, when the source can say which it offers."""
    if not entities:
        return
    try:
        config = sync.parse_source_config(source.type, connectors.config_of(source, ctx.cipher))
        offered = {e.name for e in sync.list_entities(config)}
    except ConnectorError:
        return  # unreachable now: the run will report it; creation need not wait for it
    unknown = [e for e in entities if e not in offered]
    if unknown:
        raise ConfigError(
            f"entities not offered by source {source.name!r}: {', '.join(unknown)}",
            field="entities", hint=f"choose among: {', '.join(sorted(offered)) or '(none)'}",
        )


@reads(router.get(""))
def list_jobs(ws: WorkspaceId, session: DbSession) -> list[JobOut]:
    rows = jobs.list_(session, ws)
    last = jobs.last_executions(session, [job.id for job in rows])
    return [job_out(job, last.get(job.id)) for job in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_job(body: JobIn, ws: WorkspaceId, session: DbSession, ctx: Ctx) -> JobOut:
    source = _connector(session, Source, ws, body.source_id, "source_id")
    _connector(session, Destination, ws, body.destination_id, "destination_id")
    cron, zone = _validated_schedule(body.schedule) if body.schedule else (None, None)
    _check_entities(ctx, source, body.entities)  # type: ignore[arg-type]
    job = jobs.create(
        session, ws, name=body.name, source_id=body.source_id,
        destination_id=body.destination_id, entities=body.entities, sync_mode=body.sync_mode,
        table_prefix=body.table_prefix, cron=cron, timezone=zone, enabled=body.enabled,
        missed_runs=body.missed_runs, next_run_at=_next_run(cron, zone, body.enabled, ctx.clock()),
    )
    return job_out(job)


@reads(router.get("/{job_id}"))
def get_job(job_id: str, ws: WorkspaceId, session: DbSession) -> JobOut:
    job = jobs.get(session, ws, job_id)
    return job_out(job, jobs.last_executions(session, [job.id]).get(job.id))


@router.patch("/{job_id}")
def update_job(job_id: str, body: JobPatch, ws: WorkspaceId, session: DbSession,
               ctx: Ctx) -> JobOut:
    job = jobs.get(session, ws, job_id)
    given = body.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    for key in ("name", "entities", "sync_mode", "missed_runs", "table_prefix", "enabled"):
        if key in given and given[key] is not None:
            changes[key] = given[key]
    if "source_id" in given and body.source_id:
        _connector(session, Source, ws, body.source_id, "source_id")
        changes["source_id"] = body.source_id
    if "destination_id" in given and body.destination_id:
        _connector(session, Destination, ws, body.destination_id, "destination_id")
        changes["destination_id"] = body.destination_id
    if "schedule" in given:
        cron, zone = _validated_schedule(body.schedule) if body.schedule else (None, None)
        changes.update(cron=cron, timezone=zone)
    if "entities" in changes:
        source = _connector(session, Source, ws, changes.get("source_id", job.source_id),
                            "source_id")
        _check_entities(ctx, source, changes["entities"])  # type: ignore[arg-type]
    rescheduled = {"schedule", "enabled"} & set(given)
    jobs.update(session, job, **changes)
    if rescheduled:
        jobs.update(session, job, next_run_at=_next_run(job.cron, job.timezone, job.enabled,
                                                        ctx.clock()))
    return job_out(job)


@router.delete("/{job_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_job(job_id: str, ws: WorkspaceId, ctx: Ctx) -> Response:
    """Cancel the job's active execution first, then delete it with its history."""
    def cancel_active(session: Session) -> Execution | None:
        jobs.get(session, ws, job_id)
        active = executions.active_for_job(session, job_id)
        if active is not None:
            executions.request_cancel(session, active.id)
            end(ctx, session, active, "cancelled",
                {"code": "JOB_DELETED", "message": "the job was deleted"})
        return active

    active = await in_session(ctx, cancel_active)
    if active is not None and ctx.inngest is not None:
        # Stops the engine run too; its chunk sees the flag within one page.
        try:
            await ctx.inngest.send([events.cancel_event(
                job_id=job_id, workspace_id=ws, execution_id=active.id, reason="job deleted")])
        except Exception as exc:
            # Delete anyway: a chunk whose execution row is gone stops at its next page.
            log.error("cancel event of a deleted job not sent: %s", type(exc).__name__,
                      extra={"job_id": job_id, "execution_id": active.id})
    await in_session(ctx, lambda session: jobs.delete(session, jobs.get(session, ws, job_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{job_id}/toggle")
def toggle_job(job_id: str, ws: WorkspaceId, session: DbSession, ctx: Ctx) -> JobOut:
    """Pause or resume the schedule; a resumed job's next run is the next future slot."""
    job = jobs.get(session, ws, job_id)
    enabled = not job.enabled
    jobs.update(session, job, enabled=enabled,
                next_run_at=_next_run(job.cron, job.timezone, enabled, ctx.clock()))
    return job_out(job)


@reads(router.get("/{job_id}/schedule"))
def job_schedule(
    job_id: str, ws: WorkspaceId, session: DbSession, ctx: Ctx,
    count: Annotated[int, Query(ge=1, le=100)] = 5,
) -> ScheduleTimes:
    job = jobs.get(session, ws, job_id)
    if not job.cron:
        raise ConfigError("this job has no schedule; it runs on demand only", field="schedule")
    zone = job.timezone or "UTC"
    times = schedule.next_fire_times(job.cron, zone, ctx.clock(), count)
    return ScheduleTimes(
        cron=job.cron, timezone=zone, description=schedule.describe(job.cron),
        enabled=job.enabled,
        next=[FireTime(utc=t, local=schedule.to_local(t, zone)) for t in times],
    )
