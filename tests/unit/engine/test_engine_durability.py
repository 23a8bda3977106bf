"""Durable state on SQLite and PostgreSQL: lease hand-over, resumable runs, unique ticks."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from syncjobs.engine import lease, migrate, protocol, queue
from syncjobs.engine import schema as t
from syncjobs.engine.config import EngineConfig
from syncjobs.engine.db import Database
from syncjobs.engine.engine import EmbeddedEngine
from syncjobs.engine.flow import process_pending
from syncjobs.engine.outcomes import apply_outcome
from syncjobs.engine.registry import parse_function, save_app
from syncjobs.engine.state import insert_event, load_context
from syncjobs.engine.ticks import _start_tick, schedule_crons

FN = {
    "id": "app-fn",
    "name": "fn",
    "triggers": [{"event": "t/go"}],
    "steps": {"step": {"id": "step", "name": "step", "runtime": {"type": "http", "url": "x"}}},
}
CRON_FN = {**FN, "id": "app-cron", "triggers": [{"cron": "TZ=Asia/Tokyo 0 * * * *"}]}


@pytest.fixture
def db(metadata_url: str) -> Database:
    migrate(metadata_url)
    database = Database(metadata_url)
    yield database  # type: ignore[misc]
    database.close()


def test_a_second_engine_stands_by_until_the_lease_lapses(db: Database) -> None:
    assert db.run_sync(lambda c: lease.try_acquire(c, "a", 300))
    assert not db.run_sync(lambda c: lease.try_acquire(c, "b", 300))
    assert db.run_sync(lambda c: lease.try_acquire(c, "a", 300))  # renewal
    db.run_sync(lambda c: lease.check(c, "a"))
    with pytest.raises(lease.LeaseLost):
        db.run_sync(lambda c: lease.check(c, "b"))
    time.sleep(0.35)
    assert db.run_sync(lambda c: lease.try_acquire(c, "b", 300))
    with pytest.raises(lease.LeaseLost):
        db.run_sync(lambda c: lease.check(c, "a"))  # a's late writes are fenced off
    db.run_sync(lambda c: lease.release(c, "b"))
    assert db.run_sync(lambda c: lease.try_acquire(c, "a", 300))


def test_a_holder_renews_its_lapsed_lease_unless_another_engine_took_it(db: Database) -> None:
    assert db.run_sync(lambda c: lease.try_acquire(c, "a", 100))
    time.sleep(0.15)
    assert db.run_sync(lambda c: lease.try_acquire(c, "a", 300))  # nobody took it: still a's
    db.run_sync(lambda c: lease.check(c, "a"))
    db.run_sync(lambda c: lease.release(c, "a"))
    assert db.run_sync(lambda c: lease.try_acquire(c, "b", 300))
    assert not db.run_sync(lambda c: lease.try_acquire(c, "a", 300))


def test_a_busy_engine_keeps_its_results_while_the_lease_is_still_its_own(
    db: Database, metadata_url: str
) -> None:
    """A starved renewal loop must not make the engine drop valid results (and redo steps)."""
    engine = EmbeddedEngine(EngineConfig(database_url=metadata_url, lease_seconds=0.3,
                                         auto_migrate=False))
    try:
        engine.db.run_sync(engine.fence)  # no renewal ran yet: the write renews the lease itself
        assert engine.is_leader
        time.sleep(0.35)  # the cached lease is stale and the lease has lapsed in the DB
        engine.db.run_sync(engine.fence)  # still nobody else's: renewed inside the write
        db.run_sync(lambda c: lease.check(c, engine.config.worker_id))
        db.run_sync(lambda c: lease.release(c, engine.config.worker_id))
        assert db.run_sync(lambda c: lease.try_acquire(c, "other", 5000))
        time.sleep(0.3)  # past what this engine last renewed, less its safety margin
        with pytest.raises(lease.LeaseLost):
            engine.db.run_sync(engine.fence)  # another engine holds it: this write is refused
    finally:
        engine.db.close()


def test_a_run_resumes_from_its_last_memoized_step_after_a_restart(
    db: Database, metadata_url: str
) -> None:
    fns = {"app-fn": parse_function("app", FN)}
    db.run_sync(lambda c: save_app(c, "app", "x", [FN], 0))
    db.run_sync(lambda c: insert_event(c, {"name": "t/go", "data": {"k": 1}}, 1000))
    db.run_sync(lambda c: process_pending(c, fns, 1000))
    (item,) = db.run_sync(lambda c: queue.due(c, 2000, 10, set()))
    done = protocol.CallOutcome(
        206,
        ops=(
            protocol.Op(
                id="h1",
                op="StepRun",
                name="s1",
                display_name="s1",
                opts={},
                data=7,
                has_data=True,
                size=1,
            ),
        ),
    )
    applied = db.run_sync(
        lambda c: apply_outcome(c, fns, item, done, started_ms=1500, now_ms=2000, backoff_scale=0)
    )
    assert applied.status == "running"
    # Applying the same (already consumed) item again changes nothing: no double memo.
    again = db.run_sync(
        lambda c: apply_outcome(c, fns, item, done, started_ms=1500, now_ms=2000, backoff_scale=0)
    )
    assert again.status == "gone"
    db.close()

    reopened = Database(metadata_url)
    try:
        (next_item,) = reopened.run_sync(lambda c: queue.due(c, 3000, 10, set()))
        run = reopened.run_sync(lambda c: load_context(c, next_item.run_id))
    finally:
        reopened.close()
    assert run is not None
    assert (next_item.kind, next_item.step_id, next_item.attempt) == ("call", None, 0)
    assert run.steps == {"h1": {"data": 7}}
    assert run.stack == ["h1"]
    assert run.event["data"] == {"k": 1}


def test_each_event_starts_one_run_even_if_processed_twice(db: Database) -> None:
    fns = {"app-fn": parse_function("app", FN)}
    db.run_sync(lambda c: insert_event(c, {"name": "t/go", "data": {}}, 1000))
    assert len(db.run_sync(lambda c: process_pending(c, fns, 1000))[1]) == 1
    assert db.run_sync(lambda c: process_pending(c, fns, 1000)) == (0, [])
    count = db.run_sync(
        lambda c: c.execute(sa.select(sa.func.count()).select_from(t.runs)).scalar()
    )
    assert count == 1


def test_a_cron_tick_starts_one_run_however_many_engines_see_it(db: Database) -> None:
    registered = int(datetime(2024, 1, 1, 0, 30, tzinfo=UTC).timestamp() * 1000)
    db.run_sync(lambda c: save_app(c, "app", "x", [CRON_FN], registered))
    fns = {"app-cron": parse_function("app", CRON_FN)}
    now = datetime(2024, 1, 1, 1, 0, 2, tzinfo=UTC)
    first = db.run_sync(lambda c: schedule_crons(c, fns, now))
    second = db.run_sync(lambda c: schedule_crons(c, fns, now))
    # An engine with a stale cursor trying the same tick is refused by the tick's key.
    stale = db.run_sync(
        lambda c: _start_tick(
            c, fns["app-cron"], CRON_FN["triggers"][0]["cron"], now.replace(second=0)
        )
    )
    assert len(first) == 1 and second == [] and stale is None
    ticks = db.run_sync(lambda c: c.execute(sa.select(t.cron_ticks)).all())
    assert [tick.run_id for tick in ticks] == first
