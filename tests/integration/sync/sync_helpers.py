"""Helpers of the sync tests: run a sync to the end, read a destination table back."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any

import duckdb
import psycopg

from syncjobs.sync.configs import DestinationConfig
from syncjobs.sync.executor import run_chunk
from syncjobs.sync.request import ChunkResult, SyncRequest


def run_all(
    request: SyncRequest, state: dict[str, Any] | None = None, **kw: Any
) -> list[ChunkResult]:
    """Chunks until done, as a caller would (state handed from one to the next)."""
    results = []
    for _ in range(10_000):
        result = run_chunk(request, state, **kw)
        results.append(result)
        state = result.state
        if result.done:
            return results
    raise AssertionError("sync never finished")


def totals(results: list[ChunkResult]) -> dict[str, int]:
    keys = ("records_processed", "records_created", "records_updated", "records_deleted",
            "records_failed")
    return {k: sum(r.stats[k] for r in results) for k in keys}


def rows(config: DestinationConfig, table: str, order: str = "id") -> list[dict[str, Any]]:
    """Rows of a destination table without our own columns, ordered."""
    if config.type == "sqlite":
        con = sqlite3.connect(config.path)
        con.row_factory = sqlite3.Row
        try:
            found = [dict(r) for r in con.execute(f'SELECT * FROM "{table}" ORDER BY "{order}"')]
        except sqlite3.OperationalError:
            return []
        finally:
            con.close()
    elif config.type == "duckdb":
        con = duckdb.connect(config.path)
        try:
            cur = con.execute(f'SELECT * FROM "{config.schema_}"."{table}" ORDER BY "{order}"')
            names = [d[0] for d in cur.description]
            found = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        except duckdb.CatalogException:
            return []
        finally:
            con.close()
    else:
        with psycopg.connect(config.url.replace("+psycopg", "")) as con:
            try:
                cur = con.execute(
                    f'SELECT * FROM "{config.schema_}"."{table}" ORDER BY "{order}"'
                )
            except psycopg.errors.UndefinedTable:
                return []
            names = [d.name for d in cur.description or []]
            found = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in found]


def tables(config: DestinationConfig) -> list[str]:
    from syncjobs.sync.destinations import open_destination

    dest = open_destination(config)
    try:
        return sorted(dest.tables())
    finally:
        dest.close()


def as_utc(value: Any) -> Any:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return value


Cancel = Callable[[], bool]
