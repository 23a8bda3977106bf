"""Claiming due scheduled slots: one queued execution per slot, never two, no pile-up.

For every enabled job whose `next_run_at` has come, in one transaction: move
`next_run_at` to the next future slot by compare-and-set (the winner of a race
owns the slot), then queue an execution for the slot, or record a `skipped`
one when the job is still busy. After downtime, `missed_runs` decides:
`run_once` queues one catch-up run for the first missed slot, `skip` runs none.

The statements are bulk (one CAS UPDATE per group of jobs sharing a slot and a
next slot, one INSERT per thousand executions) so that a tick over 10,000 due
jobs stays well under a second (bench/bench_scheduler.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from syncjobs import schedule
from syncjobs.errors import SyncJobsError
from syncjobs.store import executions, jobs

log = logging.getLogger(__name__)

# A slot claimed within this delay is on time; later, it was missed (downtime).
MISFIRE_GRACE = timedelta(minutes=2)
BUSY = "previous execution still active"


def claim_due(session: Session, now: datetime, limit: int = 10_000) -> dict[str, Any]:
    """Claim every due slot; returns the executions to start as compact rows."""
    due = jobs.due_slots(session, now, limit)
    busy = jobs.active_job_ids(session, [job.id for job in due])
    following = _next_slots(due, now)
    # A schedule that no longer parses: stop firing it (next_run_at = None), said in the log.
    jobs.advance_many(session, [(j.id, j.next_run_at, None) for j in due if j.id not in following])
    won = jobs.advance_many(session, [(j.id, j.next_run_at, following[j.id])
                                      for j in due if j.id in following])
    skipped = missed = 0
    wanted: list[tuple[str, str, datetime, dict[str, Any]]] = []
    for job in due:
        if job.id not in won:
            continue  # invalid schedule, or another scheduler claimed this slot first
        slot = job.next_run_at
        late = now - slot > MISFIRE_GRACE
        if late and job.missed_runs == "skip":
            missed += 1
        elif job.id in busy:
            executions.create_skipped(session, job.id, job.workspace_id, slot, BUSY)
            skipped += 1
        else:
            wanted.append((job.id, job.workspace_id, slot,
                           {"missed_since": slot.isoformat()} if late else {}))
    queued = executions.queue_scheduled(session, wanted)
    to_start: list[list[str]] = []
    for job_id, workspace_id, slot, _context in wanted:
        if job_id in queued:
            to_start.append([job_id, workspace_id, queued[job_id], slot.isoformat()])
        else:  # became busy since we looked (a manual run)
            executions.create_skipped(session, job_id, workspace_id, slot, BUSY)
            skipped += 1
    return {"start": to_start, "skipped": skipped, "missed": missed, "due": len(due)}


def _next_slots(due: list[Any], now: datetime) -> dict[str, datetime | None]:
    """Each valid job's next slot after `now` (computed once per cron and zone)."""
    cache: dict[tuple[str, str], datetime | None] = {}
    out: dict[str, datetime | None] = {}
    for job in due:
        if not job.cron:
            out[job.id] = None
            continue
        key = (job.cron, job.timezone or "UTC")
        if key not in cache:
            try:
                cache[key] = schedule.next_run_after(key[0], key[1], now)
            except SyncJobsError as exc:
                log.error("job schedule invalid, disabling: %s", exc, extra={"job_id": job.id})
                continue
        out[job.id] = cache[key]
    return out
