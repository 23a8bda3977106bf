"""The HTTP API under a bounded load from a second process: latency, no 5xx, DB invariants.

Issue 7's target: ~200 requests/s for 60 s (BENCH_API_SECONDS; BENCH_API_RATE)
mixing reads (list jobs, get job, history, status, schedule) and POST .../run
against the real service (`python -m syncjobs serve`, embedded engine, a fresh
SQLite home, a free loopback port): p99 under 50 ms for reads, no 5xx; after
the load drains, at most one active execution per job and none left running.
The load is open-loop (requests start on a fixed schedule, at most 64 in
flight), from a second process (aiohttp + asyncio), on loopback only.

One run measures three cases side by side (BENCH_API_CASES picks some):
  sqlite      the metadata DB in the service's SQLite home (the default set-up)
  postgresql  a scratch database on the bench PostgreSQL server (bench/pg.py)
  busy-core   sqlite again, with a busy loop taking one of the cores meanwhile,
              as another tenant of a shared machine would

    python -m bench api                # or: BENCH_API_SECONDS=10 python -m bench.bench_api
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import sqlalchemy as sa

from bench import pg
from bench.figures import percentile
from syncjobs.sqldb import normalize_url

ADMIN = "bench-admin-token"
JOBS = 5
READ_P99_TARGET_MS = 50.0
MAX_IN_FLIGHT = 64
DRAIN_SECONDS = 120
CASES = ("sqlite", "postgresql", "busy-core")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _summary(values: list[float]) -> dict[str, float]:
    return {"count": len(values),
            **{f"p{round(q * 100)}_ms": round(percentile(values, q), 2) for q in (0.5, 0.95, 0.99)},
            "max_ms": round(max(values), 2) if values else float("nan")}


def _start_service(home: Path, port: int, workers: int,
                   database_url: str | None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SYNCJOBS_WORKERS": str(workers), "SYNCJOBS_HOME": str(home),
           "SYNCJOBS_PORT": str(port),
           "SYNCJOBS_HOST": "127.0.0.1", "SYNCJOBS_ADMIN_TOKEN": ADMIN, "SYNCJOBS_DEMO": "false",
           "SYNCJOBS_LOG_LEVEL": "WARNING"}
    env.pop("SYNCJOBS_DATABASE_URL", None)
    if database_url:
        env["SYNCJOBS_DATABASE_URL"] = database_url
    log = (home / "serve.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "syncjobs", "serve"], env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"syncjobs serve exited with {proc.returncode}")
        try:
            body = httpx.get(f"{base}/health", timeout=2).json()
            if body.get("status") == "ok" and body.get("engine", {}).get("leader"):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the service did not become healthy")


def _setup(base: str, home: Path) -> dict[str, Any]:
    source = home / "source.db"
    with sqlite3.connect(source) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO customers VALUES (?, ?)",
                         [(i, f"customer {i}") for i in range(1, 201)])
    with httpx.Client(base_url=base, timeout=30) as http:
        created = http.post("/api/workspaces", json={"name": "bench"},
                            headers={"Authorization": f"Bearer {ADMIN}"})
        created.raise_for_status()
        ws, key = created.json()["id"], created.json()["api_key"]
        headers = {"Authorization": f"Bearer {key}"}
        src = http.post(f"/api/workspaces/{ws}/sources", headers=headers, json={
            "name": "shop", "type": "sql", "config": {"url": f"sqlite:///{source}"}})
        src.raise_for_status()
        dst = http.post(f"/api/workspaces/{ws}/destinations", headers=headers, json={
            "name": "lake", "type": "sqlite", "config": {"path": str(home / "lake.db")}})
        dst.raise_for_status()
        jobs = []
        for i in range(JOBS):
            job = http.post(f"/api/workspaces/{ws}/sync-jobs", headers=headers, json={
                "name": f"job-{i}", "source_id": src.json()["id"],
                "destination_id": dst.json()["id"], "entities": ["customers"],
                "schedule": {"cron": "0 3 * * *", "timezone": "Europe/Berlin"}})
            job.raise_for_status()
            jobs.append(job.json()["id"])
    return {"ws": ws, "key": key, "jobs": jobs}


async def _drive(base: str, target: dict[str, Any], rate: float, seconds: float,
                 run_share: float) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {target['key']}"}
    prefix = f"/api/workspaces/{target['ws']}/sync-jobs"
    reads: list[float] = []
    runs: list[float] = []
    statuses: dict[str, int] = {}
    late = 0
    gate = asyncio.Semaphore(MAX_IN_FLIGHT)
    rng = random.Random(7)

    def pick() -> tuple[str, str, str]:
        job = rng.choice(target["jobs"])
        if rng.random() < run_share:
            return "run", "POST", f"{prefix}/{job}/run"
        path = rng.choice(["", f"/{job}", f"/{job}/history?limit=20", f"/{job}/status",
                           f"/{job}/schedule?count=10"])
        return "read", "GET", prefix + path

    async def one(http: aiohttp.ClientSession, kind: str, method: str, url: str) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                async with http.request(method, base + url, headers=headers) as answer:
                    await answer.read()
                    code = str(answer.status)
            except (aiohttp.ClientError, TimeoutError) as exc:
                code = type(exc).__name__
            elapsed = (time.perf_counter() - started) * 1000
        (runs if kind == "run" else reads).append(elapsed)
        statuses[f"{kind} {code}"] = statuses.get(f"{kind} {code}", 0) + 1

    # aiohttp, not httpx: at 200 req/s httpx's pool took a whole core here and the
    # figures measured the client, not the server.
    connector = aiohttp.TCPConnector(limit=MAX_IN_FLIGHT)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        tasks = []
        begin = time.perf_counter()
        total = int(rate * seconds)
        for n in range(total):  # bounded: rate x seconds requests, no more
            due = begin + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.05:
                late += 1
            tasks.append(asyncio.create_task(one(http, *pick())))
        _done, pending = await asyncio.wait(tasks, timeout=30)  # bounded drain
        for task in pending:
            task.cancel()
        wall = time.perf_counter() - begin
    return {"requests": total, "wall_s": round(wall, 2), "achieved_rps": round(total / wall, 1),
            "late_starts": late, "unfinished": len(pending), "reads": _summary(reads),
            "runs": _summary(runs), "statuses": dict(sorted(statuses.items()))}


def _load_in_second_process(base: str, target: dict[str, Any], rate: float, seconds: float,
                            run_share: float) -> dict[str, Any]:
    """`python -m bench.bench_api --load ...`: the load runs apart from this process."""
    spec = json.dumps({"base": base, "target": target, "rate": rate, "seconds": seconds,
                       "run_share": run_share})
    done = subprocess.run([sys.executable, "-m", "bench.bench_api", "--load", spec],
                          capture_output=True, timeout=seconds + 180, check=False,
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise RuntimeError(f"the load process failed: {done.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


def _invariants(metadata_url: str, base: str, target: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {target['key']}"}
    deadline = time.monotonic() + DRAIN_SECONDS
    active = -1
    engine = sa.create_engine(normalize_url(metadata_url), poolclass=sa.pool.NullPool)
    try:
        while time.monotonic() < deadline:  # bounded wait for the runs to finish
            with engine.connect() as conn:
                active = conn.execute(sa.text(
                    "SELECT count(*) FROM executions "
                    "WHERE status IN ('queued', 'running')")).scalar_one()
            if active == 0:
                break
            time.sleep(0.5)
        with engine.connect() as conn:
            doubled = conn.execute(sa.text(
                "SELECT job_id, count(*) FROM executions WHERE status IN ('queued', 'running') "
                "GROUP BY job_id HAVING count(*) > 1")).fetchall()
            by_status = {str(status): int(n) for status, n in conn.execute(sa.text(
                "SELECT status, count(*) FROM executions GROUP BY status"))}
    finally:
        engine.dispose()
    answered = True
    running: list[bool] = []
    with httpx.Client(base_url=base, timeout=10) as http:
        try:
            running = [http.get(f"/api/workspaces/{target['ws']}/sync-jobs/{job}/status",
                                headers=headers).json()["is_running"] for job in target["jobs"]]
        except httpx.HTTPError:
            answered = False  # the API itself no longer answers: a failure to report
    return {"active_after_drain": active, "jobs_with_two_active": len(doubled),
            "executions_by_status": by_status, "any_job_running": any(running),
            "api_answers_after_load": answered,
            "ok": answered and active == 0 and not doubled and not any(running)}


def _case(case: str, rate: float, seconds: float, run_share: float,
          workers: int) -> dict[str, Any]:
    """One service, one load, the invariants after it: the figures of one case."""
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp, ExitStack() as stack:
        home = Path(tmp)
        database_url = (stack.enter_context(pg.scratch_database("sjbench_api"))
                        if case == "postgresql" else None)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        proc = _start_service(home, port, workers, database_url)
        try:
            _wait_healthy(base, proc)
            target = _setup(base, home)
            hog = (subprocess.Popen([sys.executable, "-c", "while True: pass"])
                   if case == "busy-core" else None)
            try:
                load = _load_in_second_process(base, target, rate, seconds, run_share)
            finally:
                if hog is not None:
                    hog.kill()
                    hog.wait()
            invariants = _invariants(database_url or f"sqlite:///{home / 'syncjobs.db'}",
                                     base, target)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    server_errors = sum(n for key, n in load["statuses"].items() if key.split()[1][0] == "5")
    failures = sum(n for key, n in load["statuses"].items() if not key.split()[1].isdigit())
    return {**load, "server_errors_5xx": server_errors, "transport_errors": failures,
            "invariants": invariants,
            "read_p99_ok": load["reads"]["p99_ms"] < READ_P99_TARGET_MS}


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{os.cpu_count()} x {line.split(':', 1)[1].strip()}"
    return f"{os.cpu_count()} x {platform.processor() or 'unknown CPU'}"


def main(argv: list[str]) -> dict[str, Any]:
    seconds = float(os.environ.get("BENCH_API_SECONDS", "60"))
    rate = float(os.environ.get("BENCH_API_RATE", "200"))
    run_share = float(os.environ.get("BENCH_API_RUN_SHARE", "0.1"))
    # `serve --workers 3`, as docs/production.md advises on two cores: one process
    # alone tops out near 100 req/s (about 4-5 ms of CPU per read, see docs/reliability.md).
    workers = int(os.environ.get("BENCH_API_WORKERS", "3"))
    cases = [c.strip() for c in os.environ.get("BENCH_API_CASES", ",".join(CASES)).split(",")]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        raise ValueError(f"BENCH_API_CASES: unknown case(s) {unknown}; choose from {CASES}")
    figures: dict[str, Any] = {"cpu": _cpu(), "rate_rps": rate, "seconds": seconds,
                               "run_share": run_share, "jobs": JOBS, "workers": workers}
    print(f"{figures['cpu']}; serve --workers {workers}; {rate:g} req/s offered for "
          f"{seconds:g} s, {run_share:.0%} POST .../run", flush=True)
    for case in cases:
        started = time.perf_counter()
        figures[case] = _case(case, rate, seconds, run_share, workers)
        print(f"  {case}: measured in {time.perf_counter() - started:.0f} s", flush=True)
    print(f"\n  {'case':<11}{'req/s':>7}{'reads p50':>11}{'p95':>8}{'p99':>8}{'max':>8}"
          f"{'runs p99':>10}{'done':>6}{'5xx':>5}  invariants")
    for case in cases:
        r = figures[case]
        reads, inv = r["reads"], r["invariants"]
        print(f"  {case:<11}{r['achieved_rps']:>7}{reads['p50_ms']:>11}{reads['p95_ms']:>8}"
              f"{reads['p99_ms']:>8}{reads['max_ms']:>8}{r['runs']['p99_ms']:>10}"
              f"{inv['executions_by_status'].get('completed', 0):>6}"
              f"{r['server_errors_5xx']:>5}  {'ok' if inv['ok'] else inv}")
    print(f"  target: reads p99 < {READ_P99_TARGET_MS:g} ms, no 5xx, invariants ok "
          f"(times in ms; done = runs completed)")
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        spec = json.loads(sys.argv[2])
        print(json.dumps(asyncio.run(_drive(spec["base"], spec["target"], spec["rate"],
                                            spec["seconds"], spec["run_share"]))))
    else:
        print(main(sys.argv[1:]))
