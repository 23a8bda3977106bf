"""A sync with more chunks than one run may hold goes on in follow-up runs, state carried."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncjobs.functions import sync_job
from syncjobs.testing import ClientWorkspace, Service
from tests.integration.functions.conftest import make_job, run, table_rows
from tests.support.rest_api import FakeApi, users


async def test_long_syncs_continue_in_follow_up_runs(
    svc: Service, ws: ClientWorkspace, api: FakeApi, dest_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sync_job, "MAX_CHUNKS_PER_RUN", 3)
    svc.ctx.settings.chunk_records = 10
    api.records["users"] = users(95)
    job_id = await make_job(svc, ws, api.source_config(page_size=10), dest_path)
    execution_id = await run(svc, ws, job_id)
    done = await svc.wait_execution(ws, job_id, execution_id, wait=60)
    assert done["status"] == "completed", done
    assert done["stats"]["records_processed"] == 95
    assert len(done["context"]["run_ids"]) >= 4  # 10 chunks, 3 per run
    assert [r[0] for r in table_rows(dest_path, "api_users")] == list(range(1, 96))
    offsets = [r["offset"] for r in api.requests]
    assert len(offsets) == len(set(offsets))  # no page fetched twice across runs
