"""Embedded engine on SQLite: event-to-first-step latency, throughput, per-step overhead.

Targets: latency p50 < 20 ms and p99 < 100 ms; a three-step function with no-op
steps at >= 100 runs/s. The app is served in-process (uvicorn on loopback for
events, the engine calls /api/inngest through ASGI), as `syncjobs serve` does.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from typing import Any

import inngest

from bench.figures import percentile
from syncjobs.engine.testing import EngineHarness


async def _run(latency_events: int, throughput_runs: int) -> dict[str, Any]:
    tmp = tempfile.TemporaryDirectory(prefix="bench-engine-")
    harness = EngineHarness(f"sqlite:///{tmp.name}/meta.db", poll_interval=0.25, max_inflight=64)
    client = harness.client("bench")
    step_started: dict[str, float] = {}
    first_step_seen = asyncio.Event()
    finished = 0
    all_done = asyncio.Event()

    @client.create_function(fn_id="first", retries=0, trigger=inngest.TriggerEvent(event="b/first"))
    async def first(ctx: inngest.Context) -> None:
        async def mark() -> None:
            step_started[ctx.event.id] = time.perf_counter()
            first_step_seen.set()

        await ctx.step.run("mark", mark)

    @client.create_function(fn_id="three", retries=0, trigger=inngest.TriggerEvent(event="b/three"))
    async def three(ctx: inngest.Context) -> None:
        nonlocal finished
        for name in ("a", "b", "c"):
            await ctx.step.run(name, lambda: None)
        finished += 1
        if finished >= throughput_runs:
            all_done.set()

    async with harness.serve(client, [first, three]):
        engine = harness.engine
        runner = engine.runner
        assert runner is not None
        runner.timings.clear()
        latencies = []
        for _ in range(latency_events):
            first_step_seen.clear()
            (event_id,) = await engine.send([{"name": "b/first", "data": {}}])
            accepted = time.perf_counter()
            await asyncio.wait_for(first_step_seen.wait(), 10)
            latencies.append((step_started[event_id] - accepted) * 1000)
        await asyncio.sleep(0.5)  # let the latency runs finish before measuring throughput
        quiet_calls = runner.timings["calls"] or 1
        quiet = {
            "idle_per_call_protocol_ms": round(
                runner.timings["protocol_s"] / quiet_calls * 1000, 3
            ),
            "idle_per_call_db_write_ms": round(
                runner.timings["db_write_s"] / quiet_calls * 1000, 3
            ),
        }
        runner.timings.clear()
        started = time.perf_counter()
        for i in range(0, throughput_runs, 100):
            await engine.send([{"name": "b/three", "data": {"i": j}} for j in range(i, i + 100)])
        await asyncio.wait_for(all_done.wait(), 120)
        elapsed = time.perf_counter() - started
        calls = runner.timings["calls"] or 1
        figures = {
            "latency_p50_ms": round(statistics.median(latencies), 2),
            "latency_p99_ms": round(percentile(latencies, 0.99), 2),
            "throughput_runs_per_s": round(throughput_runs / elapsed, 1),
            "throughput_runs": throughput_runs,
            "calls": int(calls),
            "per_call_protocol_ms": round(runner.timings["protocol_s"] / calls * 1000, 3),
            "per_call_db_write_ms": round(runner.timings["db_write_s"] / calls * 1000, 3),
            **quiet,
        }
    tmp.cleanup()
    return figures


def main(argv: list[str]) -> dict[str, Any]:
    latency_events = int(argv[0]) if argv else 200
    throughput_runs = int(argv[1]) if len(argv) > 1 else 1000
    figures = asyncio.run(_run(latency_events, throughput_runs))
    rows = [
        ("event accepted -> first step, p50", f"{figures['latency_p50_ms']} ms", "< 20 ms"),
        ("event accepted -> first step, p99", f"{figures['latency_p99_ms']} ms", "< 100 ms"),
        ("3-step runs per second", f"{figures['throughput_runs_per_s']}", ">= 100"),
        ("per call, one run at a time: protocol", f"{figures['idle_per_call_protocol_ms']} ms", ""),
        ("per call, one run at a time: DB write", f"{figures['idle_per_call_db_write_ms']} ms", ""),
        (
            "per call, under load: protocol (incl. loop wait)",
            f"{figures['per_call_protocol_ms']} ms",
            "",
        ),
        ("per call, under load: DB write", f"{figures['per_call_db_write_ms']} ms", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'measured':>12}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>12}  {target}")
    return figures


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
