"""Routes that send events, when no engine takes them: a clean 4xx with a message, never a 500.

Run, cancel and delete each send an event. With the engine down, the run is
recorded as failed (EVENT_NOT_SENT) and answered 409; a cancel or a delete
still takes effect in the DB (the flag is what a running chunk obeys) and says
the engine was not told.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from syncjobs.store import executions, jobs
from tests.integration.api.conftest import Workspace


class DeadEngine:
    """An Inngest client whose every send fails fast, as an unreachable engine's would."""

    def __init__(self) -> None:
        self.tries = 0

    async def send(self, _batch: list[Any]) -> list[str]:
        self.tries += 1
        raise httpx.ConnectError("connection refused")


def _queue(client: TestClient, ws: Workspace, job_id: str) -> str:
    """An active (queued) execution, as if its event had been accepted."""
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.db.session() as session:
        return executions.create_queued(session, jobs.get(session, ws.id, job_id), "manual").id


def test_run_with_the_real_sdk_and_no_engine_is_409_and_recorded(
    ws: Workspace, ids: tuple[str, str, str]
) -> None:
    # The real client, aimed at a loopback port with no listener (see conftest).
    answer = ws.post(f"/sync-jobs/{ids[2]}/run")
    assert answer.status_code == 409, answer.text
    assert "engine" in answer.json()["detail"]
    status = ws.get(f"/sync-jobs/{ids[2]}/status").json()
    assert status["is_running"] is False
    assert status["execution"]["status"] == "failed"
    assert status["execution"]["error"]["code"] == "EVENT_NOT_SENT"
    # Not stuck: the next run is not refused as "already active".
    ws.client.app.state.ctx.inngest = DeadEngine()  # type: ignore[attr-defined]
    assert ws.post(f"/sync-jobs/{ids[2]}/run").status_code == 409
    assert ws.get(f"/sync-jobs/{ids[2]}/history").json()["total"] == 2


def test_cancel_with_no_engine_flags_the_execution_and_answers_cleanly(
    client: TestClient, ws: Workspace, ids: tuple[str, str, str]
) -> None:
    execution_id = _queue(client, ws, ids[2])
    client.app.state.ctx.inngest = DeadEngine()  # type: ignore[attr-defined]
    answer = ws.post(f"/sync-jobs/{ids[2]}/cancel")
    assert answer.status_code == 202, answer.text
    body = answer.json()
    # Never started, so it ends here instead of waiting for an engine that is not there.
    assert body["status"] == "cancelled" and "engine" in body["message"]
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.db.session() as session:
        row = executions.get(session, execution_id)
        assert row is not None and row.cancel_requested and row.status == "cancelled"
    assert ws.get(f"/sync-jobs/{ids[2]}/status").json()["is_running"] is False


def test_cancel_of_a_running_execution_with_no_engine_leaves_the_flag(
    client: TestClient, ws: Workspace, ids: tuple[str, str, str]
) -> None:
    execution_id = _queue(client, ws, ids[2])
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.db.session() as session:
        executions.transition(session, execution_id, ("queued",), status="running")
    ctx.inngest = DeadEngine()
    answer = ws.post(f"/sync-jobs/{ids[2]}/cancel", json={"execution_id": execution_id})
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "cancelling" and "next page" in answer.json()["message"]
    with ctx.db.session() as session:
        assert executions.cancel_requested(session, execution_id)


def test_delete_with_no_engine_deletes_the_job(
    client: TestClient, ws: Workspace, ids: tuple[str, str, str]
) -> None:
    _queue(client, ws, ids[2])
    client.app.state.ctx.inngest = DeadEngine()  # type: ignore[attr-defined]
    answer = ws.delete(f"/sync-jobs/{ids[2]}")
    assert answer.status_code == 204, answer.text
    assert ws.get(f"/sync-jobs/{ids[2]}").status_code == 404
