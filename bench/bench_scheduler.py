"""One scheduler tick over 10,000 enabled jobs in PostgreSQL: claim due slots, build the events.

Issue 7's target: under 1 s per tick, with 1,000 jobs due in the same minute and
with all 10,000 due; every due job gets exactly one queued execution, none two,
and a second tick on the same minute queues nothing. A fresh database is created
on the server that bench/pg.py names (default: the local one) and
dropped after. Figures are medians of 3 runs.

    python -m bench scheduler          # or: python -m bench.bench_scheduler
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet

from bench.pg import scratch_database
from syncjobs.functions import events
from syncjobs.functions.due import claim_due
from syncjobs.store import Cipher, Database, connectors, migrate, workspaces
from syncjobs.store.models import Destination, Execution, Source, SyncJob, new_id

JOBS = 10_000
RUNS = 3
TARGET_SECONDS = 1.0
SLOT = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # every job's slot is on the hour
NOW = SLOT + timedelta(seconds=5)  # the tick runs 5 s into that minute


def create_jobs(db: Database, count: int) -> list[str]:
    cipher = Cipher([Fernet.generate_key().decode()])
    with db.session() as session:
        ws, _key = workspaces.create(session, "bench")
        src = connectors.create(session, Source, cipher, ws.id, "s", "sql", {"url": "sqlite://"})
        dst = connectors.create(session, Destination, cipher, ws.id, "d", "sqlite",
                                {"path": "/tmp/bench.db"})
        ids = [new_id("job") for _ in range(count)]
        session.execute(sa.insert(SyncJob), [
            {"id": job_id, "workspace_id": ws.id, "name": f"job-{i}", "source_id": src.id,
             "destination_id": dst.id, "entities": [], "sync_mode": "full", "cron": "0 * * * *",
             "timezone": "UTC", "enabled": True, "missed_runs": "run_once",
             "next_run_at": SLOT + timedelta(days=1), "run_count": 0}
            for i, job_id in enumerate(ids)
        ])
    return ids


def reset(db: Database, ids: list[str], due: int) -> set[str]:
    """No executions; the first `due` jobs due at SLOT, the others tomorrow."""
    due_ids = ids[:due]
    with db.session() as session:
        session.execute(sa.delete(Execution))
        session.execute(sa.update(SyncJob).values(next_run_at=SLOT + timedelta(days=1)))
        for first in range(0, len(due_ids), 5000):
            session.execute(sa.update(SyncJob).where(SyncJob.id.in_(due_ids[first:first + 5000]))
                            .values(next_run_at=SLOT))
    # Each run starts from the same physical state: the previous run's dead rows
    # (10,000 deleted executions, 10,000 updated jobs) vacuumed, statistics fresh.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    return set(due_ids)


def tick(db: Database, now: datetime) -> tuple[float, dict[str, Any], int]:
    """One tick as `scheduled-sync-jobs` runs it: claim in one transaction, then build events."""
    started = time.perf_counter()
    with db.session() as session:
        claimed = claim_due(session, now)
    batch = [
        events.job_event(events.EXECUTE, job_id=job_id, workspace_id=ws,
                         execution_id=execution_id, trigger="scheduled",
                         scheduled_for=datetime.fromisoformat(slot))
        for job_id, ws, execution_id, slot in claimed["start"]
    ]
    return time.perf_counter() - started, claimed, len(batch)


def verify(db: Database, due: set[str], claimed: dict[str, Any]) -> None:
    started = [row[0] for row in claimed["start"]]
    assert len(started) == len(set(started)) == len(due), (len(started), len(due))
    assert set(started) == due, "a job that was due did not start, or one that was not did"
    with db.session() as session:
        rows = session.execute(
            sa.select(Execution.job_id, sa.func.count()).group_by(Execution.job_id)
        ).all()
        assert {job_id for job_id, _ in rows} == due
        assert all(n == 1 for _, n in rows), "a job got two executions"
        statuses = set(session.scalars(sa.select(Execution.status).distinct()))
        assert statuses == {"queued"}, statuses
        scheduled = set(session.scalars(sa.select(Execution.scheduled_for).distinct()))
        assert scheduled == {SLOT}
        later = session.scalar(sa.select(sa.func.count()).select_from(SyncJob).where(
            SyncJob.id.in_(list(due)[:5000]), SyncJob.next_run_at != SLOT + timedelta(hours=1)))
        assert later == 0, "a claimed job's next_run_at did not move to the next slot"


def scenario(db: Database, ids: list[str], due_count: int) -> dict[str, Any]:
    ticks, repeats = [], []
    events_built = 0
    for _ in range(RUNS):
        due = reset(db, ids, due_count)
        seconds, claimed, events_built = tick(db, NOW)
        verify(db, due, claimed)
        again, second, _ = tick(db, NOW + timedelta(seconds=20))
        assert second["start"] == [] and second["due"] == 0, "a second tick queued again"
        ticks.append(seconds)
        repeats.append(again)
    median = statistics.median(ticks)
    return {"jobs": len(ids), "due": due_count, "events": events_built,
            "tick_s_median": round(median, 3), "tick_s_runs": [round(t, 3) for t in ticks],
            "second_tick_s_median": round(statistics.median(repeats), 4),
            "target_s": TARGET_SECONDS, "ok": median < TARGET_SECONDS}


def main(argv: list[str]) -> dict[str, Any]:
    jobs_count = int(argv[0]) if argv else JOBS
    with scratch_database() as url:
        db = Database(url)
        try:
            migrate(db.engine)
            started = time.perf_counter()
            ids = create_jobs(db, jobs_count)
            setup = time.perf_counter() - started
            figures: dict[str, Any] = {"setup_s": round(setup, 2), "runs": RUNS}
            for due_count in (1000, jobs_count):
                result = scenario(db, ids, due_count)
                figures[f"due_{due_count}"] = result
                print(f"{jobs_count} jobs, {due_count} due: tick median "
                      f"{result['tick_s_median'] * 1000:.0f} ms (runs "
                      f"{', '.join(f'{t * 1000:.0f}' for t in result['tick_s_runs'])} ms), "
                      f"second tick {result['second_tick_s_median'] * 1000:.1f} ms, "
                      f"{'OK' if result['ok'] else 'OVER'} the {TARGET_SECONDS:.0f} s target",
                      flush=True)
        finally:
            db.dispose()
    return figures


if __name__ == "__main__":
    print(main(sys.argv[1:]))
