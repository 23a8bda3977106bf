"""Scheduled runs through the engine's own cron tick, with an injected clock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from syncjobs.context import AppContext
from syncjobs.settings import Settings
from syncjobs.testing import FakeClock, serve, until
from tests.integration.functions.conftest import make_job, run
from tests.support.rest_api import FakeApi, users


async def test_a_due_job_runs_once_per_slot_with_a_durable_jitter(
    settings: Settings, api: FakeApi, dest_path: Path
) -> None:
    api.records["users"] = users(12)
    clock = FakeClock()
    ctx = AppContext.build(settings.model_copy(update={"schedule_jitter_seconds": 120}))
    ctx.clock = clock
    async with serve(ctx.settings, ctx=ctx) as svc:
        ws = await svc.workspace()
        job_id = await make_job(svc, ws, api.source_config(), dest_path,
                                schedule={"cron": "* * * * *", "timezone": "UTC"})
        job = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}"), headers=ws.headers)).json()
        slot = datetime.fromisoformat(job["next_run_at"])
        clock.advance(seconds=(slot - clock()).total_seconds() + 1)

        async def queued() -> bool:
            body = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}/history"),
                                       headers=ws.headers)).json()
            return body["total"] == 1

        await until(queued, 20, "the scheduler did not queue the slot")
        history = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}/history"),
                                      headers=ws.headers)).json()
        execution = history["items"][0]
        assert execution["trigger"] == "scheduled"
        assert datetime.fromisoformat(execution["scheduled_for"]) == slot
        # The jitter is a durable sleep: nothing is fetched until the clock passes it.
        assert execution["status"] == "queued" and api.requests == []
        # Pause the schedule so that no later slot competes with the manual run below.
        paused = await svc.http.post(ws.url(f"/sync-jobs/{job_id}/toggle"), headers=ws.headers)
        assert paused.json()["enabled"] is False
        clock.advance(seconds=121)
        done = await svc.wait_execution(ws, job_id, execution["id"])
        assert done["status"] == "completed" and done["stats"]["records_processed"] == 12
        # The same slot is never queued twice, however often the scheduler ticks.
        history = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}/history"),
                                      headers=ws.headers)).json()
        slots = [i["scheduled_for"] for i in history["items"]]
        assert len(slots) == len(set(slots))

        # A manual run of the (paused) job does not wait for any jitter.
        manual = await run(svc, ws, job_id)
        assert (await svc.wait_execution(ws, job_id, manual, wait=10))["status"] == "completed"
