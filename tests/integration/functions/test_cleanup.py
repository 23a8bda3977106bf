"""cleanup-abandoned-jobs: silent executions end `abandoned`, their runs stop, leftovers go."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from syncjobs.context import AppContext
from syncjobs.settings import Settings
from syncjobs.store import executions, jobs, locks
from syncjobs.store.types import utcnow
from syncjobs.sync.destinations.naming import staging_name
from syncjobs.testing import FakeClock, serve, until
from tests.integration.functions.conftest import make_job, run
from tests.support.rest_api import FakeApi, users


async def test_silent_runs_are_abandoned_and_their_engine_runs_cancelled(
    settings: Settings, api: FakeApi, dest_path: Path
) -> None:
    api.records["users"] = users(2000)
    api.page_delay = 0.3  # a long sync: about a minute
    clock = FakeClock()
    ctx = AppContext.build(settings)
    ctx.clock = clock
    async with serve(settings, ctx=ctx) as svc:
        ws = await svc.workspace()
        job_id = await make_job(svc, ws, api.source_config(), dest_path)
        running = await run(svc, ws, job_id)
        await svc.wait_execution(ws, job_id, running, statuses=("running",))
        # A queued execution whose event never arrived, of another job.
        other_dest = dest_path.with_name("other.db")
        other_job = await make_job(svc, ws, api.source_config(entity="other"), other_dest,
                                   name="other")
        with svc.ctx.db.session() as session:
            stuck = executions.create_queued(
                session, jobs.get(session, ws.id, other_job), "manual").id
            locks.acquire(session, "stale", "nobody", utcnow() - timedelta(hours=1),
                          timedelta(minutes=1))
        # An orphaned staging table of an execution that ended long ago.
        orphan = staging_name("api_users", "exe_gone")
        with sqlite3.connect(other_dest) as conn:
            conn.execute(f'CREATE TABLE "{orphan}" (id INTEGER)')

        # Eleven minutes pass without a heartbeat (the clock moves, the worker does not).
        clock.advance(minutes=11)

        async def swept() -> bool:
            with svc.ctx.db.session() as session:
                row = executions.get(session, running)
                return row is not None and row.status == "abandoned"

        await until(swept, 20, "the sweeper did not run")
        body = await svc.wait_execution(ws, job_id, running)
        assert body["error"]["code"] == "WORKER_TIMEOUT"
        queued = await svc.wait_execution(ws, other_job, stuck)
        assert queued["status"] == "abandoned" and queued["error"]["code"] == "QUEUE_TIMEOUT"
        job = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}"), headers=ws.headers)).json()
        assert job["last_error"]["code"] == "WORKER_TIMEOUT"

        # The engine run of the abandoned execution is cancelled, not left going.
        run_id = body["run_id"]
        admin = {"Authorization": "Bearer admin"}

        async def run_cancelled() -> bool:
            view = (await svc.http.get(f"/api/engine/runs/{run_id}", headers=admin)).json()
            return bool(view["status"] == "cancelled")

        await until(run_cancelled, 20, "the engine run went on")
        served = len(api.requests)
        with svc.ctx.db.session() as session:
            assert locks.holder(session, "stale") is None

        async def staging_dropped() -> bool:
            with sqlite3.connect(other_dest) as conn:
                names = [r[0] for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'")]
            return orphan not in names

        await until(staging_dropped, 20, "the orphaned staging table is still there")
    assert len(api.requests) <= served + 1
