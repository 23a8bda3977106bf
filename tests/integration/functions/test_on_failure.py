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


async def test_a_claim_step_run_twice_by_the_same_run_still_syncs(
    svc: Service, ws: ClientWorkspace, api: FakeApi, dest_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Steps run at least once: a claim whose result was lost is redone by the same run.

    Its first try did claim the execution; the redo must carry on, not read its own
    claim as another run's and leave the execution `running` for good.
    """
    api.records["users"] = users(3)
    real_claim = lifecycle.claim
    tries: list[str] = []

    def claim_then_lose_the_result(*args: Any) -> dict[str, Any]:
        answer = real_claim(*args)
        tries.append(answer.get("stop") or answer["status"])
        if len(tries) == 1:
            raise ConnectionResetError("the answer never reached the engine")
        return answer

    monkeypatch.setattr(lifecycle, "claim", claim_then_lose_the_result)
    job_id = await make_job(svc, ws, api.source_config(), dest_path)
    execution_id = await run(svc, ws, job_id)
    done = await svc.wait_execution(ws, job_id, execution_id, wait=30)
    assert tries == ["running", "running"]
    assert done["status"] == "completed", done
    assert done["stats"]["records_processed"] == 3
