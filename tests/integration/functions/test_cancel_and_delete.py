"""Cancel takes effect within one page; deleting a job ends its run first."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from syncjobs.sync.destinations.naming import STAGING_PREFIX
from syncjobs.testing import ClientWorkspace, Service, until
from tests.integration.functions.conftest import make_job, run, table_rows
from tests.support.rest_api import FakeApi, users


def _tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]


async def _pages_served(api: FakeApi, count: int) -> None:
    async def enough() -> bool:
        return len(api.requests) >= count

    await until(enough, 20, "the sync did not fetch enough pages")


async def test_cancel_a_full_refresh_within_one_page(
    svc: Service, ws: ClientWorkspace, api: FakeApi, dest_path: Path
) -> None:
    api.records["users"] = users(30)
    job_id = await make_job(svc, ws, api.source_config(), dest_path)
    first = await run(svc, ws, job_id)
    assert (await svc.wait_execution(ws, job_id, first))["status"] == "completed"
    assert len(table_rows(dest_path, "api_users")) == 30

    api.records["users"] = users(400)
    api.page_delay = 0.2
    api.requests.clear()
    second = await run(svc, ws, job_id)
    await _pages_served(api, 3)
    answer = await svc.http.post(ws.url(f"/sync-jobs/{job_id}/cancel"), headers=ws.headers)
    assert answer.status_code == 202 and answer.json()["execution_id"] == second
    served_at_cancel = len(api.requests)
    done = await svc.wait_execution(ws, job_id, second, wait=30)
    assert done["status"] == "cancelled", done
    # At most the page in flight and one more were fetched after the request.
    assert len(api.requests) <= served_at_cancel + 2, (len(api.requests), served_at_cancel)
    assert len(api.requests) < 40
    # The live table is the previous full refresh, untouched; no staging is left.
    assert len(table_rows(dest_path, "api_users")) == 30
    assert not [t for t in _tables(dest_path) if t.startswith(STAGING_PREFIX)]


async def test_cancel_without_an_active_execution_is_404(
    svc: Service, ws: ClientWorkspace, api: FakeApi, dest_path: Path
) -> None:
    job_id = await make_job(svc, ws, api.source_config(), dest_path)
    answer = await svc.http.post(ws.url(f"/sync-jobs/{job_id}/cancel"), headers=ws.headers)
    assert answer.status_code == 404


async def test_deleting_a_job_cancels_its_run_then_deletes_it(
    svc: Service, ws: ClientWorkspace, api: FakeApi, dest_path: Path
) -> None:
    api.records["users"] = users(400)
    api.page_delay = 0.2
    job_id = await make_job(svc, ws, api.source_config(), dest_path)
    execution_id = await run(svc, ws, job_id)
    await _pages_served(api, 2)
    answer = await svc.http.delete(ws.url(f"/sync-jobs/{job_id}"), headers=ws.headers)
    assert answer.status_code == 204
    served = len(api.requests)
    await asyncio.sleep(1.0)
    # The run stopped: no more than one more page after the delete.
    assert len(api.requests) <= served + 1
    assert (await svc.http.get(ws.url(f"/sync-jobs/{job_id}"),
                               headers=ws.headers)).status_code == 404
    with svc.ctx.db.session() as session:
        from syncjobs.store import executions

        assert executions.get(session, execution_id) is None
