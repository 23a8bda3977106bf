"""End to end through a real sync job on the embedded engine (API → engine → chunks → swap).

1. PostgreSQL → PostgreSQL, N rows x 12 columns (BENCH_ROWS, default 1,000,000), full
   refresh, trigger to completion; beside it the raw `COPY (FORMAT binary)` pipe
   between the same two databases, the limit any tool can reach.
2. An incremental run with no changes over 10 entities (SQLite source → DuckDB),
   trigger to completion: the target is under 1 s.

The dlt peers for the same rows are measured by bench_sync_pg, which `make
bench` runs just before this module: their figures are read from its results
file of this run and printed side by side.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from cryptography.fernet import Fernet

from bench.pg import scratch_database
from syncjobs.settings import Settings
from syncjobs.testing import ClientWorkspace, Service, serve

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
COLUMNS = """id bigint PRIMARY KEY, name text, email text, city text, score double precision,
    amount numeric(12,2), active boolean, created_at timestamptz, updated_at timestamptz,
    tags text, counter integer, note text"""


def _fill_source(url: str, rows: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE items ({COLUMNS})")
        conn.execute(f"""INSERT INTO items SELECT i, 'name ' || i, 'user' || i || '@example.test',
            (ARRAY['Berlin','Lisbon','Osaka','Lima'])[1 + i % 4], i * 0.5, (i % 10000) / 100.0,
            i % 2 = 0, now() - (i || ' seconds')::interval, now(), 'a,b,' || (i % 7),
            i % 1000, repeat('x', 20) FROM generate_series(1, {rows}) AS i""")


def _raw_copy(src: str, dst: str) -> float:
    with psycopg.connect(dst, autocommit=True) as out:
        out.execute(f"DROP TABLE IF EXISTS items_raw; CREATE TABLE items_raw ({COLUMNS})")
    started = time.perf_counter()
    with (
        psycopg.connect(src) as a,
        psycopg.connect(dst) as b,
        a.cursor().copy("COPY items TO STDOUT (FORMAT binary)") as reader,
        b.cursor().copy("COPY items_raw FROM STDIN (FORMAT binary)") as writer,
    ):
        for block in reader:
            writer.write(block)
    return time.perf_counter() - started


async def _job(
    svc: Service,
    ws: ClientWorkspace,
    source: dict[str, Any],
    destination: tuple[str, dict[str, Any]],
    mode: str,
) -> str:
    suffix = uuid.uuid4().hex[:6]
    src = await svc.http.post(
        ws.url("/sources"),
        headers=ws.headers,
        json={"name": f"src{suffix}", "type": "sql", "config": source},
    )
    dst = await svc.http.post(
        ws.url("/destinations"),
        headers=ws.headers,
        json={"name": f"dst{suffix}", "type": destination[0], "config": destination[1]},
    )
    job = await svc.http.post(
        ws.url("/sync-jobs"),
        headers=ws.headers,
        json={
            "name": f"job{suffix}",
            "source_id": src.json()["id"],
            "destination_id": dst.json()["id"],
            "sync_mode": mode,
            "table_prefix": "b_",
        },
    )
    assert job.status_code == 201, job.text
    return str(job.json()["id"])


async def _timed_run(
    svc: Service, ws: ClientWorkspace, job_id: str
) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    answer = await svc.http.post(ws.url(f"/sync-jobs/{job_id}/run"), headers=ws.headers)
    assert answer.status_code == 202, answer.text
    execution_id = answer.json()["execution_id"]
    path = ws.url(f"/sync-jobs/{job_id}/executions/{execution_id}")
    while True:
        body = (await svc.http.get(path, headers=ws.headers)).json()
        if body["status"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.01)
    assert body["status"] == "completed", body
    return time.perf_counter() - started, body


async def _pg_to_pg(home: Path) -> dict[str, Any]:
    with scratch_database("bench_src") as src, scratch_database("bench_dst") as dst:
        await asyncio.to_thread(_fill_source, src, ROWS)
        raw = [await asyncio.to_thread(_raw_copy, src, dst) for _ in range(2)]
        settings = Settings(
            home=home,
            secret_keys=Fernet.generate_key().decode(),
            demo=False,
            chunk_records=1_000_000,
            chunk_seconds=30,
        )
        async with serve(settings) as svc:
            ws = await svc.workspace()
            job_id = await _job(
                svc,
                ws,
                {"url": src},
                ("postgresql", {"url": dst, "schema": "public"}),
                "full",
            )
            runs = [await _timed_run(svc, ws, job_id) for _ in range(2)]
        seconds = statistics.median(r[0] for r in runs)
        assert all(r[1]["stats"]["records_processed"] == ROWS for r in runs)
        raw_s = statistics.median(raw)
        return {
            "rows": ROWS,
            "syncjobs_rows_per_s": round(ROWS / seconds),
            "syncjobs_seconds": round(seconds, 2),
            "raw_copy_rows_per_s": round(ROWS / raw_s),
            "raw_copy_seconds": round(raw_s, 2),
            "ratio_to_raw_copy": round(seconds / raw_s, 2),
        }


async def _incremental_no_change(home: Path) -> dict[str, Any]:
    home.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - set-up, not timed
    source = home / "tenant.db"
    with sqlite3.connect(source) as conn:
        for n in range(10):
            conn.execute(f"CREATE TABLE t{n} (id INTEGER PRIMARY KEY, v TEXT, updated_at TEXT)")
            conn.executemany(
                f"INSERT INTO t{n} VALUES (?, ?, ?)",
                [(i, f"v{i}", f"2026-01-01T00:{i % 60:02d}:00Z") for i in range(1000)],
            )
    entities = {f"t{n}": {"cursor_field": "updated_at"} for n in range(10)}
    settings = Settings(home=home / "svc", secret_keys=Fernet.generate_key().decode(), demo=False)
    async with serve(settings) as svc:
        ws = await svc.workspace()
        job_id = await _job(
            svc,
            ws,
            {"url": f"sqlite:///{source}", "entities": entities},
            ("duckdb", {"path": str(home / "w.duckdb"), "schema": "main"}),
            "incremental",
        )
        first, _ = await _timed_run(svc, ws, job_id)
        again = [await _timed_run(svc, ws, job_id) for _ in range(5)]
    seconds = statistics.median(r[0] for r in again)
    return {
        "entities": 10,
        "first_run_seconds": round(first, 3),
        "no_change_run_seconds_median": round(seconds, 3),
        "no_change_records": again[0][1]["stats"]["records_processed"],
        "target_seconds": 1.0,
    }


def main(argv: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        incremental = asyncio.run(_incremental_no_change(Path(tmp) / "inc"))
        print(
            f"incremental, 10 entities, no changes: {incremental['no_change_run_seconds_median']}"
            f" s trigger to completion (target < 1 s)"
        )
        full = asyncio.run(_pg_to_pg(Path(tmp) / "full"))
    print(f"PostgreSQL → PostgreSQL, {full['rows']:,} rows x 12 columns, full refresh:")
    print(f"  {'path':<44}{'rows/s':>12}{'seconds':>10}")
    print(
        f"  {'raw COPY binary pipe (the limit)':<44}{full['raw_copy_rows_per_s']:>12,}"
        f"{full['raw_copy_seconds']:>10}"
    )
    print(
        f"  {'syncjobs job (engine, chunks, staging, swap)':<44}"
        f"{full['syncjobs_rows_per_s']:>12,}{full['syncjobs_seconds']:>10}"
    )
    peers = _dlt_peers(full["rows"])
    for label, key in (("dlt 1.31, fastest (pyarrow + parquet + ADBC)", "dlt_fastest"),
                       ("dlt 1.31, default (sqlalchemy backend)", "dlt_default")):
        if key in peers:
            rate = peers[key]["rows_per_s"]
            full[f"vs_{key}"] = round(full["syncjobs_rows_per_s"] / rate, 2)
            print(f"  {label:<44}{rate:>12,}   syncjobs is {full[f'vs_{key}']}x")
    print(f"  syncjobs / raw pipe time: {full['ratio_to_raw_copy']}x (target within 3x); "
          "targets: >= 2x dlt fastest, >= 10x dlt default")
    return {"incremental_no_change": incremental, "pg_to_pg_full": full, "dlt": peers}


def _dlt_peers(rows: int) -> dict[str, Any]:
    """dlt's figures from bench_sync_pg's results of this run (same row count), if any."""
    path = Path(__file__).parent / "results" / "bench_sync_pg.json"
    if not path.exists() or time.time() - path.stat().st_mtime > 3600:
        print("  (dlt figures: run bench_sync_pg first, e.g. `make bench BENCH_ARGS=sync_pg`)")
        return {}
    data = json.loads(path.read_text())
    if data.get("rows") != rows:
        print(f"  (dlt figures were measured on {data.get('rows')} rows, not {rows})")
    return {k: data[k] for k in ("dlt_fastest", "dlt_default") if k in data}
