"""`syncjobs serve --workers 2`: two processes on one port, one engine executing, shared metrics."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.faults.support import Api, base_env
from tests.support.processes import ServeProcess

pytestmark = pytest.mark.slow


def _answers(server: ServeProcess, path: str, until: float) -> list[httpx.Response]:
    """GET `path` on new connections (the kernel hands them to either worker)."""
    seen = []
    while time.monotonic() < until:
        seen.append(httpx.get(server.base_url + path, timeout=10))
        if path == "/health" and len({r.json()["worker"] for r in seen}) == 2:
            break
    return seen


def test_two_workers_share_the_port_and_one_engine_runs_the_syncs(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    with sqlite3.connect(source) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO customers VALUES (?, ?)",
                         [(i, f"c{i}") for i in range(1, 301)])
    server = ServeProcess(base_env(tmp_path, SYNCJOBS_WORKERS="2"), tmp_path / "serve.log")
    server.start()
    try:
        health = _answers(server, "/health", time.monotonic() + 30)
        workers = {r.json()["worker"]: r.json()["engine"]["leader"] for r in health}
        assert len(workers) == 2, f"one process answered every time: {workers}"
        assert sorted(workers.values()) == [False, True]  # the lease: one executes

        api = Api.create(server)
        src = api.source("shop", "sql", {"url": f"sqlite:///{source}"})
        dst = api.destination("lake", "sqlite", {"path": str(tmp_path / "lake.db")})
        job = api.job("copy", src, dst, entities=["customers"])
        done = api.wait_terminal(job, api.run(job), seconds=60)
        assert done["status"] == "completed", done
        with sqlite3.connect(tmp_path / "lake.db") as conn:
            assert conn.execute("SELECT count(*) FROM shop_customers").fetchone()[0] == 300

        # Counters are kept across processes: every scrape, whoever answers, counts the run.
        scrapes = [r.text for r in _answers(server, "/metrics", time.monotonic() + 3)][:40]
        finished = [re.search(r'^syncjobs_executions_finished_total\{status="completed"\} (\S+)$',
                              text, re.M) for text in scrapes]
        assert all(m and float(m.group(1)) == 1.0 for m in finished), scrapes[0][:2000]
    finally:
        server.stop()
    log = (tmp_path / "serve.log").read_text()
    assert "workers: 2" in log and "Traceback" not in log, log[-3000:]
