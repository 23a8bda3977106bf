"""Stored text stays text, headers are strict, cross-site posts fail, workspaces stay apart."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import BrowserContext, Dialog, Page, expect

from syncjobs.store import executions, jobs, logs
from syncjobs.testing import ClientWorkspace, Service
from syncjobs.web.security import session_token
from tests.e2e.conftest import api_job, shot, sign_in
from tests.support.rest_api import FakeApi

EVIL = '<script>alert("name")</script><img src=x onerror="alert(1)">'


def _evil_log(svc: Service, ws_id: str, job_id: str) -> str:
    """An execution whose log and error quote markup, as a hostile source could make them."""
    with svc.ctx.db.session() as session:
        job = jobs.get(session, ws_id, job_id)
        execution = executions.create_queued(session, job, "manual")
        logs.append(session, execution.id, [("error", EVIL, None)], max_lines=100)
        executions.finish(session, execution, "failed", error={"code": "BOOM", "message": EVIL})
        return execution.id


async def test_stored_markup_is_text_and_headers_are_strict(
    page: Page, svc: Service, ws: ClientWorkspace, api: FakeApi, tmp_path: Path,
) -> None:
    job_id = await api_job(svc, ws, api, tmp_path / "lake.db", name=EVIL, source_name=EVIL)
    execution_id = await asyncio.to_thread(_evil_log, svc, ws.id, job_id)
    dialogs: list[str] = []

    async def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", record)
    await sign_in(page, ws.key)
    await expect(page.locator("a.job-name")).to_have_text(EVIL)
    await expect(page.locator(".flow").first).to_contain_text(EVIL)
    await shot(page, "jobs-escaped")
    await page.goto(f"/jobs/{job_id}/executions/{execution_id}")
    await expect(page.locator("#log .msg")).to_have_text(EVIL)
    await expect(page.locator("#exec-error")).to_contain_text(EVIL)
    await page.goto(f"/jobs/{job_id}")
    await expect(page.locator("h1")).to_have_text(EVIL)
    assert dialogs == []

    for path in ("/", "/signin", f"/jobs/{job_id}", "/static/style.css", "/ui/schedule/preview"):
        answer = await page.request.get(path, max_redirects=0)
        csp = answer.headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp
        assert answer.headers.get("x-content-type-options") == "nosniff", path
        assert answer.headers.get("referrer-policy"), path


async def test_cross_site_posts_are_refused(
    page: Page, context: BrowserContext, svc: Service, ws: ClientWorkspace, api: FakeApi,
    tmp_path: Path,
) -> None:
    job_id = await api_job(svc, ws, api, tmp_path / "lake.db")
    await sign_in(page, ws.key)
    token = session_token(ws.key)
    (cookie,) = [c for c in await context.cookies() if c["name"] == "sj_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    toggle = f"/jobs/{job_id}/toggle"

    missing = await page.request.post(toggle, form={"next": "/"}, max_redirects=0)
    assert missing.status == 403
    forged = await page.request.post(toggle, form={"csrf_token": "x" * 64}, max_redirects=0)
    assert forged.status == 403
    foreign = await page.request.post(toggle, form={"csrf_token": token}, max_redirects=0,
                                      headers={"Origin": "http://evil.example"})
    assert foreign.status == 403
    check = await page.request.post(f"/ui/sources/{job_id}/check", max_redirects=0)
    assert check.status == 403
    status = await svc.http.get(ws.url(f"/sync-jobs/{job_id}"), headers=ws.headers)
    assert status.json()["enabled"] is True  # nothing changed

    allowed = await page.request.post(toggle, form={"csrf_token": token}, max_redirects=0,
                                      headers={"Origin": svc.base_url})
    assert allowed.status == 303
    status = await svc.http.get(ws.url(f"/sync-jobs/{job_id}"), headers=ws.headers)
    assert status.json()["enabled"] is False

    # Sign-in itself needs its double-submitted token.
    signin = await page.request.post("/signin", form={"api_key": ws.key}, max_redirects=0)
    assert signin.status == 403

    # A session of workspace A neither sees nor runs B's jobs.
    other = await svc.workspace("other")
    theirs = await api_job(svc, other, api, tmp_path / "b.db")
    assert (await page.request.get(f"/jobs/{theirs}", max_redirects=0)).status == 404
    run = await page.request.post(f"/jobs/{theirs}/run", form={"csrf_token": token},
                                  max_redirects=0)
    assert run.status == 404
    history = await svc.http.get(other.url(f"/sync-jobs/{theirs}/history"), headers=other.headers)
    assert history.json()["total"] == 0
    logs_b = await page.request.get(f"/ui/jobs/{theirs}/executions/exe_x/logs")
    assert logs_b.status == 404

    # Signed out, the cookie is gone and pages send the browser to the sign-in form.
    await page.goto("/")
    await page.click("#signout")
    assert not [c for c in await context.cookies() if c["name"] == "sj_session"]
    answer = await page.request.get("/", max_redirects=0)
    assert answer.status == 303 and answer.headers["location"] == "/signin"
