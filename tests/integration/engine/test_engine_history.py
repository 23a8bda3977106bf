"""GET /api/engine/runs[/{run_id}]: the run history, behind the app's auth dependency."""

from __future__ import annotations

import httpx
import inngest
import pytest
from fastapi import FastAPI, Header, HTTPException

from syncjobs.engine import runs_router
from syncjobs.engine.testing import EngineHarness

pytestmark = pytest.mark.timeout(60)


def require_admin(authorization: str | None = Header(None)) -> None:
    if authorization != "Bearer admin-token":
        raise HTTPException(401, "admin token required")


async def test_run_history_lists_filters_and_details_runs(harness: EngineHarness) -> None:
    client = harness.client()

    @client.create_function(fn_id="ok", trigger=inngest.TriggerEvent(event="t/ok"))
    async def ok(ctx: inngest.Context) -> dict[str, int]:
        n = await ctx.step.run("count", lambda: 41)
        return {"n": n + 1}

    @client.create_function(fn_id="bad", retries=0, trigger=inngest.TriggerEvent(event="t/bad"))
    async def bad(ctx: inngest.Context) -> None:
        raise RuntimeError("nope")

    async with harness.serve(client, [ok, bad]):
        first = await harness.run_to_completion({"name": "t/ok", "data": {"i": 1}})
        failed = await harness.run_to_completion({"name": "t/bad", "data": {}})
        second = await harness.run_to_completion({"name": "t/ok", "data": {"i": 2}})

        api = FastAPI()
        api.include_router(runs_router(harness.engine, require_admin))
        auth = {"authorization": "Bearer admin-token"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api), base_url="http://x"
        ) as http:
            anonymous = await http.get("/api/engine/runs")
            everything = (await http.get("/api/engine/runs", headers=auth)).json()
            oks = (await http.get("/api/engine/runs?function_id=test-app-ok", headers=auth)).json()
            fails = (await http.get("/api/engine/runs?status=failed", headers=auth)).json()
            page = (await http.get("/api/engine/runs?limit=1&offset=1", headers=auth)).json()
            detail = (await http.get(f"/api/engine/runs/{first.id}", headers=auth)).json()
            missing = await http.get("/api/engine/runs/nope", headers=auth)
            # Past SQLite's 64-bit integers the query failed with a 500 (found by schemathesis).
            too_far = await http.get(f"/api/engine/runs?offset={2**63}", headers=auth)

    assert anonymous.status_code == 401
    assert too_far.status_code == 422 and "offset" in too_far.text
    # Newest first (ULIDs of runs created later sort later).
    assert [r["id"] for r in everything][:3] == [second.id, failed.id, first.id]
    assert [r["id"] for r in oks] == [second.id, first.id]
    assert [r["id"] for r in fails] == [failed.id]
    assert [r["id"] for r in page] == [failed.id]
    assert detail["event"]["data"] == {"i": 1}
    assert detail["output"] == {"n": 42}
    (step,) = detail["steps"]
    assert step["name"] == "count" and step["attempt"] == 0 and step["output_size"] == 2
    assert step["started_at"] <= step["ended_at"] and step["error"] is None
    assert missing.status_code == 404
