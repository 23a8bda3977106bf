"""Cron triggers in a zone (with an injected clock) and Inngest's limits."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import inngest
import pytest

from syncjobs.engine.testing import EngineHarness

pytestmark = pytest.mark.timeout(60)


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def _runs_of(harness: EngineHarness, fn_id: str) -> list[Any]:
    from syncjobs.engine.history import list_runs

    return await harness.engine.db.run(lambda c: list_runs(c, function_id=fn_id))


async def test_cron_in_a_zone_starts_one_run_per_tick(sqlite_url: str) -> None:
    # 08:58 in Paris (summer time, UTC+2): the 09:00 tick is 07:00 UTC.
    clock = FakeClock(dt.datetime(2024, 6, 3, 6, 58, tzinfo=dt.UTC))
    harness = EngineHarness(sqlite_url, clock=clock)
    client = harness.client()

    @client.create_function(
        fn_id="morning", trigger=inngest.TriggerCron(cron="TZ=Europe/Paris 0 9 * * *")
    )
    async def morning(ctx: inngest.Context) -> str:
        return str(ctx.event.name)

    async def settle() -> list[Any]:
        harness.engine.poke()
        await asyncio.sleep(0.3)
        return await _runs_of(harness, "test-app-morning")

    async with harness.serve(client, [morning]):
        assert await settle() == []
        clock.now = dt.datetime(2024, 6, 3, 7, 0, 5, tzinfo=dt.UTC)
        (first,) = await settle()
        clock.now = dt.datetime(2024, 6, 3, 7, 30, tzinfo=dt.UTC)
        assert len(await settle()) == 1  # polled again within the same tick: no new run
        clock.now = dt.datetime(2024, 6, 4, 7, 0, 1, tzinfo=dt.UTC)
        runs = await settle()
        done = await harness.wait_run(first.id)
    assert len(runs) == 2
    assert done.status == "completed" and done.output == "inngest/scheduled.timer"
    assert done.event["ts"] == int(dt.datetime(2024, 6, 3, 7, 0, tzinfo=dt.UTC).timestamp() * 1000)


async def test_step_output_over_4mb_fails_the_run_naming_the_limit(harness: EngineHarness) -> None:
    client = harness.client()

    @client.create_function(fn_id="big", retries=0, trigger=inngest.TriggerEvent(event="t/big"))
    async def big(ctx: inngest.Context) -> None:
        await ctx.step.run("huge", lambda: "x" * (4 * 1024 * 1024 + 10))

    async with harness.serve(client, [big]):
        run = await harness.run_to_completion({"name": "t/big", "data": {}})
    assert run.status == "failed"
    assert run.error is not None and "4 MB" in run.error["message"]


async def test_more_than_1000_steps_fails_the_run_naming_the_limit(harness: EngineHarness) -> None:
    client = harness.client()

    @client.create_function(fn_id="many", retries=0, trigger=inngest.TriggerEvent(event="t/many"))
    async def many(ctx: inngest.Context) -> None:
        await ctx.group.parallel(
            tuple(lambda i=i: ctx.step.run(f"s{i}", lambda: None) for i in range(1001))
        )

    async with harness.serve(client, [many]):
        run = await harness.run_to_completion({"name": "t/many", "data": {}})
    assert run.status == "failed"
    assert run.error is not None and "1,000 steps" in run.error["message"]


async def test_event_over_512kb_is_refused_naming_the_limit(harness: EngineHarness) -> None:
    client = harness.client()

    @client.create_function(fn_id="noop", trigger=inngest.TriggerEvent(event="t/noop"))
    async def noop(ctx: inngest.Context) -> None:
        return None

    async with harness.serve(client, [noop]):
        async with httpx.AsyncClient(base_url=harness.base_url) as http:
            res = await http.post(
                "/e/NO_EVENT_KEY_SET", json=[{"name": "t/noop", "data": {"x": "y" * 600_000}}]
            )
        with pytest.raises(Exception, match="512 KB"):
            await client.send(inngest.Event(name="t/noop", data={"x": "y" * 600_000}))
    assert res.status_code == 413
    assert "512 KB" in res.json()["error"]
