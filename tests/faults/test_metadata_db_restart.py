"""The metadata PostgreSQL restarts while syncs run: /health says 503, then runs resume.

A real `syncjobs serve` keeps its metadata (and the engine's state) on a private
PostgreSQL server; three jobs copy a slow REST source to SQLite files in chunks of
50 records. Mid-sync the server is stopped (`pg_ctl -m immediate`, a crash) for a
few seconds, then started again.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.faults.pgserver import PrivatePostgres
from tests.faults.support import Api, base_env, sqlite_rows, wait_for
from tests.support.processes import ServeProcess
from tests.support.rest_api import FakeApi, serve_api, users

pytestmark = pytest.mark.slow

ENTITIES = ("alpha", "beta", "gamma")
ROWS = 200
DOWN_SECONDS = 4.0


def test_metadata_db_restart_mid_sync(tmp_path: Path, private_pg: PrivatePostgres) -> None:
    env = base_env(tmp_path, SYNCJOBS_DATABASE_URL=private_pg.url())
    records = {name: users(ROWS) for name in ENTITIES}
    api = FakeApi(records=records, page_delay=0.03)
    with serve_api(api):
        server = ServeProcess(env, tmp_path / "serve.log")
        server.start()
        try:
            client = Api.create(server)
            config = api.source_config("alpha")
            config["entities"] = [{**config["entities"][0], "name": n, "path": f"/{n}"}
                                  for n in ENTITIES]
            src = client.source("api", "rest", config)
            runs = {}
            for name in ENTITIES:
                dst = client.destination(f"lake-{name}", "sqlite",
                                         {"path": str(tmp_path / f"{name}.db")})
                job = client.job(f"job-{name}", src, dst, entities=[name])
                runs[name] = (job, client.run(job))
            # Every job is past its first chunk, none is done.
            wait_for(lambda: len(api.requests) >= 12, 30, "the syncs did not get going")
            before = len(api.requests)
            assert before < 3 * ROWS // 10

            private_pg.stop("immediate")
            down_at = time.monotonic()
            statuses = []
            while time.monotonic() - down_at < DOWN_SECONDS:
                answer = httpx.get(f"{server.base_url}/health", timeout=10)
                statuses.append(answer.status_code)
                assert server.proc is not None and server.proc.poll() is None
                time.sleep(0.5)
            assert statuses and set(statuses) == {503}, statuses
            private_pg.start()
            up_at = time.monotonic()
            wait_for(lambda: httpx.get(f"{server.base_url}/health", timeout=10).status_code
                     == 200, 30, "/health did not come back")
            health_back = time.monotonic() - up_at

            finals = {name: client.wait_terminal(job, execution, 90)
                      for name, (job, execution) in runs.items()}
            recovered = time.monotonic() - up_at
            assert server.proc is not None and server.proc.poll() is None
        finally:
            server.stop()
    print(f"\nhealth back after {health_back:.2f}s; all runs ended {recovered:.1f}s after restart")
    for name, final in finals.items():
        assert final["status"] == "completed", (name, final)
        rows = sqlite_rows(tmp_path / f"{name}.db", f"api_{name}")
        assert [r[0] for r in rows] == list(range(1, ROWS + 1)), name
        # No chunk was counted twice.
        assert final["stats"]["records_processed"] == ROWS, (name, final["stats"])
