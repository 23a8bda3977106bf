"""Incremental run with no changes over 10 entities: how long does "nothing to do" take?

Measured PG -> PG and SQLite -> DuckDB, through run_chunk from a fresh state, with the
cursors the previous run committed (the boundary row is re-read and upserted).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from bench import pg
from bench.dlt_peer.harness import table

ENTITIES = 10
ROWS = 10_000


def _run(
    source: Any, dest: Any, mode: str, cursors: dict[str, Any]
) -> tuple[float, dict[str, Any]]:
    from syncjobs.sync import SyncRequest, run_chunk

    req = SyncRequest(source=source, destination=dest, entities=[], mode=mode,  # type: ignore[arg-type]
                      table_prefix="inc_", execution_id=uuid.uuid4().hex, cursors=cursors)
    started = time.perf_counter()
    state, committed, chunks = None, dict(cursors), 0
    while True:
        result = run_chunk(req, state)
        state, chunks = result.state, chunks + 1
        committed.update(result.committed_cursors)
        if result.done:
            return time.perf_counter() - started, committed


def _pg_case() -> tuple[Any, Any, list[str]]:
    from syncjobs.sync import parse_destination_config, parse_source_config

    names = [f"sjbench_inc_{uuid.uuid4().hex[:6]}" for _ in range(2)]
    for name in names:
        pg.create(name)
    with psycopg.connect(pg.url_of(names[0]), autocommit=True) as con:
        for i in range(ENTITIES):
            con.execute(  # type: ignore[arg-type]
                f"CREATE TABLE t{i} AS SELECT g AS id, md5(g::text) AS name, "
                f"timestamptz '2024-01-01' + g * interval '1 minute' AS updated_at "
                f"FROM generate_series(1, {ROWS}) g"
            )
            con.execute(f"ALTER TABLE t{i} ADD PRIMARY KEY (id)")  # type: ignore[arg-type]
            con.execute(f"CREATE INDEX ON t{i} (updated_at, id)")  # type: ignore[arg-type]
    source = parse_source_config("sql", {
        "url": pg.url_of(names[0]),
        "entities": {f"t{i}": {"cursor_field": "updated_at"} for i in range(ENTITIES)},
    })
    dest = parse_destination_config("postgresql", {"url": pg.url_of(names[1])})
    return source, dest, names


def _sqlite_case(tmp: Path) -> tuple[Any, Any]:
    from syncjobs.sync import parse_destination_config, parse_source_config

    con = sqlite3.connect(tmp / "src.db")
    for i in range(ENTITIES):
        con.execute(f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, name TEXT, updated_at INTEGER)")
        con.execute(f"CREATE INDEX t{i}_cur ON t{i} (updated_at, id)")
        con.executemany(f"INSERT INTO t{i} VALUES (?, ?, ?)",
                        [(j, f"name {j}", 1_700_000_000 + j) for j in range(1, ROWS + 1)])
    con.commit()
    con.close()
    source = parse_source_config("sql", {
        "url": f"sqlite:///{tmp / 'src.db'}",
        "entities": {f"t{i}": {"cursor_field": "updated_at"} for i in range(ENTITIES)},
    })
    return source, parse_destination_config("duckdb", {"path": str(tmp / "w.duckdb")})


def main(argv: list[str]) -> dict[str, Any]:
    figures: dict[str, Any] = {"entities": ENTITIES, "rows_per_entity": ROWS}
    source, dest, names = _pg_case()
    try:
        _, cursors = _run(source, dest, "incremental", {})
        figures["pg_to_pg_no_change_s"] = round(_run(source, dest, "incremental", cursors)[0], 3)
    finally:
        for name in names:
            pg.drop(name)
    with tempfile.TemporaryDirectory() as tmp:
        source, dest = _sqlite_case(Path(tmp))
        _, cursors = _run(source, dest, "incremental", {})
        figures["sqlite_to_duckdb_no_change_s"] = round(
            _run(source, dest, "incremental", cursors)[0], 3)
    print(table([
        ("run", "entities", "seconds", "target"),
        ("PG -> PG, no changes", str(ENTITIES), f"{figures['pg_to_pg_no_change_s']:.3f}", "< 1 s"),
        ("SQLite -> DuckDB, no changes", str(ENTITIES),
         f"{figures['sqlite_to_duckdb_no_change_s']:.3f}", "< 1 s"),
    ]))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
