"""PG -> PG full refresh of a 1M-row, 12-column table: our executor vs raw COPY vs dlt.

Ours, raw COPY and dlt's fastest are each the best of two runs (the host is shared).
Our figure goes through run_chunk's chunks (50k records each), staging and swap. Peak
RSS of ours is measured at 1M and 5M rows (it must stay flat). SYNCJOBS_BENCH_SCALE=0.1
makes a quick run; dlt's default (sqlalchemy backend, ~10k rows/s) runs on a 100k slice.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from typing import Any

import psycopg

from bench import pg
from bench.dlt_peer.harness import (
    best_of,
    dlt_python,
    peak_rss_mb,
    run_child,
    scale,
    table,
)

DDL_SELECT = """
SELECT g AS id, (g % 1000)::int AS user_id, md5(g::text) AS name, g * 1.5::float8 AS amount,
       (g % 2 = 0) AS flag, timestamptz '2024-01-01' + g * interval '1 second' AS created_at,
       timestamptz '2024-06-01' + g * interval '1 second' AS updated_at,
       'category_' || (g % 50) AS category, g::bigint * 7 AS counter,
       (g % 97)::float8 / 3 AS ratio, md5((g * 2)::text) AS note,
       date '2024-01-01' + (g % 365) AS day
FROM generate_series(1, {n}) g
"""


def make_source(name: str, tables: dict[str, int]) -> str:
    url = pg.create(name)
    with psycopg.connect(url, autocommit=True) as con:
        for tname, n in tables.items():
            con.execute(f"CREATE TABLE {tname} AS {DDL_SELECT.format(n=int(n))}")  # type: ignore[arg-type]
            con.execute(f"ALTER TABLE {tname} ADD PRIMARY KEY (id)")  # type: ignore[arg-type]
            con.execute(f"VACUUM ANALYZE {tname}")  # type: ignore[arg-type]
    return url


# -- measurements, each in a child process ---------------------------------------------------
def child_ours(src: str, dst: str, entity: str) -> dict[str, Any]:
    from syncjobs.sync import SyncRequest, parse_destination_config, parse_source_config, run_chunk

    req = SyncRequest(
        source=parse_source_config("sql", {"url": src}),
        destination=parse_destination_config("postgresql", {"url": dst, "schema": "public"}),
        entities=[entity], mode="full", table_prefix="ours_", execution_id=uuid.uuid4().hex,
    )
    started = time.perf_counter()
    state, chunks, rows = None, 0, 0
    while True:
        result = run_chunk(req, state)
        state, chunks = result.state, chunks + 1
        rows += result.stats["records_processed"]
        if result.done:
            break
    return {"rows": rows, "seconds": time.perf_counter() - started, "chunks": chunks,
            "peak_rss_mb": peak_rss_mb()}


def child_raw_copy(src: str, dst: str, entity: str) -> dict[str, Any]:
    with psycopg.connect(src) as a, psycopg.connect(dst) as b:
        b.execute(f"CREATE TABLE raw_{entity} AS {DDL_SELECT.format(n=0)}")  # type: ignore[arg-type]
        started = time.perf_counter()
        with a.cursor().copy(f"COPY {entity} TO STDOUT (FORMAT binary)") as out, \
                b.cursor().copy(f"COPY raw_{entity} FROM STDIN (FORMAT binary)") as into:  # type: ignore[arg-type]
            for data in out:
                into.write(data)
        b.commit()
        rows = b.execute(f"SELECT count(*) FROM raw_{entity}").fetchone()[0]  # type: ignore[arg-type, index]
    return {"rows": rows, "seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


def _child(kind: str, src: str, dst: str, entity: str) -> dict[str, Any]:
    return run_child([sys.executable, "-m", "bench.bench_sync_pg", "--child", kind, src, dst,
                      entity])


def _dlt(python: Any, src: str, entity: str, backend: str, fmt: str) -> dict[str, Any]:
    with pg.scratch_database("sjbench_dst") as dst:
        # dlt's postgres extra brings psycopg2; SQLAlchemy 2.1 would default to psycopg 3.
        src2 = src.replace("postgresql://", "postgresql+psycopg2://", 1)
        if "@" in dst and ":" not in dst.split("://", 1)[1].split("@", 1)[0]:
            dst = dst.replace("@", ":unused@", 1)  # dlt insists on a password (trust ignores it)
        return run_child([str(python), "bench/dlt_peer/pg_to_pg.py", src2, dst, entity,
                          backend, fmt])


def _measure(kind: str, src: str, entity: str) -> dict[str, Any]:
    with pg.scratch_database("sjbench_dst") as dst:
        return _child(kind, src, dst, entity)


def main(argv: list[str]) -> dict[str, Any]:
    n, big, small = scale(1_000_000), scale(5_000_000), scale(100_000)
    print(f"building source tables: {n:,}, {big:,} and {small:,} rows", flush=True)
    src = make_source("sjbench_src", {"events": n, "events_big": big, "events_small": small})
    figures: dict[str, Any] = {"rows": n}
    try:
        figures["raw_copy"] = best_of(2, lambda: _measure("raw", src, "events"))
        figures["ours"] = best_of(2, lambda: _measure("ours", src, "events"))
        figures["ours_5m"] = _measure("ours", src, "events_big")
        python = dlt_python()
        if python is not None:
            figures["dlt_fastest"] = best_of(
                2, lambda: _dlt(python, src, "events", "pyarrow", "parquet"))
            figures["dlt_default"] = _dlt(python, src, "events_small", "sqlalchemy", "default")
    finally:
        pg.drop("sjbench_src")
    for f in figures.values():
        if isinstance(f, dict):
            f["rows_per_s"] = round(f["rows"] / f["seconds"])
    ours = figures["ours"]["rows_per_s"]
    rows = [("run", "rows", "rows/s", "peak RSS MB")]
    labels = {"ours": "syncjobs (run_chunk, staging + swap)", "ours_5m": "syncjobs, 5M rows",
              "raw_copy": "raw COPY binary pipe", "dlt_fastest": "dlt pyarrow+parquet+ADBC",
              "dlt_default": "dlt default (sqlalchemy)"}
    for key, label in labels.items():
        if key in figures:
            f = figures[key]
            rss = f"{f['peak_rss_mb']:.0f}"
            rows.append((label, f"{f['rows']:,}", f"{f['rows_per_s']:,}", rss))
    print(table(rows))
    ratios = {"vs_raw_copy": ours / figures["raw_copy"]["rows_per_s"]}
    if "dlt_fastest" in figures:
        ratios["vs_dlt_fastest"] = ours / figures["dlt_fastest"]["rows_per_s"]
        ratios["vs_dlt_default"] = ours / figures["dlt_default"]["rows_per_s"]
    figures["ratios"] = {k: round(v, 2) for k, v in ratios.items()}
    print("ratios (ours / peer):", figures["ratios"],
          "| targets: >= 2x dlt fastest, >= 10x dlt default, >= 0.33x raw COPY; RSS < 300 MB")
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        kind, src_url, dst_url, entity_name = sys.argv[2:6]
        fn = child_ours if kind == "ours" else child_raw_copy
        print(json.dumps(fn(src_url, dst_url, entity_name)))
    else:
        main(sys.argv[1:])
