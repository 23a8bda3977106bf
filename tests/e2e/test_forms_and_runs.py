"""Sign in, create a source, a destination and a job through the forms, run it, watch its log."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.async_api import Page, expect

from syncjobs.testing import ClientWorkspace, Service
from tests.e2e.conftest import ZONE, shot, sign_in
from tests.support.rest_api import FakeApi


async def create_connectors(page: Page, api: FakeApi, dest: Path) -> None:
    await page.click("text=Sources & destinations")
    await shot(page, "connections-empty")
    await page.click("#new-sources")
    await page.select_option("#type", "rest")
    # A refused config comes back with the reason, its typed secret masked.
    await page.fill("#name", "users-api")
    await page.fill("#config", json.dumps({"auth": {"type": "bearer", "token": "typed-secret"}}))
    await page.click("#save")
    await expect(page.locator(".error-box")).to_contain_text("required")
    assert "typed-secret" not in await page.content()
    await page.fill("#name", "users-api")
    await page.fill("#config", json.dumps(api.source_config(), indent=2))
    # Simple fields have inputs bound to the JSON both ways; lists and objects stay in it.
    base_url = api.source_config()["base_url"]
    await expect(page.locator("#field-rest-base_url")).to_have_value(base_url)
    await page.fill("#field-rest-timeout", "7.5")
    await page.fill("#field-rest-max_retries", "4")
    typed = json.loads(await page.input_value("#config"))
    assert typed == {**api.source_config(), "timeout": 7.5, "max_retries": 4}
    assert await page.get_attribute("#field-stripe-api_key", "type") == "password"
    await page.fill("#config", "{not json")
    await expect(page.locator("#config-invalid")).to_be_visible()
    await expect(page.locator("#field-rest-timeout")).to_be_disabled()
    await page.fill("#config", json.dumps(typed, indent=2))
    await expect(page.locator("#field-rest-timeout")).to_be_enabled()
    await expect(page.locator("#field-rest-timeout")).to_have_value("7.5")
    await shot(page, "source-form")
    await page.click("#save")
    await expect(page.locator("p.notice")).to_have_text("Saved.")

    await page.click("#new-destinations")
    await page.select_option("#type", "sqlite")
    # The template of the chosen type replaced the untouched one.
    assert '"path"' in await page.input_value("#config")
    await page.fill("#name", "lake")
    await page.fill("#field-sqlite-path", str(dest))  # the field alone, no JSON typed
    assert json.loads(await page.input_value("#config")) == {"path": str(dest)}
    await shot(page, "destination-form")
    await page.click("#save")
    await expect(page.locator("table.connectors a", has_text="lake")).to_be_visible()

    source_row = page.locator("tr", has=page.locator("a", has_text="users-api"))
    await source_row.locator("button.check").click()
    await expect(source_row.locator("output")).to_contain_text("connected")
    await shot(page, "connections")


async def create_job(page: Page) -> None:
    await page.goto("/jobs/new")
    # The zone defaults to the browser's.
    await expect(page.locator("#timezone")).to_have_value(ZONE)
    await page.locator("#entity-list input[value='users']").check()
    await page.select_option("#preset", label="Hourly")
    await expect(page.locator("#preview li")).to_have_count(5)
    await expect(page.locator("#preview-description")).to_contain_text("Every hour")
    await page.select_option("#preset", "custom")
    await page.fill("#cron", "61 * * * *")
    await expect(page.locator("#preview-error")).not_to_be_empty()
    await page.fill("#cron", "*/10 * * * *")
    await expect(page.locator("#preview-description")).to_contain_text("Every 10 minutes")
    await expect(page.locator("#preview li")).to_have_count(5)
    await page.fill("#name", "users-sync")
    await shot(page, "job-form")
    await page.click("#save")
    await expect(page.locator("p.notice")).to_have_text("Saved.")
    await expect(page.locator("#fire-times li")).to_have_count(5)


async def test_forms_run_live_log_pause_engine_runs_sign_out(
    page: Page, svc: Service, ws: ClientWorkspace, api: FakeApi, tmp_path: Path,
) -> None:
    api.page_delay = 0.3
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/signin$"))
    await shot(page, "signin")
    await page.fill("#api_key", "sjk_not-a-key")
    await page.click("#signin")
    await expect(page.locator(".error-box")).to_contain_text("not valid")
    await sign_in(page, ws.key)

    await create_connectors(page, api, tmp_path / "lake.db")
    await create_job(page)
    job_url = page.url.split("?")[0]

    await page.goto(job_url + "/edit")
    await expect(page.locator("#preset")).to_have_value("custom")
    await expect(page.locator("#cron")).to_have_value("*/10 * * * *")
    await expect(page.locator("#entity-list input[value='users']")).to_be_checked()
    await page.select_option("#preset", label="Daily")
    await expect(page.locator("#preview-description")).to_contain_text("At 00:00")
    await page.click("#save")
    await expect(page.locator("dl.kv")).to_contain_text("0 0 * * *")
    await page.goto(job_url + "/edit")
    await page.select_option("#preset", "custom")
    await page.fill("#cron", "*/10 * * * *")
    await page.click("#save")

    await page.goto("/")
    row = page.locator("tr[data-job-id]")
    await expect(row).to_contain_text("users-api → lake")
    await expect(row).to_contain_text("Every 10 minutes")
    await expect(row).to_contain_text(ZONE)
    await expect(row).to_contain_text("UTC")
    await shot(page, "jobs")

    await row.locator("button.run").click()
    await page.wait_for_url(re.compile(r"/executions/exe_"))
    await page.evaluate("""() => {
        window.__samePage = true; window.__added = 0;
        new MutationObserver((m) => { window.__added += m.length; })
            .observe(document.getElementById('log'), {childList: true});
    }""")
    await expect(page.locator("#exec-status")).to_contain_text("completed", timeout=30_000)
    assert await page.evaluate("window.__samePage") is True  # no reload happened
    assert await page.evaluate("window.__added") > 0  # lines arrived through polling
    await expect(page.locator("#log li").first).to_be_visible()
    # The chunk, per-entity and summary sections follow too: no reload needed.
    await expect(page.locator("table.chunks tbody tr").nth(3)).to_be_visible()  # 10 users each
    await expect(page.locator("table.entities")).to_contain_text("40")
    await expect(page.locator("#exec-ended")).to_contain_text("UTC")
    await expect(page.locator("#log-state")).to_have_text("run ended")
    assert await page.evaluate("window.__samePage") is True
    await shot(page, "execution")

    await page.goto(job_url)
    await expect(page.locator("table.history")).to_contain_text("completed")
    await expect(page.locator("svg.chart rect.bar")).to_have_count(1)
    await shot(page, "job")
    await page.click("text=❚❚ Pause")
    await expect(page.locator("p.notice")).to_have_text("Schedule paused.")
    await expect(page.locator("p.flow .status")).to_contain_text("paused")
    await page.click("text=▶ Resume")
    await expect(page.locator("p.notice")).to_have_text("Schedule resumed.")

    await page.click("text=Engine runs")
    sync_runs = page.locator("section", has=page.locator("code", has_text=re.compile(
        r"^syncjobs-sync-job$"))).locator("a[href^='/engine/runs/']")
    await expect(sync_runs.first).to_be_visible()
    await shot(page, "engine-runs")
    await sync_runs.first.click()
    await expect(page.locator("table.steps tbody tr").nth(2)).to_be_visible()  # chunk steps
    await expect(page.locator("svg.timeline")).to_be_visible()
    await shot(page, "engine-run")

    # The stored token is write-only: the edit form shows the mask, never the value.
    await page.goto("/connections")
    await page.click("table.connectors a:text('users-api')")
    assert "s3cret-token" not in await page.content()
    assert "********" in await page.input_value("#config")
    await expect(page.locator("#field-rest-timeout")).to_have_value("7.5")  # stored as typed
    await shot(page, "source-edit")
    await page.click("#save")
    await expect(page.locator("p.notice")).to_have_text("Saved.")
    source_row = page.locator("tr", has=page.locator("a", has_text="users-api"))
    await source_row.locator("button.check").click()
    await expect(source_row.locator("output")).to_contain_text("connected")

    await page.click("#signout")
    await expect(page).to_have_url(re.compile(r"/signin$"))
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/signin$"))
