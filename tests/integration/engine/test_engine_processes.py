"""Real processes: SIGKILL mid-run then restart; two engines on one PostgreSQL database."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from engine_procs import AppProcess, scalar, wait_for

from syncjobs.engine.db import create_db_engine

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def _effects(db: sa.Engine) -> list[tuple[str, int, int]]:
    with db.connect() as conn:
        rows = conn.execute(sa.text("SELECT event_id, step, pid FROM test_effects")).all()
    return [(r[0], r[1], r[2]) for r in rows]


def test_sigkill_mid_run_resumes_from_the_last_completed_step(sqlite_url: str) -> None:
    db = create_db_engine(sqlite_url)
    env = {"ENGINE_TEST_STEPS": "6", "ENGINE_TEST_STEP_SLEEP": "0.15", "ENGINE_TEST_LEASE": "1.5"}
    first = AppProcess(sqlite_url, **env).start()
    try:
        ids = first.send([{"name": "t/multi", "data": {"n": i}} for i in range(3)])
        # Kill while every run is part-way: some steps done, others not started.
        wait_for(lambda: scalar(db, "SELECT count(*) FROM test_effects") >= 5, 30, "no progress")
        first.kill()
        done_before = scalar(db, "SELECT count(*) FROM engine_steps WHERE memo IS NOT NULL")
        assert 0 < done_before < 18
        second = AppProcess(sqlite_url, port=first.port, **env).start()
        try:
            wait_for(
                lambda: (
                    scalar(db, "SELECT count(*) FROM engine_runs WHERE status = 'completed'") == 3
                ),
                60,
                "runs did not finish after the restart",
            )
        finally:
            second.terminate()
    finally:
        first.kill()
    effects = _effects(db)
    per_step = Counter((e, s) for e, s, _ in effects)
    assert set(per_step) == {(e, s) for e in ids for s in range(6)}
    # Only a step executing at the kill may have run twice: at most one per run.
    for event_id in ids:
        assert sum(per_step[(event_id, s)] - 1 for s in range(6)) <= 1
    assert {pid for _, _, pid in effects} == {first.pid, second.pid}
    with db.connect() as conn:
        outputs = conn.execute(sa.text("SELECT output FROM engine_runs")).scalars().all()
    assert outputs == ["15"] * 3
    db.dispose()


@pytest.mark.postgres
def test_two_engines_on_one_postgres_run_each_event_exactly_once(pg_url: str) -> None:
    db = create_db_engine(pg_url)
    env = {"ENGINE_TEST_STEPS": "1", "ENGINE_TEST_LEASE": "2"}
    a = AppProcess(pg_url, **env).start()
    b = AppProcess(pg_url, **env).start()
    try:
        ids = []
        for i in range(0, 200, 20):
            target = a if i % 40 == 0 else b  # events arrive at both processes
            ids += target.send([{"name": "t/multi", "data": {"i": i + j}} for j in range(20)])
        wait_for(
            lambda: (
                scalar(db, "SELECT count(*) FROM engine_runs WHERE status = 'completed'") == 200
            ),
            60,
            "200 runs did not complete",
        )
        effects = _effects(db)
        # The leader executed everything; the other one stood by.
        pids = {pid for _, _, pid in effects}
        leader, standby = (a, b) if pids == {a.pid} else (b, a)
        assert pids == {leader.pid}
        assert sorted(e for e, _, _ in effects) == sorted(ids)

        # A graceful stop hands the lease over: the standby takes the next runs.
        leader.terminate()
        more = standby.send([{"name": "t/multi", "data": {"i": i}} for i in range(20)])
        wait_for(
            lambda: (
                scalar(db, "SELECT count(*) FROM engine_runs WHERE status = 'completed'") == 220
            ),
            60,
            "the standby did not take over",
        )
        late = [(e, pid) for e, _, pid in _effects(db) if e in set(more)]
        assert sorted(e for e, _ in late) == sorted(more)
        assert {pid for _, pid in late} == {standby.pid}
    finally:
        a.kill()
        b.kill()
        db.dispose()
