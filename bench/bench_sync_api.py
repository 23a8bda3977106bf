"""Paginated JSON API -> DuckDB, 200k records of 15 fields, 1,000 per page: ours vs dlt.

Ours and dlt's fastest are each the best of two runs (the host is shared).
A local server hands out pre-encoded pages, so the figures measure the clients. dlt's
default configuration (~3k records/s, GBs of RSS) runs on a 20k slice.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.dlt_peer.harness import (
    best_of,
    dlt_python,
    peak_rss_mb,
    run_child,
    scale,
    serve_api,
    table,
)


def child_ours(base: str, path: str) -> dict[str, Any]:
    from syncjobs.sync import SyncRequest, parse_destination_config, parse_source_config, run_chunk

    source = parse_source_config("rest", {
        "base_url": base,
        "entities": [{"name": "users", "path": "/users", "data_path": "data",
                      "pagination": {"type": "offset", "limit": 1000, "total_path": "total"}}],
    })
    req = SyncRequest(source=source, destination=parse_destination_config("duckdb", {"path": path}),
                      entities=[], mode="full", table_prefix="api_", execution_id=uuid.uuid4().hex)
    started = time.perf_counter()
    state, rows = None, 0
    while True:
        result = run_chunk(req, state)
        state = result.state
        rows += result.stats["records_processed"]
        if result.done:
            break
    return {"rows": rows, "seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


def main(argv: list[str]) -> dict[str, Any]:
    n, small = scale(200_000), scale(20_000)
    figures: dict[str, Any] = {"records": n}
    with tempfile.TemporaryDirectory() as tmp:
        with serve_api(n) as base:
            figures["ours"] = best_of(2, lambda: run_child(
                [sys.executable, "-m", "bench.bench_sync_api", "--child", base,
                 str(Path(tmp) / f"ours_{uuid.uuid4().hex}.duckdb")]))
            python = dlt_python()
            if python is not None:
                figures["dlt_fastest"] = best_of(2, lambda: run_child(
                    [str(python), "bench/dlt_peer/rest_to_duckdb.py", base,
                     str(Path(tmp) / f"dlt_{uuid.uuid4().hex}.duckdb"), "parquet"]))
        if python is not None:
            with serve_api(small) as base:
                figures["dlt_default"] = run_child(
                    [str(python), "bench/dlt_peer/rest_to_duckdb.py", base,
                     str(Path(tmp) / "dlt_default.duckdb"), "default"])
    for f in figures.values():
        if isinstance(f, dict):
            f["rows_per_s"] = round(f["rows"] / f["seconds"])
    rows = [("run", "records", "records/s", "peak RSS MB")]
    labels = {"ours": "syncjobs (httpx+orjson+Arrow -> DuckDB)",
              "dlt_fastest": "dlt rest_api, parquet", "dlt_default": "dlt rest_api, defaults"}
    for key, label in labels.items():
        if key in figures:
            f = figures[key]
            rss = f"{f['peak_rss_mb']:.0f}"
            rows.append((label, f"{f['rows']:,}", f"{f['rows_per_s']:,}", rss))
    print(table(rows))
    if "dlt_fastest" in figures:
        figures["ratios"] = {
            "vs_dlt_fastest": round(figures["ours"]["rows_per_s"]
                                    / figures["dlt_fastest"]["rows_per_s"], 2),
            "vs_dlt_default": round(figures["ours"]["rows_per_s"]
                                    / figures["dlt_default"]["rows_per_s"], 2),
        }
        print("ratios (ours / peer):", figures["ratios"], "| target: >= 3x dlt fastest")
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child_ours(sys.argv[2], sys.argv[3])))
    else:
        main(sys.argv[1:])
