"""Flow control from the sync payload: concurrency, singleton, idempotency, cancel."""

from __future__ import annotations

import asyncio
import datetime
import time

import inngest
import pytest

from syncjobs.engine.testing import EngineHarness

pytestmark = pytest.mark.timeout(60)


async def test_concurrency_limit_one_never_runs_two_steps_at_once(harness: EngineHarness) -> None:
    client = harness.client()
    active = 0
    peak = 0

    @client.create_function(
        fn_id="serial",
        concurrency=[inngest.Concurrency(limit=1)],
        trigger=inngest.TriggerEvent(event="t/serial"),
    )
    async def serial(ctx: inngest.Context) -> int:
        async def body(i: int) -> int:
            nonlocal active, peak
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1
            return i

        a = await ctx.step.run("one", body, 1)
        b = await ctx.step.run("two", body, 2)
        return a + b

    async with harness.serve(client, [serial]):
        ids = await harness.engine.send([{"name": "t/serial", "data": {"i": i}} for i in range(20)])
        runs = []
        for event_id in ids:
            found = [await harness.run_for_event(event_id)]
            runs.append(await harness.wait_run(found[0].id, within=30))
    assert [r.status for r in runs] == ["completed"] * 20
    assert peak == 1


async def test_concurrency_key_limits_per_key_only(harness: EngineHarness) -> None:
    client = harness.client()
    active: dict[str, int] = {}
    peak: dict[str, int] = {}
    overall_peak = 0

    @client.create_function(
        fn_id="per-key",
        concurrency=[inngest.Concurrency(limit=1, key="event.data.k")],
        trigger=inngest.TriggerEvent(event="t/key"),
    )
    async def per_key(ctx: inngest.Context) -> None:
        key = str(ctx.event.data["k"])

        async def body() -> None:
            nonlocal overall_peak
            active[key] = active.get(key, 0) + 1
            peak[key] = max(peak.get(key, 0), active[key])
            overall_peak = max(overall_peak, sum(active.values()))
            await asyncio.sleep(0.05)
            active[key] -= 1

        await ctx.step.run("work", body)

    async with harness.serve(client, [per_key]):
        ids = await harness.engine.send(
            [{"name": "t/key", "data": {"k": k}} for k in ("a", "b") * 4]
        )
        for event_id in ids:
            found = [await harness.run_for_event(event_id)]
            assert (await harness.wait_run(found[0].id)).status == "completed"
    assert peak == {"a": 1, "b": 1}
    assert overall_peak == 2


async def test_sleeping_run_holds_no_concurrency_slot(harness: EngineHarness) -> None:
    client = harness.client()
    marks: list[float] = []

    @client.create_function(
        fn_id="sleepy",
        concurrency=[inngest.Concurrency(limit=1)],
        trigger=inngest.TriggerEvent(event="t/sleepy"),
    )
    async def sleepy(ctx: inngest.Context) -> None:
        await ctx.step.run("mark", lambda: marks.append(time.monotonic()))
        await ctx.step.sleep("zz", datetime.timedelta(seconds=3))

    async with harness.serve(client, [sleepy]):
        await harness.send({"name": "t/sleepy", "data": {}})
        await asyncio.sleep(0.3)
        await harness.send({"name": "t/sleepy", "data": {}})
        await harness.eventually(lambda: len(marks) >= 2, 2)
    # The second run started its step while the first one slept with the only slot.
    assert len(marks) == 2 and marks[1] - marks[0] < 2


async def test_singleton_skip_drops_a_second_run_with_the_same_key(harness: EngineHarness) -> None:
    client = harness.client()

    @client.create_function(
        fn_id="single",
        singleton=inngest.Singleton(key="event.data.job", mode="skip"),
        trigger=inngest.TriggerEvent(event="t/single"),
    )
    async def single(ctx: inngest.Context) -> str:
        await ctx.step.wait_for_event("go", event="t/go", timeout=datetime.timedelta(seconds=30))
        return str(ctx.event.data["job"])

    async with harness.serve(client, [single]):
        first = await harness.send({"name": "t/single", "data": {"job": "j1"}})
        await asyncio.sleep(0.3)
        dup = await harness.send({"name": "t/single", "data": {"job": "j1"}})
        other = await harness.send({"name": "t/single", "data": {"job": "j2"}})
        await asyncio.sleep(0.3)
        assert await harness.runs_for_event(dup) == []
        assert len(await harness.runs_for_event(other)) == 1
        await harness.send({"name": "t/go", "data": {}})
        (run,) = await harness.runs_for_event(first)
        assert (await harness.wait_run(run.id)).output == "j1"
        # Once the first run ended, the key is free again.
        again = await harness.send({"name": "t/single", "data": {"job": "j1"}})
        await asyncio.sleep(0.3)
        assert len(await harness.runs_for_event(again)) == 1


async def test_idempotency_key_starts_one_run_per_key(harness: EngineHarness) -> None:
    client = harness.client()
    bodies: list[str] = []

    @client.create_function(
        fn_id="once",
        idempotency="event.data.order",
        trigger=inngest.TriggerEvent(event="t/once"),
    )
    async def once(ctx: inngest.Context) -> None:
        bodies.append(str(ctx.event.data["order"]))

    async with harness.serve(client, [once]):
        ids = [
            await harness.send({"name": "t/once", "data": {"order": o}})
            for o in ("a", "a", "b", "a")
        ]
        await asyncio.sleep(0.5)
        runs = [await harness.runs_for_event(i) for i in ids]
    assert [len(r) for r in runs] == [1, 0, 1, 0]
    assert sorted(bodies) == ["a", "b"]


async def test_cancel_event_ends_the_run_before_its_next_step(harness: EngineHarness) -> None:
    client = harness.client()
    ran: list[str] = []

    @client.create_function(
        fn_id="cancellable",
        cancel=[inngest.Cancel(event="t/cancel", if_exp="async.data.id == event.data.id")],
        trigger=inngest.TriggerEvent(event="t/start"),
    )
    async def cancellable(ctx: inngest.Context) -> None:
        await ctx.step.run("first", lambda: ran.append("first"))
        await ctx.step.sleep("pause", datetime.timedelta(seconds=30))
        await ctx.step.run("second", lambda: ran.append("second"))

    async with harness.serve(client, [cancellable]):
        keep = await harness.send({"name": "t/start", "data": {"id": "keep"}})
        kill = await harness.send({"name": "t/start", "data": {"id": "kill"}})
        await asyncio.sleep(0.4)
        await harness.send({"name": "t/cancel", "data": {"id": "kill"}})
        (killed,) = await harness.runs_for_event(kill)
        done = await harness.wait_run(killed.id, within=5)
        (kept,) = await harness.runs_for_event(keep)
    assert done.status == "cancelled"
    assert kept.status == "running"
    assert ran == ["first", "first"]


async def test_unsupported_cel_is_refused_at_sync_with_the_expression_named(
    harness: EngineHarness,
) -> None:
    from syncjobs.engine import SyncError

    client = harness.client()

    @client.create_function(
        fn_id="bad",
        concurrency=[inngest.Concurrency(limit=1, key="event.data.a != 'x'")],
        trigger=inngest.TriggerEvent(event="t/bad"),
    )
    async def bad(ctx: inngest.Context) -> None:
        return None

    with pytest.raises(SyncError, match=r"event\.data\.a != 'x'.*supports"):
        async with harness.serve(client, [bad]):
            pass
