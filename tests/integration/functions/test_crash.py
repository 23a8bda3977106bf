"""A `syncjobs serve` process killed with SIGKILL mid-sync: the run resumes, rows land once."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.support.processes import ServeProcess
from tests.support.rest_api import FakeApi, serve_api, users

pytestmark = pytest.mark.slow


def _wait(check, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)


def test_sigkill_mid_sync_resumes_and_each_row_lands_once(tmp_path: Path) -> None:
    env = {
        "SYNCJOBS_HOME": str(tmp_path / "home"),
        "SYNCJOBS_DATABASE_URL": f"sqlite:///{tmp_path / 'meta.db'}",
        "SYNCJOBS_SECRET_KEYS": Fernet.generate_key().decode(),
        "SYNCJOBS_ADMIN_TOKEN": "admin",
        "SYNCJOBS_ENGINE_BACKOFF_SCALE": "0.001",
        "SYNCJOBS_CHUNK_RECORDS": "50",
    }
    dest = tmp_path / "dest.db"
    with serve_api(FakeApi(records={"users": users(300)}, page_delay=0.05)) as api:
        server = ServeProcess(env, tmp_path / "serve.log")
        server.start()
        try:
            with server.client() as http:
                ws = http.post("/api/workspaces", json={"name": "crash"},
                               headers={"Authorization": "Bearer admin"}).json()
                headers = {"Authorization": f"Bearer {ws['api_key']}"}
                base = f"/api/workspaces/{ws['id']}"
                src = http.post(f"{base}/sources", headers=headers, json={
                    "name": "api", "type": "rest", "config": api.source_config()}).json()
                dst = http.post(f"{base}/destinations", headers=headers, json={
                    "name": "lake", "type": "sqlite", "config": {"path": str(dest)}}).json()
                job = http.post(f"{base}/sync-jobs", headers=headers, json={
                    "name": "j", "source_id": src["id"], "destination_id": dst["id"]}).json()
                run = http.post(f"{base}/sync-jobs/{job['id']}/run", headers=headers).json()
            _wait(lambda: len(api.requests) >= 14, 30, "sync did not get going")
            server.kill()
            fetched_before_kill = len(api.requests)
            assert fetched_before_kill < 30  # killed mid-sync

            server.start()
            url = f"{base}/sync-jobs/{job['id']}/executions/{run['execution_id']}"
            final: dict[str, object] = {}

            def ended() -> bool:
                final.update(httpx.get(server.base_url + url, headers=headers).json())
                return final["status"] not in ("queued", "running")

            _wait(ended, 60, "the execution never ended after the restart")
        finally:
            server.stop()
    assert final["status"] == "completed", final
    with sqlite3.connect(dest) as conn:
        count, distinct = conn.execute('SELECT count(*), count(DISTINCT id) FROM "api_users"'
                                       ).fetchone()
    assert count == distinct == 300
    offsets = [r["offset"] for r in api.requests]
    # Chunks completed before the kill were not fetched again.
    assert offsets.count(0) == 1, offsets
