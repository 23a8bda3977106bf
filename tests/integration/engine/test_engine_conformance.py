"""Conformance: each step kind through the real SDK and the real /api/inngest endpoint."""

from __future__ import annotations

import asyncio
import datetime
import time
from collections import Counter
from typing import Any

import inngest
import pytest

from syncjobs.engine.testing import EngineHarness

pytestmark = pytest.mark.timeout(60)


async def test_steps_are_memoized_each_body_runs_once(harness: EngineHarness) -> None:
    client = harness.client()
    calls: Counter[str] = Counter()

    @client.create_function(fn_id="three", trigger=inngest.TriggerEvent(event="t/three"))
    async def three(ctx: inngest.Context) -> dict[str, Any]:
        async def body(name: str, value: int) -> int:
            calls[name] += 1
            return value

        a = await ctx.step.run("a", body, "a", 1)
        b = await ctx.step.run("b", body, "b", 2)
        c = await ctx.step.run("c", body, "c", a + b)
        return {"total": a + b + c}

    async with harness.serve(client, [three]):
        run = await harness.run_to_completion({"name": "t/three", "data": {"x": 1}})

    assert run.status == "completed"
    assert run.output == {"total": 6}
    assert calls == {"a": 1, "b": 1, "c": 1}
    assert [s.name for s in run.steps] == ["a", "b", "c"]
    assert [s.output for s in run.steps] == [1, 2, 3]
    assert run.event["data"] == {"x": 1} and run.event["id"] and run.event["ts"] > 0


async def test_sync_functions_run_on_the_sdk_thread_pool(harness: EngineHarness) -> None:
    client = harness.client()

    @client.create_function(fn_id="sync-fn", trigger=inngest.TriggerEvent(event="t/sync"))
    def sync_fn(ctx: inngest.ContextSync) -> int:
        one = ctx.step.run("one", lambda: 1)
        two = ctx.step.run("two", lambda: 2)
        return one + two

    async with harness.serve(client, [sync_fn]):
        run = await harness.run_to_completion({"name": "t/sync", "data": {}})
    assert (run.status, run.output) == ("completed", 3)


async def test_parallel_steps_each_run_once_then_the_function_goes_on(
    harness: EngineHarness,
) -> None:
    client = harness.client()
    calls: Counter[str] = Counter()

    @client.create_function(fn_id="par", trigger=inngest.TriggerEvent(event="t/par"))
    async def par(ctx: inngest.Context) -> list[Any]:
        async def body(name: str) -> str:
            calls[name] += 1
            return name.upper()

        results = await ctx.group.parallel(
            tuple(lambda n=n: ctx.step.run(n, body, n) for n in ("p1", "p2", "p3"))
        )
        after = await ctx.step.run("after", body, "after")
        return [*results, after]

    async with harness.serve(client, [par]):
        run = await harness.run_to_completion({"name": "t/par", "data": {}})

    assert run.status == "completed", run.error
    assert run.output == ["P1", "P2", "P3", "AFTER"]
    assert calls == {"p1": 1, "p2": 1, "p3": 1, "after": 1}


async def test_sleep_is_a_durable_timer(harness: EngineHarness) -> None:
    client = harness.client()

    @client.create_function(fn_id="nap", trigger=inngest.TriggerEvent(event="t/nap"))
    async def nap(ctx: inngest.Context) -> float:
        before = await ctx.step.run("before", time.time)
        await ctx.step.sleep("nap", datetime.timedelta(seconds=1))
        after = await ctx.step.run("after", time.time)
        return after - before

    async with harness.serve(client, [nap]):
        run = await harness.run_to_completion({"name": "t/nap", "data": {}})

    assert run.status == "completed"
    assert 0.95 <= run.output < 5
    sleep_step = next(s for s in run.steps if s.name == "nap")
    assert (sleep_step.op, sleep_step.status) == ("Sleep", "completed")


async def test_send_event_fans_out_to_other_functions(harness: EngineHarness) -> None:
    client = harness.client()
    seen: list[int] = []

    @client.create_function(fn_id="parent", trigger=inngest.TriggerEvent(event="t/fan"))
    async def parent(ctx: inngest.Context) -> int:
        ids = await ctx.step.send_event(
            "fan", [inngest.Event(name="t/child", data={"n": n}) for n in range(3)]
        )
        return len(ids)

    @client.create_function(fn_id="child", trigger=inngest.TriggerEvent(event="t/child"))
    async def child(ctx: inngest.Context) -> int:
        n = int(ctx.event.data["n"])  # type: ignore[arg-type]
        seen.append(n)
        return n

    async with harness.serve(client, [parent, child]):
        run = await harness.run_to_completion({"name": "t/fan", "data": {}})
        assert (run.status, run.output) == ("completed", 3)
        await harness.eventually(lambda: len(seen) >= 3, 10)
    assert sorted(seen) == [0, 1, 2]


async def test_client_send_reaches_the_engine(harness: EngineHarness) -> None:
    client = harness.client()
    got: list[str] = []

    @client.create_function(fn_id="hello", trigger=inngest.TriggerEvent(event="t/hello"))
    async def hello(ctx: inngest.Context) -> None:
        got.append(str(ctx.event.data["who"]))

    async with harness.serve(client, [hello]):
        (event_id,) = await client.send(inngest.Event(name="t/hello", data={"who": "ann"}))
        await harness.eventually(lambda: bool(got), 10)
        runs = await harness.runs_for_event(event_id)
    assert got == ["ann"]
    assert runs[0].event["id"] == event_id


def _waiter(client: inngest.Inngest, timeout_s: int) -> inngest.Function[Any]:
    @client.create_function(fn_id="waiter", trigger=inngest.TriggerEvent(event="t/order"))
    async def waiter(ctx: inngest.Context) -> Any:
        approval = await ctx.step.wait_for_event(
            "approval",
            event="t/approved",
            if_exp="async.data.order == event.data.order",
            timeout=datetime.timedelta(seconds=timeout_s),
        )
        return None if approval is None else approval.data["by"]

    return waiter


async def test_wait_for_event_matches_only_the_event_its_if_selects(
    harness: EngineHarness,
) -> None:
    client = harness.client()
    async with harness.serve(client, [_waiter(client, 30)]):
        event_id = await harness.send({"name": "t/order", "data": {"order": "o-1"}})
        await asyncio.sleep(0.3)
        (run,) = await harness.runs_for_event(event_id)
        assert run.status == "running"
        await harness.send({"name": "t/approved", "data": {"order": "o-2", "by": "wrong"}})
        await harness.send({"name": "t/approved", "data": {"order": "o-1", "by": "bob"}})
        done = await harness.wait_run(run.id)
    assert (done.status, done.output) == ("completed", "bob")


async def test_wait_for_event_times_out_with_null(harness: EngineHarness) -> None:
    client = harness.client()
    async with harness.serve(client, [_waiter(client, 1)]):
        started = time.monotonic()
        run = await harness.run_to_completion({"name": "t/order", "data": {"order": "o-9"}})
    assert (run.status, run.output) == ("completed", None)
    assert time.monotonic() - started >= 1.0


async def test_invoke_returns_the_invoked_functions_result(harness: EngineHarness) -> None:
    client = harness.client()

    @client.create_function(fn_id="square", trigger=inngest.TriggerEvent(event="t/never"))
    async def square(ctx: inngest.Context) -> int:
        n = int(ctx.event.data["n"])  # type: ignore[arg-type]
        return await ctx.step.run("sq", lambda: n * n)

    @client.create_function(fn_id="caller", trigger=inngest.TriggerEvent(event="t/call"))
    async def caller(ctx: inngest.Context) -> Any:
        return await ctx.step.invoke("inv", function=square, data={"n": 7})

    @client.create_function(fn_id="broken", retries=0, trigger=inngest.TriggerEvent(event="t/no"))
    async def broken(ctx: inngest.Context) -> None:
        raise ValueError("child failed")

    @client.create_function(fn_id="caller2", trigger=inngest.TriggerEvent(event="t/call2"))
    async def caller2(ctx: inngest.Context) -> str:
        try:
            await ctx.step.invoke("inv", function=broken)
        except inngest.StepError as err:
            return f"caught: {err.message}"
        return "not caught"

    async with harness.serve(client, [square, caller, broken, caller2]):
        run = await harness.run_to_completion({"name": "t/call", "data": {}})
        failing = await harness.run_to_completion({"name": "t/call2", "data": {}})
    assert (run.status, run.output) == ("completed", 49)
    assert (failing.status, failing.output) == ("completed", "caught: child failed")


async def test_step_retries_then_succeeds(harness: EngineHarness) -> None:
    client = harness.client()
    attempts: list[int] = []

    @client.create_function(fn_id="flaky", retries=3, trigger=inngest.TriggerEvent(event="t/flaky"))
    async def flaky(ctx: inngest.Context) -> str:
        async def body() -> str:
            attempts.append(ctx.attempt)
            if len(attempts) < 3:
                raise RuntimeError("not yet")
            return "ok"

        return await ctx.step.run("flaky", body)

    async with harness.serve(client, [flaky]):
        run = await harness.run_to_completion({"name": "t/flaky", "data": {}})
    assert (run.status, run.output) == ("completed", "ok")
    assert attempts == [0, 1, 2]
    assert run.steps[0].attempt == 2


async def test_non_retriable_error_fails_at_once(harness: EngineHarness) -> None:
    client = harness.client()
    attempts: list[int] = []

    @client.create_function(fn_id="doomed", retries=5, trigger=inngest.TriggerEvent(event="t/doom"))
    async def doomed(ctx: inngest.Context) -> None:
        async def body() -> None:
            attempts.append(ctx.attempt)
            raise inngest.NonRetriableError("bad credentials")

        await ctx.step.run("s", body)

    async with harness.serve(client, [doomed]):
        run = await harness.run_to_completion({"name": "t/doom", "data": {}})
    assert run.status == "failed"
    assert attempts == [0]
    assert run.error is not None and "bad credentials" in run.error["message"]


async def test_retry_after_error_is_honoured(harness: EngineHarness) -> None:
    client = harness.client()
    times: list[float] = []

    @client.create_function(fn_id="later", retries=2, trigger=inngest.TriggerEvent(event="t/later"))
    async def later(ctx: inngest.Context) -> str:
        async def body() -> str:
            times.append(time.monotonic())
            if len(times) == 1:
                raise inngest.RetryAfterError("rate limited", datetime.timedelta(seconds=1))
            return "done"

        return await ctx.step.run("s", body)

    async with harness.serve(client, [later]):
        run = await harness.run_to_completion({"name": "t/later", "data": {}})
    assert (run.status, run.output) == ("completed", "done")
    # The engine's own backoff at this scale is ~20 ms: the wait came from retry-after.
    assert times[1] - times[0] >= 0.9


async def test_exhausted_step_raises_step_error_the_function_can_catch(
    harness: EngineHarness,
) -> None:
    client = harness.client()
    attempts: list[int] = []

    @client.create_function(
        fn_id="catcher", retries=1, trigger=inngest.TriggerEvent(event="t/catch")
    )
    async def catcher(ctx: inngest.Context) -> str:
        async def body() -> None:
            attempts.append(ctx.attempt)
            raise ValueError("always")

        try:
            await ctx.step.run("s", body)
        except inngest.StepError as err:
            return f"caught: {err.message}"
        return "not caught"

    async with harness.serve(client, [catcher]):
        run = await harness.run_to_completion({"name": "t/catch", "data": {}})
    assert (run.status, run.output) == ("completed", "caught: always")
    assert attempts == [0, 1]
    assert run.steps[0].status == "failed" and run.steps[0].error is not None


async def test_function_level_errors_are_retried(harness: EngineHarness) -> None:
    client = harness.client()
    attempts: list[int] = []

    @client.create_function(fn_id="shaky", retries=2, trigger=inngest.TriggerEvent(event="t/shaky"))
    async def shaky(ctx: inngest.Context) -> int:
        attempts.append(ctx.attempt)
        if ctx.attempt < 2:
            raise RuntimeError("boom")
        return ctx.attempt

    async with harness.serve(client, [shaky]):
        run = await harness.run_to_completion({"name": "t/shaky", "data": {}})
    assert (run.status, run.output) == ("completed", 2)
    assert attempts == [0, 1, 2]


async def test_failure_runs_on_failure_handler_with_function_failed_event(
    harness: EngineHarness,
) -> None:
    client = harness.client()
    failures: list[dict[str, Any]] = []

    async def on_failure(ctx: inngest.Context) -> None:
        failures.append(dict(ctx.event.data))

    @client.create_function(
        fn_id="fails",
        retries=0,
        on_failure=on_failure,
        trigger=inngest.TriggerEvent(event="t/fail"),
    )
    async def fails(ctx: inngest.Context) -> None:
        raise RuntimeError("it broke")

    async with harness.serve(client, [fails]):
        run = await harness.run_to_completion({"name": "t/fail", "data": {"k": 1}})
        await harness.eventually(lambda: bool(failures), 10)
    assert run.status == "failed"
    (data,) = failures
    assert data["function_id"] == "test-app-fails"
    assert data["run_id"] == run.id
    assert "it broke" in data["error"]["message"]
    assert data["event"]["data"] == {"k": 1}


async def test_the_same_run_works_on_sqlite_and_postgresql(metadata_url: str) -> None:
    harness = EngineHarness(metadata_url)
    client = harness.client()
    calls: Counter[str] = Counter()

    @client.create_function(fn_id="mixed", trigger=inngest.TriggerEvent(event="t/mixed"))
    async def mixed(ctx: inngest.Context) -> list[Any]:
        def body(name: str) -> str:
            calls[name] += 1
            return name

        first = await ctx.step.run("first", body, "first")
        pair = await ctx.group.parallel(
            (
                lambda: ctx.step.run("left", body, "left"),
                lambda: ctx.step.run("right", body, "right"),
            )
        )
        await ctx.step.sleep("short", datetime.timedelta(milliseconds=200))
        return [first, *pair]

    async with harness.serve(client, [mixed]):
        run = await harness.run_to_completion({"name": "t/mixed", "data": {}})
    assert (run.status, run.output) == ("completed", ["first", "left", "right"])
    assert calls == {"first": 1, "left": 1, "right": 1}


async def test_the_engine_can_call_the_app_over_loopback_http(sqlite_url: str) -> None:
    harness = EngineHarness(sqlite_url, in_process=False)
    client = harness.client()

    @client.create_function(fn_id="remote", trigger=inngest.TriggerEvent(event="t/remote"))
    async def remote(ctx: inngest.Context) -> int:
        a = await ctx.step.run("a", lambda: 20)
        b = await ctx.step.run("b", lambda: 22)
        return a + b

    async with harness.serve(client, [remote]):
        run = await harness.run_to_completion({"name": "t/remote", "data": {}})
    assert (run.status, run.output) == ("completed", 42)
