"""dlt peer: a paginated JSON API into DuckDB with dlt's rest_api (run with dlt's Python).

    rest_to_duckdb.py BASE_URL DUCKDB_FILE parquet|default
Prints one JSON line: rows, seconds, peak_rss_mb.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time

import dlt
from dlt.sources.rest_api import rest_api_source


def main() -> None:
    base, path, file_format = sys.argv[1:4]
    source = rest_api_source({
        "client": {
            "base_url": base,
            "paginator": {"type": "offset", "limit": 1000, "offset_param": "offset",
                          "limit_param": "limit", "total_path": "total"},
        },
        "resources": [{
            "name": "users", "primary_key": "id", "write_disposition": "replace",
            "endpoint": {"path": "users", "data_selector": "data"},
        }],
    })
    with tempfile.TemporaryDirectory() as tmp:
        pipeline = dlt.pipeline(
            pipeline_name=f"bench_rest_{file_format}", pipelines_dir=tmp,
            destination=dlt.destinations.duckdb(credentials=path), dataset_name="dlt_bench",
        )
        started = time.perf_counter()
        run_kw = {"loader_file_format": "parquet"} if file_format == "parquet" else {}
        pipeline.run(source, **run_kw)
        seconds = time.perf_counter() - started
        rows = pipeline.last_trace.last_normalize_info.row_counts.get("users", 0)
    peak = next(int(line.split()[1]) / 1024 for line in open("/proc/self/status")
                if line.startswith("VmHWM:"))  # ru_maxrss would include the parent's peak
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
