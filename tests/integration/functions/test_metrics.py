"""GET /metrics after a run: counts, durations, records, active runs, engine queue."""

from __future__ import annotations

import re
from pathlib import Path

from syncjobs.testing import ClientWorkspace, Service
from tests.integration.functions.conftest import make_job, run
from tests.support.rest_api import FakeApi, users


def value(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.M)
    assert match, f"{name} not in metrics"
    return float(match.group(1))


async def test_metrics_after_a_run(svc: Service, ws: ClientWorkspace, api: FakeApi,
                                   dest_path: Path) -> None:
    api.records["users"] = users(42)
    job_id = await make_job(svc, ws, api.source_config(), dest_path)
    execution_id = await run(svc, ws, job_id)
    assert (await svc.wait_execution(ws, job_id, execution_id))["status"] == "completed"
    health = (await svc.http.get("/health")).json()["engine"]
    assert health["leader"] is True and health["synced"] is True and health["functions"] == 6
    answer = await svc.http.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    assert value(text, 'syncjobs_executions{status="completed"}') == 1
    assert value(text, 'syncjobs_executions_finished_total{status="completed"}') == 1
    assert value(text, "syncjobs_records_synced_total") == 42
    assert value(text, "syncjobs_execution_duration_seconds_count") == 1
    assert value(text, 'syncjobs_step_duration_seconds_count{step="chunk"}') >= 1
    assert value(text, "syncjobs_active_runs") == 0
    assert value(text, "syncjobs_engine_queue_depth") >= 0
    assert "syncjobs_scheduler_lag_seconds_bucket" in text
