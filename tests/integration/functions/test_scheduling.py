"""The scheduler's slot claims, with an injected clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from syncjobs import schedule
from syncjobs.functions.due import claim_due
from syncjobs.store import Cipher, Database, connectors, executions, jobs, migrate, workspaces
from syncjobs.store.models import Destination, Execution, Source


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def db(metadata_url: str) -> Iterator[Database]:
    database = Database(metadata_url)
    migrate(database.engine)
    yield database
    database.dispose()


def make_job(db: Database, cron: str, zone: str, now: datetime, **fields: object) -> str:
    cipher = Cipher([Fernet.generate_key().decode()])
    with db.session() as session:
        ws, _key = workspaces.create(session, f"ws-{cron}-{zone}-{now.timestamp()}")
        src = connectors.create(session, Source, cipher, ws.id, "s", "sql", {"url": "sqlite://"})
        dst = connectors.create(session, Destination, cipher, ws.id, "d", "sqlite",
                                {"path": "/tmp/x.db"})
        job = jobs.create(session, ws.id, name="j", source_id=src.id, destination_id=dst.id,
                          cron=cron, timezone=zone, enabled=True,
                          next_run_at=schedule.next_run_after(cron, zone, now), **fields)
        return job.id


def tick_through(db: Database, start: datetime, end: datetime,
                 job_id: str | None = None) -> list[datetime]:
    """One scheduler tick per minute; each queued run completes before the next tick."""
    fired: list[datetime] = []
    now = start
    while now <= end:
        with db.session() as session:
            claimed = claim_due(session, now)
        for job, _ws, execution_id, slot in claimed["start"]:
            if job_id is None or job == job_id:
                fired.append(datetime.fromisoformat(slot))
            with db.session() as session:
                row = executions.get(session, execution_id)
                assert row is not None
                executions.finish(session, row, "completed")
        now += timedelta(minutes=1)
    return fired


def test_every_15_minutes_in_berlin_across_both_transitions(db: Database) -> None:
    for day in ("2026-03-29", "2026-10-25"):
        start = utc(f"{day}T00:00:00") - timedelta(hours=1)
        job_id = make_job(db, "*/15 * * * *", "Europe/Berlin", start)
        fired = tick_through(db, start, start + timedelta(hours=3), job_id)
        expected = [start + timedelta(minutes=15 * i) for i in range(1, 13)]
        assert fired == expected, (day, fired)


def test_daily_0230_fires_once_in_autumn_and_at_0300_in_spring(db: Database) -> None:
    spring_start = utc("2026-03-28T22:00:00")
    job_id = make_job(db, "30 2 * * *", "Europe/Berlin", spring_start)
    assert tick_through(db, spring_start, spring_start + timedelta(hours=5), job_id) == [
        utc("2026-03-29T01:00:00")]  # 03:00 CEST, the first instant after the gap
    autumn_start = utc("2026-10-24T22:00:00")
    job_id = make_job(db, "30 2 * * *", "Europe/Berlin", autumn_start)
    assert tick_through(db, autumn_start, autumn_start + timedelta(hours=5), job_id) == [
        utc("2026-10-25T00:30:00")]  # 02:30 CEST, the first of the two 02:30s


@pytest.mark.parametrize(("policy", "runs"), [("run_once", 1), ("skip", 0)])
def test_missed_runs_after_a_three_hour_outage(db: Database, policy: str, runs: int) -> None:
    before = utc("2026-06-01T09:59:00")
    job_id = make_job(db, "*/15 * * * *", "UTC", before, missed_runs=policy)
    back = utc("2026-06-01T13:07:00")
    with db.session() as session:
        claimed = claim_due(session, back)
    assert len(claimed["start"]) == runs
    if runs:
        assert claimed["start"][0][3] == "2026-06-01T10:00:00+00:00"
    with db.session() as session:
        job = jobs.get(session, jobs_ws(db, job_id), job_id)
        assert job.next_run_at == utc("2026-06-01T13:15:00")
    # Nothing more is due until the next future slot.
    with db.session() as session:
        assert claim_due(session, back + timedelta(minutes=1))["start"] == []


def jobs_ws(db: Database, job_id: str) -> str:
    with db.session() as session:
        row = session.get(jobs.SyncJob, job_id)
        assert row is not None
        return row.workspace_id


def test_a_busy_job_gets_a_skipped_execution_not_a_queued_one(db: Database) -> None:
    start = utc("2026-06-01T09:59:00")
    job_id = make_job(db, "*/15 * * * *", "UTC", start)
    with db.session() as session:
        first = claim_due(session, utc("2026-06-01T10:00:00"))
    assert len(first["start"]) == 1  # left queued: the job is busy from now on
    with db.session() as session:
        second = claim_due(session, utc("2026-06-01T10:15:00"))
    assert second["start"] == [] and second["skipped"] == 1
    with db.session() as session:
        rows = session.query(Execution).filter_by(job_id=job_id).all()
        assert sorted(r.status for r in rows) == ["queued", "skipped"]
        skipped = next(r for r in rows if r.status == "skipped")
        assert skipped.error and "still active" in skipped.error["message"]


def test_two_racing_schedulers_queue_each_slot_once(db: Database) -> None:
    start = utc("2026-06-01T09:59:00")
    ids = [make_job(db, "0 * * * *", "UTC", start) for _ in range(20)]
    now = utc("2026-06-01T10:00:30")
    results: list[dict[str, object]] = []
    barrier = threading.Barrier(2)

    def tick() -> None:
        barrier.wait()
        with db.session() as session:
            results.append(claim_due(session, now))

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    started = [row for result in results for row in result["start"]]  # type: ignore[attr-defined]
    assert sorted(row[0] for row in started) == sorted(ids)
    with db.session() as session:
        assert session.query(Execution).count() == 20
