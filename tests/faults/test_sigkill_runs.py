"""SIGKILL of `syncjobs serve` at random moments during 20 runs: all end, all data right.

One `serve` on SQLite metadata; three jobs read tables of a SQLite file this test
controls (a `sql` source) into SQLite destination files: two full refreshes and
one incremental (cursor column `updated_at`, which only grows). Before each run
the test changes its job's source table (updates, inserts, and deletes for the
full refreshes). While runs go on, the process is killed with SIGKILL at seeded
random moments and started again, until 20 runs were started. Afterwards every
execution is terminal (and completed), each full-refresh table equals its
source, and the incremental table holds each source row once, at its latest value.
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.faults.support import ACTIVE, Api, base_env, wait_for
from tests.support.processes import ServeProcess

pytestmark = pytest.mark.slow

RUNS = 20
KILLS = 4
SEED = 20260107
TABLES = {"full_a": "full", "full_b": "full", "inc_c": "incremental"}
ROWS = 1200


class SourceDb:
    """The source tables; `updated_at` grows with every change, across tables."""

    def __init__(self, path: Path, rng: random.Random) -> None:
        self.path = path
        self.rng = rng
        self.clock = 0
        self.next_id = {t: ROWS + 1 for t in TABLES}
        with self._conn() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            for table in TABLES:
                conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, val TEXT NOT NULL, "
                             "updated_at INTEGER NOT NULL)")
                conn.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)",
                                 [(i, f"v{i}-0", self._tick()) for i in range(1, ROWS + 1)])

    def _conn(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def _tick(self) -> int:
        self.clock += 1
        return self.clock

    def change(self, table: str, generation: int) -> None:
        """Update some rows, add some, and (full refresh only) delete some."""
        with self._conn() as conn:
            ids = [r[0] for r in conn.execute(f"SELECT id FROM {table}")]
            for i in self.rng.sample(ids, 40):
                conn.execute(f"UPDATE {table} SET val = ?, updated_at = ? WHERE id = ?",
                             (f"v{i}-{generation}", self._tick(), i))
            new = range(self.next_id[table], self.next_id[table] + 30)
            conn.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)",
                             [(i, f"v{i}-{generation}", self._tick()) for i in new])
            self.next_id[table] += 30
            if TABLES[table] == "full":
                for i in self.rng.sample(ids, 10):
                    conn.execute(f"DELETE FROM {table} WHERE id = ?", (i,))

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        with self._conn() as conn:
            return conn.execute(f"SELECT id, val FROM {table} ORDER BY id").fetchall()


def _dest_rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f'SELECT id, val FROM "src_{table}" ORDER BY id').fetchall()


def test_sigkill_at_random_points_during_20_runs(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    source = SourceDb(tmp_path / "source.db", rng)
    env = base_env(tmp_path, SYNCJOBS_HEARTBEAT_TIMEOUT_SECONDS="5",
                   SYNCJOBS_CHUNK_RECORDS="25", SYNCJOBS_SYNC_RETRIES="3",
                   # Retries after ~0.75, 1.5, 3 s: a brief transient (a busy SQLite
                   # file under load) must not exhaust them in a few milliseconds.
                   SYNCJOBS_ENGINE_BACKOFF_SCALE="0.05")
    server = ServeProcess(env, tmp_path / "serve.log")
    began = time.monotonic()
    server.start()
    executions: list[tuple[str, str]] = []
    kills: list[float] = []
    restarts: list[float] = []
    interrupted: list[int] = []
    try:
        client = Api.create(server)
        src = client.source("src", "sql", {
            "url": f"sqlite:///{source.path}",
            "entities": {"inc_c": {"cursor_field": "updated_at"}}})
        jobs: dict[str, str] = {}
        for table, mode in TABLES.items():
            dst = client.destination(f"dest-{table}", "sqlite",
                                     {"path": str(tmp_path / f"{table}.db")})
            jobs[table] = client.job(f"job-{table}", src, dst, entities=[table],
                                     sync_mode=mode, table_prefix="src_")
        # Kill right after starting these runs (seeded), after a random delay: mid-sync.
        kill_after = set(rng.sample(range(2, RUNS), KILLS))
        generation = 0
        while len(executions) < RUNS:
            assert time.monotonic() - began < 100, "20 runs did not start in time"
            for table, job in jobs.items():
                if len(executions) >= RUNS:
                    break
                status = client.call("GET", f"/sync-jobs/{job}/status").json()
                if status["is_running"]:
                    continue
                generation += 1
                source.change(table, generation)
                executions.append((job, client.run(job)))
                if len(executions) in kill_after:
                    time.sleep(rng.uniform(0.1, 0.8))
                    busy = [e for j, e in executions
                            if client.execution(j, e)["status"] in ACTIVE]
                    server.kill()
                    interrupted.append(len(busy))
                    kills.append(time.monotonic() - began)
                    restarted = time.monotonic()
                    server.start()
                    restarts.append(time.monotonic() - restarted)
            time.sleep(rng.uniform(0.1, 0.5))

        def all_terminal() -> bool:
            return all(client.execution(j, e)["status"] not in ACTIVE for j, e in executions)

        wait_for(all_terminal, 60, lambda: "executions still active: " + repr(
            [(e, client.execution(j, e)["status"]) for j, e in executions
             if client.execution(j, e)["status"] not in ACTIVE]), every=0.5)
        finals = [client.execution(j, e) for j, e in executions]
        failed_logs = {f["id"]: [(r["level"], r["message"]) for r in client.logs(j, f["id"])
                                 if r["level"] in ("warning", "error")][:6]
                       for (j, _), f in zip(executions, finals, strict=True)
                       if f["status"] != "completed"}
        # No other execution appeared (a duplicate run, a stray follow-up).
        assert sum(len(client.history(job)) for job in jobs.values()) == RUNS
    finally:
        server.stop()
    took = time.monotonic() - began
    statuses = [f["status"] for f in finals]
    print(f"\n{len(executions)} runs, {len(kills)} kills at {[round(k, 1) for k in kills]}s, "
          f"{took:.1f}s in all; leader again after {[round(r, 1) for r in restarts]}s; "
          f"statuses {sorted(set(statuses))}; "
          f"runs in flight at each kill {interrupted}; "
          f"attempts {[f['attempt'] for f in finals]}")
    assert len(kills) == KILLS
    # Most kills hit runs in flight (a kill between runs proves less).
    assert sum(1 for n in interrupted if n) >= KILLS - 1, interrupted
    assert statuses == ["completed"] * RUNS, [
        (i, f["id"], f["status"], f["error"], failed_logs.get(f["id"]))
        for i, f in enumerate(finals) if f["status"] != "completed"]
    for table, mode in TABLES.items():
        stored = _dest_rows(tmp_path / f"{table}.db", table)
        ids = [r[0] for r in stored]
        assert len(ids) == len(set(ids)), f"{table}: a row stored twice"
        assert stored == source.rows(table), f"{table} ({mode}) differs from its source"
