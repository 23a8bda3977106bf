"""dlt peer: copy one PostgreSQL table to another database (run with dlt's own Python).

    pg_to_pg.py SRC_URL DST_URL TABLE pyarrow|sqlalchemy parquet|default
Prints one JSON line: rows, seconds, peak_rss_mb.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time

import dlt
from dlt.sources.sql_database import sql_table


def main() -> None:
    src, dst, table_name, backend, file_format = sys.argv[1:6]
    with tempfile.TemporaryDirectory() as tmp:
        kwargs = {"chunk_size": 100_000} if backend == "pyarrow" else {}
        source = sql_table(credentials=src, table=table_name, backend=backend, **kwargs)
        pipeline = dlt.pipeline(
            pipeline_name=f"bench_{backend}_{file_format}", pipelines_dir=tmp,
            destination=dlt.destinations.postgres(credentials=dst), dataset_name="dlt_bench",
        )
        started = time.perf_counter()
        run_kw = {"loader_file_format": "parquet"} if file_format == "parquet" else {}
        pipeline.run(source, write_disposition="replace", **run_kw)
        seconds = time.perf_counter() - started
        rows = pipeline.last_trace.last_normalize_info.row_counts.get(table_name, 0)
    peak = next(int(line.split()[1]) / 1024 for line in open("/proc/self/status")
                if line.startswith("VmHWM:"))  # ru_maxrss would include the parent's peak
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
