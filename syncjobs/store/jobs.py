"""Sync jobs: the rows the API edits and the scheduler reads."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from syncjobs.errors import ConflictError, NotFoundError
from syncjobs.store.models import Execution, SyncJob, new_id

# Ids per IN (...) list: far inside the bind-parameter limits of SQLite and psycopg.
_IN_CHUNK = 1000

# Statements of the API's hot reads, built once: building a select and its
# subquery took more CPU than running it (a read cost 1.2 ms instead of 0.2 ms).
_GET = sa.select(SyncJob).where(SyncJob.id == sa.bindparam("job_id"))
_NEWEST = (
    sa.select(Execution.job_id, sa.func.max(Execution.queued_at).label("queued_at"))
    .where(Execution.job_id.in_(sa.bindparam("job_ids", expanding=True)))
    .group_by(Execution.job_id)
    .subquery()
)
_LAST_OF_MANY = sa.select(Execution).join(
    _NEWEST, sa.and_(Execution.job_id == _NEWEST.c.job_id,
                     Execution.queued_at == _NEWEST.c.queued_at),
)
_LAST_OF_ONE = (
    sa.select(Execution).where(Execution.job_id == sa.bindparam("job_id"))
    .order_by(Execution.queued_at.desc()).limit(1)
)

EDITABLE = {
    "name", "source_id", "destination_id", "entities", "sync_mode", "table_prefix",
    "cron", "timezone", "enabled", "missed_runs", "next_run_at",
}


def create(session: Session, workspace_id: str, **fields: Any) -> SyncJob:
    job = SyncJob(id=new_id("job"), workspace_id=workspace_id, **_only_editable(fields))
    session.add(job)
    _flush_unique(session, job.name)
    return job


def get(session: Session, workspace_id: str, job_id: str, *, for_update: bool = False) -> SyncJob:
    query = _GET.with_for_update() if for_update else _GET
    job = session.scalars(query, {"job_id": job_id}).first()
    if job is None or job.workspace_id != workspace_id:
        raise NotFoundError(f"sync job {job_id!r} not found in this workspace")
    return job


def list_(session: Session, workspace_id: str) -> list[SyncJob]:
    query = sa.select(SyncJob).where(SyncJob.workspace_id == workspace_id)
    return list(session.scalars(query.order_by(SyncJob.created_at)))


def update(session: Session, job: SyncJob, **fields: Any) -> SyncJob:
    for key, value in _only_editable(fields).items():
        setattr(job, key, value)
    _flush_unique(session, job.name)
    return job


def delete(session: Session, job: SyncJob) -> None:
    """Delete the job; its executions, logs and state go with it (ON DELETE CASCADE)."""
    session.execute(sa.delete(Execution).where(Execution.job_id == job.id))
    session.delete(job)
    session.flush()


def last_executions(session: Session, job_ids: list[str]) -> dict[str, Execution]:
    """The newest execution of each job, in one query."""
    if not job_ids:
        return {}
    if len(job_ids) == 1:
        row = session.scalars(_LAST_OF_ONE, {"job_id": job_ids[0]}).first()
        return {} if row is None else {row.job_id: row}
    return {row.job_id: row for row in session.scalars(_LAST_OF_MANY, {"job_ids": job_ids})}


def _only_editable(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"not editable sync job fields: {sorted(unknown)}")
    return fields


def _flush_unique(session: Session, name: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ConflictError(
            f"a sync job named {name!r} already exists in this workspace",
            hint="choose another name",
        ) from None


def due(session: Session, now: datetime, limit: int) -> list[SyncJob]:
    """Enabled jobs whose next run has come (the `ix_sync_jobs_due` index)."""
    query = (
        sa.select(SyncJob)
        .where(SyncJob.enabled.is_(True), SyncJob.next_run_at <= now)
        .order_by(SyncJob.next_run_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def due_slots(session: Session, now: datetime, limit: int) -> list[sa.Row[Any]]:
    """Like `due`, as plain rows (id, workspace_id, cron, timezone, next_run_at, missed_runs).

    The scheduler reads thousands at a tick; rows skip the ORM's identity map.
    """
    query = (
        sa.select(SyncJob.id, SyncJob.workspace_id, SyncJob.cron, SyncJob.timezone,
                  SyncJob.next_run_at, SyncJob.missed_runs)
        .where(SyncJob.enabled.is_(True), SyncJob.next_run_at <= now)
        .order_by(SyncJob.next_run_at, SyncJob.id)
        .limit(limit)
    )
    return list(session.execute(query))


def advance(session: Session, job_id: str, expected: datetime, new: datetime | None) -> bool:
    """Compare-and-set of next_run_at: only one scheduler wins a slot."""
    result = session.execute(
        sa.update(SyncJob)
        .where(SyncJob.id == job_id, SyncJob.next_run_at == expected)
        .values(next_run_at=new)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def advance_many(
    session: Session, claims: list[tuple[str, datetime, datetime | None]]
) -> set[str]:
    """`advance` for many jobs: (job id, expected, new) each; returns the ids whose CAS won.

    Jobs sharing (expected, new), as jobs due in the same minute mostly do, move
    in one `UPDATE ... WHERE id IN (...) AND next_run_at = expected RETURNING id`:
    a row another scheduler moved first no longer matches, so it is not returned.
    Groups and ids go in a fixed order so two racing schedulers lock rows alike.
    """
    groups: dict[tuple[datetime, datetime | None], list[str]] = defaultdict(list)
    for job_id, expected, new in claims:
        groups[(expected, new)].append(job_id)
    won: set[str] = set()
    for (expected, new), ids in sorted(groups.items(), key=lambda item: min(item[1])):
        ids.sort()
        for among in id_in(session, SyncJob.id, ids):
            result = session.execute(
                sa.update(SyncJob)
                .where(among, SyncJob.next_run_at == expected)
                .values(next_run_at=new)
                .returning(SyncJob.id)
                .execution_options(synchronize_session=False)
            )
            won.update(result.scalars())
    return won


def id_in(session: Session, column: Any, ids: list[str]) -> list[sa.ColumnElement[bool]]:
    """`column IN ids` as few conditions as the dialect allows (one per statement to run).

    PostgreSQL: one `= ANY(array)` (a single parameter, whatever the count);
    elsewhere IN lists of at most _IN_CHUNK ids.
    """
    if session.get_bind().dialect.name == "postgresql":
        return [column == sa.any_(sa.cast(sa.literal(ids, ARRAY(sa.Text)), ARRAY(sa.Text)))]
    return [column.in_(ids[first:first + _IN_CHUNK]) for first in range(0, len(ids), _IN_CHUNK)]


def mark_started(session: Session, job_id: str, now: datetime) -> None:
    session.execute(
        sa.update(SyncJob).where(SyncJob.id == job_id)
        .values(last_run_at=now, run_count=SyncJob.run_count + 1)
    )


def active_job_ids(session: Session, job_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for among in id_in(session, Execution.job_id, job_ids):
        query = sa.select(Execution.job_id).where(among,
                                                  Execution.status.in_(("queued", "running")))
        found.update(session.scalars(query))
    return found
