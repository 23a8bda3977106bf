"""Shared pieces of the sync benchmarks: dlt's own venv, child processes, a JSON API server."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

HERE = pathlib.Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
DLT_VENV = BENCH / ".dlt-venv"
DLT_VERSION = "1.31.0"


def scale(default: int) -> int:
    """Row counts shrink with SYNCJOBS_BENCH_SCALE (e.g. 0.1 for a quick run)."""
    return max(1000, int(default * float(os.environ.get("SYNCJOBS_BENCH_SCALE", "1"))))


def dlt_python() -> pathlib.Path | None:
    """dlt's interpreter, installing dlt into its own venv on first use (never ours)."""
    python = DLT_VENV / "bin" / "python"
    if os.environ.get("SYNCJOBS_BENCH_SKIP_DLT"):
        return None
    if not python.exists() or subprocess.run(
        [str(python), "-c", f"import dlt, sqlalchemy; assert dlt.__version__ == '{DLT_VERSION}'"],
        capture_output=True, check=False,
    ).returncode:
        print(f"installing dlt {DLT_VERSION} into {DLT_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DLT_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q",
             f"dlt[postgres,duckdb,parquet,sql_database]=={DLT_VERSION}",
             "adbc-driver-postgresql", "psutil", "sqlalchemy>=2"],
            check=True,
        )
    return python


def run_child(argv: list[str], timeout: float = 1800) -> dict[str, Any]:
    """Run a measurement in its own process (so its peak RSS is its own); its last stdout
    line is JSON."""
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          check=False)
    if proc.returncode:
        raise RuntimeError(f"{argv[:3]} failed: {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result.setdefault("wall_s", time.perf_counter() - started)
    return result


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from
    the parent through fork and exec, which would charge the runner's peak to the child."""
    return vm_hwm_mb()


def vm_hwm_mb() -> float:
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(runs: int, measure: Any) -> dict[str, Any]:
    """The fastest of a few runs: the machine is shared, noise only ever slows a run down."""
    results = [measure() for _ in range(runs)]
    return min(results, key=lambda r: float(r["seconds"]))


def table(rows: list[tuple[str, str, str, str]]) -> str:
    """A plain side-by-side table."""
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


# -- a paginated JSON API on loopback --------------------------------------------------------
def api_pages(records: int, page_size: int) -> list[bytes]:
    import orjson

    pages = []
    for start in range(0, records, page_size):
        data = [
            {
                "id": i, "name": f"user {i}", "email": f"user{i}@example.com", "age": 20 + i % 50,
                "score": i * 0.37, "active": i % 3 == 0, "country": ["fr", "de", "us"][i % 3],
                "city": f"city {i % 1000}", "zip": f"{10000 + i % 89999}",
                "created_at": f"2024-01-{1 + i % 28:02d}T10:00:00Z",
                "updated_at": f"2024-02-{1 + i % 28:02d}T10:00:00Z",
                "plan": ["free", "pro", "team"][i % 3], "visits": i % 1234,
                "balance": (i % 10000) / 100, "referrer": None if i % 5 else f"ref{i % 7}",
            }
            for i in range(start + 1, min(records, start + page_size) + 1)
        ]
        pages.append(orjson.dumps({"data": data, "total": records}))
    return pages


@contextmanager
def serve_api(records: int, page_size: int = 1000) -> Iterator[str]:
    """`GET /users?offset=&limit=` serving pre-encoded pages (the server is not the bottleneck)."""
    pages = api_pages(records, page_size)
    empty = b'{"data": [], "total": %d}' % records

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            q = parse_qs(urlsplit(self.path).query)
            offset = int(q.get("offset", ["0"])[0])
            body = pages[offset // page_size] if offset // page_size < len(pages) else empty
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
