"""Executions: queue, claim, progress, finish; every transition a compare-and-set on status."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from syncjobs.errors import ConflictError, NotFoundError
from syncjobs.store.models import ACTIVE_STATUSES, Execution, SyncJob, new_id
from syncjobs.store.types import UTCDateTime, utcnow

# The API's hot reads, built once (building a statement cost more than running it).
_ACTIVE = sa.select(Execution).where(
    Execution.job_id == sa.bindparam("job_id"), Execution.status.in_(ACTIVE_STATUSES))
_HISTORY = sa.select(Execution).where(Execution.job_id == sa.bindparam("job_id"))
_HISTORY_COUNT = sa.select(sa.func.count()).select_from(_HISTORY.subquery())
_HISTORY_PAGE = (
    _HISTORY.order_by(Execution.queued_at.desc(), Execution.id.desc())
    .limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))
)

EMPTY_STATS: dict[str, Any] = {
    "records_processed": 0, "records_created": 0, "records_updated": 0,
    "records_deleted": 0, "records_failed": 0, "entities": {},
}


def active_for_job(session: Session, job_id: str) -> Execution | None:
    return session.scalars(_ACTIVE, {"job_id": job_id}).first()


def create_queued(
    session: Session, job: SyncJob, trigger: str, *, scheduled_for: datetime | None = None,
    context: dict[str, Any] | None = None,
) -> Execution:
    """A queued execution; the partial unique index refuses a second active one."""
    job_id, job_name = job.id, job.name
    values = {
        "id": new_id("exe"), "job_id": job_id, "workspace_id": job.workspace_id,
        "trigger": trigger, "status": "queued", "scheduled_for": scheduled_for,
        "queued_at": utcnow(), "attempt": 0, "context": context or {},
        "stats": dict(EMPTY_STATS), "system": {}, "progress": {}, "cancel_requested": False,
        "log_seq": 0,
    }
    try:
        # A Core insert in a savepoint: a refused row leaves the session usable.
        with session.begin_nested():
            session.execute(sa.insert(Execution).values(**values))
    except IntegrityError:
        active = active_for_job(session, job_id)
        raise ConflictError(
            f"sync job {job_name!r} already has an active execution",
            hint="wait for it to end, or cancel it",
            execution=_brief(active) if active else None,
        ) from None
    row = session.get(Execution, values["id"])
    assert row is not None
    return row


def queue_scheduled(
    session: Session, slots: list[tuple[str, str, datetime, dict[str, Any]]]
) -> dict[str, str]:
    """Queue one execution per (job id, workspace id, slot, context); returns job id -> its id.

    `INSERT ... ON CONFLICT DO NOTHING RETURNING`, all rows at once: a job that
    became busy meanwhile (the partial unique index) is simply not returned.
    """
    if not slots:
        return {}
    dialect = session.get_bind().dialect.name
    ids = [new_id("exe") for _ in slots]
    if dialect == "postgresql":
        # Five array parameters instead of 17 per row: the driver has little to parse.
        result = session.execute(_PG_QUEUE, {
            "ids": ids, "job_ids": [s[0] for s in slots], "workspace_ids": [s[1] for s in slots],
            "slots": [s[2] for s in slots], "contexts": [json.dumps(s[3]) for s in slots],
            "now": utcnow(), "stats": json.dumps(EMPTY_STATS),
        })
        return {job_id: id_ for job_id, id_ in result}
    if dialect != "sqlite":
        return _queue_one_by_one(session, slots)
    now = utcnow()
    rows = [
        {"id": id_, "job_id": job_id, "workspace_id": workspace_id, "trigger": "scheduled",
         "status": "queued", "scheduled_for": slot, "queued_at": now, "attempt": 0,
         "context": context, "stats": dict(EMPTY_STATS), "system": {}, "progress": {},
         "cancel_requested": False, "log_seq": 0}
        for id_, (job_id, workspace_id, slot, context) in zip(ids, slots, strict=True)
    ]
    # Core, not the ORM: one compiled statement sent as batched multi-row VALUES.
    table = sa.table("executions", *(sa.column(name) for name in rows[0]))
    for name in ("context", "stats", "system", "progress"):
        table.c[name].type = sa.JSON()
    table.c["scheduled_for"].type = table.c["queued_at"].type = UTCDateTime()
    statement = sqlite.insert(table).on_conflict_do_nothing().returning(
        table.c.job_id, table.c.id)
    return {job_id: id_ for job_id, id_ in session.execute(statement, rows)}


_PG_QUEUE = sa.text("""
    INSERT INTO executions (id, job_id, workspace_id, "trigger", status, scheduled_for,
                            queued_at, attempt, context, stats, system, progress,
                            cancel_requested, log_seq)
    SELECT u.id, u.job_id, u.workspace_id, 'scheduled', 'queued', u.slot, :now, 0,
           CAST(u.context AS jsonb), CAST(:stats AS jsonb), '{}'::jsonb, '{}'::jsonb, false, 0
    FROM unnest(CAST(:ids AS text[]), CAST(:job_ids AS text[]), CAST(:workspace_ids AS text[]),
                CAST(:slots AS timestamptz[]), CAST(:contexts AS text[]))
         AS u(id, job_id, workspace_id, slot, context)
    ON CONFLICT DO NOTHING
    RETURNING job_id, id
""")


def _queue_one_by_one(
    session: Session, slots: list[tuple[str, str, datetime, dict[str, Any]]]
) -> dict[str, str]:
    queued: dict[str, str] = {}
    for job_id, _workspace_id, slot, context in slots:
        job = session.get(SyncJob, job_id)
        assert job is not None
        try:
            queued[job_id] = create_queued(session, job, "scheduled", scheduled_for=slot,
                                           context=context).id
        except ConflictError:
            continue
    return queued


def create_skipped(
    session: Session, job_id: str, workspace_id: str, scheduled_for: datetime, reason: str
) -> None:
    now = utcnow()
    session.add(Execution(
        id=new_id("exe"), job_id=job_id, workspace_id=workspace_id, trigger="scheduled",
        status="skipped", scheduled_for=scheduled_for, queued_at=now, completed_at=now,
        error={"code": "SKIPPED", "message": reason}, context={}, stats=dict(EMPTY_STATS),
        system={}, progress={},
    ))


def get(session: Session, execution_id: str) -> Execution | None:
    return session.get(Execution, execution_id)


def get_for_job(session: Session, job_id: str, execution_id: str) -> Execution:
    row = session.get(Execution, execution_id)
    if row is None or row.job_id != job_id:
        raise NotFoundError(f"execution {execution_id!r} not found for this job")
    return row


def history(session: Session, job_id: str, limit: int, offset: int) -> tuple[list[Execution], int]:
    total = session.scalar(_HISTORY_COUNT, {"job_id": job_id}) or 0
    rows = session.scalars(_HISTORY_PAGE, {"job_id": job_id, "limit": limit, "offset": offset})
    return list(rows), int(total)


def transition(
    session: Session, execution_id: str, from_statuses: tuple[str, ...], **values: Any
) -> bool:
    """Set `values` if the execution is in one of `from_statuses`; True when it was."""
    result = session.execute(
        sa.update(Execution)
        .where(Execution.id == execution_id, Execution.status.in_(from_statuses))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def heartbeat(session: Session, execution_id: str, progress: dict[str, Any] | None = None) -> bool:
    values: dict[str, Any] = {"last_heartbeat": utcnow()}
    if progress is not None:
        values["progress"] = progress
    return transition(session, execution_id, ("running",), **values)


def request_cancel(session: Session, execution_id: str) -> None:
    transition(session, execution_id, ACTIVE_STATUSES, cancel_requested=True)


def cancel_requested(session: Session, execution_id: str) -> bool:
    row = session.execute(
        sa.select(Execution.cancel_requested, Execution.status).where(Execution.id == execution_id)
    ).first()
    return row is None or bool(row.cancel_requested) or row.status not in ACTIVE_STATUSES


def finish(
    session: Session, execution: Execution, status: str, *,
    error: dict[str, Any] | None = None, stats: dict[str, Any] | None = None,
) -> int | None:
    """End an active execution; the job remembers the outcome.

    Returns its duration in ms, or None when it had already ended.
    """
    now = utcnow()
    started = execution.started_at or execution.queued_at
    values: dict[str, Any] = {
        "status": status, "completed_at": now, "error": error,
        "duration_ms": int((now - started).total_seconds() * 1000),
    }
    if stats is not None:
        values["stats"] = stats
    if not transition(session, execution.id, ACTIVE_STATUSES, **values):
        return None
    job_values: dict[str, Any] = {}
    if status == "completed":
        job_values = {"last_success_at": now, "last_error": None}
    elif status in ("failed", "abandoned") and error:
        job_values = {"last_error": error}
    if job_values:
        session.execute(sa.update(SyncJob).where(SyncJob.id == execution.job_id)
                        .values(**job_values))
    return int(values["duration_ms"])


def stale(session: Session, now: datetime, timeout: timedelta) -> list[Execution]:
    """Running executions whose heartbeat stopped, and queued ones that never started."""
    cutoff = now - timeout
    beat = sa.func.coalesce(Execution.last_heartbeat, Execution.started_at, Execution.queued_at)
    query = sa.select(Execution).where(sa.or_(
        sa.and_(Execution.status == "running", beat < cutoff),
        sa.and_(Execution.status == "queued", Execution.queued_at < cutoff),
    ))
    return list(session.scalars(query))


def active_ids(session: Session) -> set[str]:
    query = sa.select(Execution.id).where(Execution.status.in_(ACTIVE_STATUSES))
    return set(session.scalars(query))


def _brief(row: Execution) -> dict[str, Any]:
    return {"id": row.id, "status": row.status, "trigger": row.trigger,
            "queued_at": row.queued_at.isoformat()}


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(sa.select(Execution.status, sa.func.count()).group_by(Execution.status))
    return {str(status): int(count) for status, count in rows}
