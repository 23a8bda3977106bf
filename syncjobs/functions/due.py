"""Claiming due scheduled slots: one queued execution per slot, never two, no pile-up.

For each enabled job whose `next_run_at` has come, in one transaction: move
`next_run_at` to the next future slot by compare-and-set (the winner of a race
owns the slot), then queue an execution for the slot, or record a `skipped`
one when the job is still busy. After downtime, `missed_runs` decides:
`run_once` queues one catch-up run for the first missed slot, `skip` runs none.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from syncjobs import schedule
from syncjobs.errors import ConflictError, SyncJobsError
from syncjobs.store import executions, jobs
from syncjobs.store.models import SyncJob

log = logging.getLogger(__name__)

# A slot claimed within this delay is on time; later, it was missed (downtime).
MISFIRE_GRACE = timedelta(minutes=2)


def claim_due(session: Session, now: datetime, limit: int = 10_000) -> dict[str, Any]:
    """Claim every due slot; returns the executions to start as compact rows."""
    due = jobs.due(session, now, limit)
    busy = jobs.active_job_ids(session, [job.id for job in due])
    to_start: list[list[str]] = []
    skipped = missed = 0
    for job in due:
        outcome, started = _claim_one(session, job, now, job.id in busy)
        if started is not None:
            to_start.append(started)
        elif outcome == "skipped":
            skipped += 1
        elif outcome == "missed":
            missed += 1
    return {"start": to_start, "skipped": skipped, "missed": missed, "due": len(due)}


def _claim_one(
    session: Session, job: SyncJob, now: datetime, busy: bool
) -> tuple[str, list[str] | None]:
    """What happened to this job's slot, and the execution to start if one was queued."""
    slot = job.next_run_at
    assert slot is not None
    try:
        following = (
            schedule.next_run_after(job.cron, job.timezone or "UTC", now) if job.cron else None
        )
    except SyncJobsError as exc:  # a schedule that no longer parses: stop firing, say why
        log.error("job schedule invalid, disabling: %s", exc, extra={"job_id": job.id})
        jobs.advance(session, job.id, slot, None)
        return "invalid", None
    if not jobs.advance(session, job.id, slot, following):
        return "lost", None  # another scheduler claimed this slot first
    if now - slot > MISFIRE_GRACE and job.missed_runs == "skip":
        return "missed", None
    if busy:
        executions.create_skipped(session, job, slot, "previous execution still active")
        return "skipped", None
    try:
        context = {"missed_since": slot.isoformat()} if now - slot > MISFIRE_GRACE else {}
        row = executions.create_queued(session, job, "scheduled", scheduled_for=slot,
                                       context=context)
    except ConflictError:  # became busy since we looked (a manual run)
        executions.create_skipped(session, job, slot, "previous execution still active")
        return "skipped", None
    return "queued", [job.id, job.workspace_id, row.id, slot.isoformat()]
