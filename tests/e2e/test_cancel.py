"""Cancel a long run from the dashboard; the cancel button shows only while it runs."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Page, expect

from syncjobs.testing import ClientWorkspace, Service
from tests.e2e.conftest import api_job, shot, sign_in
from tests.support.rest_api import FakeApi, users


async def test_cancel_a_running_execution(
    page: Page, svc: Service, ws: ClientWorkspace, api: FakeApi, tmp_path: Path,
) -> None:
    api.records["users"] = users(300)
    api.page_delay = 0.25  # 30 pages: about 8 s, far longer than the test needs
    await api_job(svc, ws, api, tmp_path / "lake.db")
    await sign_in(page, ws.key)

    row = page.locator("tr[data-job-id]")
    await expect(row.locator("button.danger")).to_have_count(0)  # nothing to cancel yet
    await row.locator("button.run").click()
    await page.wait_for_url(re.compile(r"/executions/exe_"))
    await expect(page.locator("#log li").first).to_be_visible()  # it is running
    await page.goto("/")
    await expect(row.locator("button", has_text="Cancel")).to_be_visible()
    await expect(row.locator("button.run")).to_be_disabled()
    await shot(page, "jobs-running")

    await row.locator(".last-run a").click()
    await page.click("#cancel")
    await expect(page.locator("p.notice")).to_have_text("Cancel requested.")
    await expect(page.locator("#exec-status")).to_contain_text("cancelled", timeout=20_000)
    await expect(page.locator("#log")).to_contain_text("cancelled")
    await expect(page.locator("#cancel")).to_have_count(0)
    await shot(page, "execution-cancelled")
    assert len(api.requests) < 30  # it stopped before the last page
