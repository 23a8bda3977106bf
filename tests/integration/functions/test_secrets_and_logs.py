"""No secret in executions, logs, events or step outputs; logs stay bounded."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from syncjobs.settings import Settings
from syncjobs.testing import ClientWorkspace, Service, serve
from tests.integration.functions.conftest import make_job, run
from tests.support.rest_api import FakeApi, users

TOKEN = "tok-SECRET-7f3a9c1e"


def dump_everything(url: str) -> str:
    """Every row of every table of the metadata DB (engine tables included), as text."""
    engine = sa.create_engine(url)
    parts: list[str] = []
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            parts += [repr(tuple(r)) for r in conn.execute(sa.text(f'SELECT * FROM "{table}"'))]
    engine.dispose()
    return "\n".join(parts)


async def test_the_token_appears_nowhere(svc: Service, ws: ClientWorkspace, api: FakeApi,
                                         dest_path: Path, settings: Settings) -> None:
    api.records["users"] = users(25)
    api.token = TOKEN
    # The key travels in the query string, where error messages would show it,
    # and in a sensitive header.
    config = api.source_config(headers={"X-Api-Token": TOKEN})
    config["auth"] = {"type": "api_key", "name": "api_key", "value": TOKEN, "location": "query"}
    job_id = await make_job(svc, ws, config, dest_path)
    ok = await run(svc, ws, job_id)
    assert (await svc.wait_execution(ws, job_id, ok))["status"] == "completed"
    api.failures[10] = [403]
    failed = await run(svc, ws, job_id)
    body = await svc.wait_execution(ws, job_id, failed)
    assert body["status"] == "failed" and "403" in body["error"]["message"]
    texts = [
        (await svc.http.get(ws.url(f"/sync-jobs/{job_id}/executions/{e}"), headers=ws.headers)
         ).text for e in (ok, failed)
    ] + [
        (await svc.http.get(ws.url(f"/sync-jobs/{job_id}/executions/{e}/logs"),
                            headers=ws.headers)).text for e in (ok, failed)
    ] + [
        (await svc.http.get(ws.url("/sources"), headers=ws.headers)).text,
        (await svc.http.get("/api/engine/runs?limit=500",
                            headers={"Authorization": "Bearer admin"})).text,
        dump_everything(settings.metadata_url),  # events, step outputs, logs, configs
    ]
    for text in texts:
        assert TOKEN not in text
    assert "Bearer" not in texts[3] or TOKEN not in texts[3]


async def test_logs_are_trimmed_with_a_marker(settings: Settings, api: FakeApi,
                                              dest_path: Path) -> None:
    api.records["users"] = users(300)
    async with serve(settings.model_copy(update={"max_log_lines": 10,
                                                 "chunk_records": 20})) as svc:
        ws = await svc.workspace()
        job_id = await make_job(svc, ws, api.source_config(), dest_path)
        execution_id = await run(svc, ws, job_id)
        assert (await svc.wait_execution(ws, job_id, execution_id))["status"] == "completed"
        page = (await svc.http.get(ws.url(f"/sync-jobs/{job_id}/executions/{execution_id}/logs"),
                                   headers=ws.headers)).json()
    items = page["items"]
    assert len(items) <= 10
    assert items[0]["level"] == "marker" and "dropped" in items[0]["message"]
    assert items[-1]["seq"] > 10  # the newest lines are the ones kept
