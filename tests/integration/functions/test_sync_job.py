"""sync-job end to end on the embedded engine: runs, retries, terminal errors, logs, stats."""

from __future__ import annotations

import asyncio
from pathlib import Path

from syncjobs.testing import ClientWorkspace, Service
from tests.integration.functions.conftest import make_job, run, table_rows
from tests.support.rest_api import FakeApi, users


async def test_manual_run_copies_every_record(svc: Service, ws: ClientWorkspace, api: FakeApi,
                                              dest_path: Path) -> None:
    api.records["users"] = users(35)
    job_id = await make_job(svc, ws, api.source_config(), dest_path)
    execution_id = await run(svc, ws, job_id)
    done = await svc.wait_execution(ws, job_id, execution_id)
    assert done["status"] == "completed", done
    assert done["stats"]["records_processed"] == 35
    assert done["stats"]["entities"]["users"]["records_processed"] == 35
    assert done["started_at"] and done["completed_at"] and done["duration_ms"] is not None
    assert done["system"]["pid"] and done["system"]["hostname"] and done["system"]["version"]
    assert [r[0] for r in table_rows(dest_path, "api_users")] == list(range(1, 36))
    job = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}"), headers=ws.headers)).json()
    assert job["run_count"] == 1 and job["last_success_at"] and job["last_error"] is None
    assert job["last_run_at"]
    status = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}/status"),
                                 headers=ws.headers)).json()
    assert status["is_running"] is False and status["execution"]["id"] == execution_id
    logs = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}/executions/{execution_id}/logs"),
                               headers=ws.headers)).json()
    assert logs["items"] and [i["seq"] for i in logs["items"]] == sorted(
        i["seq"] for i in logs["items"])
    history = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}/history"),
                                  headers=ws.headers)).json()
    assert history["total"] == 1 and history["items"][0]["id"] == execution_id


async def test_fifty_concurrent_runs_start_exactly_one(svc: Service, ws: ClientWorkspace,
                                                       api: FakeApi, dest_path: Path) -> None:
    api.records["users"] = users(5)
    api.page_delay = 2.0  # the winner is still running when the last request arrives
    job_id = await make_job(svc, ws, api.source_config(), dest_path)
    answers = await asyncio.gather(*[
        svc.http.post(ws.url(f"/sync-jobs/{job_id}/run"), headers=ws.headers) for _ in range(50)
    ])
    codes = sorted(a.status_code for a in answers)
    assert codes.count(202) == 1 and codes.count(409) == 49, codes
    conflict = next(a for a in answers if a.status_code == 409).json()
    started = next(a for a in answers if a.status_code == 202).json()
    assert conflict["execution"]["id"] == started["execution_id"]
    await svc.wait_execution(ws, job_id, started["execution_id"])
    history = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}/history"),
                                  headers=ws.headers)).json()
    assert history["total"] == 1


async def test_transient_failures_retry_and_resume_at_the_failed_chunk(
    svc: Service, ws: ClientWorkspace, api: FakeApi, dest_path: Path
) -> None:
    # chunk_records=1000 with pages of 10: force several chunks with 1000-record pages
    api.records["users"] = users(2500)
    api.failures[2000] = [500, 500]  # the third chunk's first page fails twice
    job_id = await make_job(svc, ws, api.source_config(page_size=1000), dest_path)
    execution_id = await run(svc, ws, job_id)
    done = await svc.wait_execution(ws, job_id, execution_id, wait=60)
    assert done["status"] == "completed", done
    assert done["attempt"] == 2
    assert done["stats"]["records_processed"] == 2500
    offsets = [r["offset"] for r in api.requests]
    # Chunks 1 and 2 were fetched once; only the failed chunk was tried again.
    assert offsets.count(0) == 1 and offsets.count(1000) == 1 and offsets.count(2000) == 3
    assert len(table_rows(dest_path, "api_users")) == 2500


async def test_bad_credentials_fail_at_once(svc: Service, ws: ClientWorkspace, api: FakeApi,
                                            dest_path: Path) -> None:
    api.records["users"] = users(5)
    api.token = "right-token"
    config = api.source_config()
    config["auth"] = {"type": "bearer", "token": "wrong-token-123"}
    job_id = await make_job(svc, ws, config, dest_path)
    execution_id = await run(svc, ws, job_id)
    done = await svc.wait_execution(ws, job_id, execution_id)
    assert done["status"] == "failed"
    assert "401" in done["error"]["message"]
    assert len(api.requests) == 1  # no retry of a terminal error
    job = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}"), headers=ws.headers)).json()
    assert job["last_error"]["message"] == done["error"]["message"]


async def test_a_paused_job_still_runs_by_hand(svc: Service, ws: ClientWorkspace, api: FakeApi,
                                               dest_path: Path) -> None:
    api.records["users"] = users(3)
    job_id = await make_job(svc, ws, api.source_config(), dest_path, enabled=False,
                            schedule={"cron": "0 3 * * *", "timezone": "UTC"})
    answer = await svc.http.post(ws.url(f"/sync-jobs/{job_id}/run"), headers=ws.headers)
    assert answer.status_code == 202 and "paused" in answer.json()["message"]
    done = await svc.wait_execution(ws, job_id, answer.json()["execution_id"])
    assert done["status"] == "completed" and done["trigger"] == "manual"
