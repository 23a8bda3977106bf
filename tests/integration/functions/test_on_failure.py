"""A run that fails outside a chunk still ends its execution (on_failure), never `running`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syncjobs.functions import lifecycle
from syncjobs.testing import ClientWorkspace, Service
from tests.integration.functions.conftest import make_job, run
from tests.support.rest_api import FakeApi, users


async def test_a_step_failing_for_good_fails_the_execution(
    svc: Service, ws: ClientWorkspace, api: FakeApi, dest_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api.records["users"] = users(3)
    calls: list[str] = []

    def broken(*args: Any) -> dict[str, Any]:
        calls.append("start-job")
        raise RuntimeError("metadata update failed")

    monkeypatch.setattr(lifecycle, "mark_job_started", broken)
    job_id = await make_job(svc, ws, api.source_config(), dest_path)
    execution_id = await run(svc, ws, job_id)
    done = await svc.wait_execution(ws, job_id, execution_id, wait=30)
    assert done["status"] == "failed"
    assert done["error"]["code"] == "RUN_FAILED"
    assert "metadata update failed" in done["error"]["message"]
    assert len(calls) == 3  # the step's three attempts (retries 2)
    assert api.requests == []  # no chunk ran
