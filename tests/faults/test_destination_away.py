"""The destination PostgreSQL goes away mid-sync: retries, a clean failure, live table intact.

The destination is a database on a private PostgreSQL server (its URL carries a
password; trust auth accepts any). A first full refresh succeeds; during a
second, slower one the server is stopped (`-m immediate`). The execution must
end `failed` after the chunk retries, with the destination's error and without
the password; after a restart the live table still holds the first refresh's
rows, and a third run succeeds with the new rows.
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest

from tests.faults.pgserver import PrivatePostgres
from tests.faults.support import Api, base_env, wait_for
from tests.support.processes import ServeProcess
from tests.support.rest_api import FakeApi, serve_api, users

pytestmark = pytest.mark.slow

PASSWORD = "pw-Zq8xN3-never-shown"


def _live_ids(pg: PrivatePostgres) -> list[int]:
    with psycopg.connect(pg.url("dest"), connect_timeout=5) as conn:
        return [r[0] for r in conn.execute('SELECT id FROM public."api_users" ORDER BY id')]


def test_destination_goes_away_mid_full_refresh(tmp_path: Path,
                                                private_pg: PrivatePostgres) -> None:
    private_pg.execute("CREATE DATABASE dest")
    env = base_env(tmp_path, SYNCJOBS_SYNC_RETRIES="2")
    api = FakeApi(records={"users": users(300)})
    with serve_api(api):
        server = ServeProcess(env, tmp_path / "serve.log")
        server.start()
        try:
            client = Api.create(server)
            src = client.source("api", "rest", api.source_config())
            dst = client.destination("warehouse", "postgresql", {
                "url": private_pg.url("dest", password=PASSWORD), "schema": "public"})
            job = client.job("users", src, dst)

            first = client.wait_terminal(job, client.run(job), 60)
            assert first["status"] == "completed", first
            assert _live_ids(private_pg) == list(range(1, 301))

            # Second run: more rows, a slow source; the server dies after two chunks.
            api.records["users"] = users(360)
            api.page_delay = 0.15
            seen = len(api.requests)
            second_id = client.run(job)
            wait_for(lambda: len(api.requests) - seen >= 12, 30, "second run did not start")
            private_pg.stop("immediate")
            stopped_at = time.monotonic()
            second = client.wait_terminal(job, second_id, 90)
            failed_after = time.monotonic() - stopped_at
            logs = client.logs(job, second_id)

            private_pg.start()
            # Untouched: exactly the first refresh's rows (not 360, not a mix).
            assert _live_ids(private_pg) == list(range(1, 301))

            api.page_delay = 0.0
            third = client.wait_terminal(job, client.run(job), 60)
        finally:
            server.stop()
    print(f"\nsecond run failed {failed_after:.1f}s after the server stopped: "
          f"{second['error']}")
    assert second["status"] == "failed", second
    message = second["error"]["message"]
    assert "PostgreSQL" in message and "127.0.0.1" in message, message
    assert second["attempt"] >= 2, second  # the chunk step was retried before failing
    text = repr(second) + repr(logs) + (tmp_path / "serve.log").read_text()
    assert PASSWORD not in text
    assert third["status"] == "completed", third
    assert _live_ids(private_pg) == list(range(1, 361))
    tables = private_pg.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", "dest")
    print(f"destination tables after the third run: {[t[0] for t in tables]}")
