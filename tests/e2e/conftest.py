"""Browser tests: the real service on a loopback port, driven by Debian's Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from syncjobs.settings import Settings
from syncjobs.testing import ClientWorkspace, Service, serve
from tests.support.rest_api import FakeApi, serve_api, users

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
ZONE = "Europe/Berlin"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # One chunk per page of the fake API, so the log grows while a run goes on.
    return Settings(
        home=tmp_path / "home", database_url=f"sqlite:///{tmp_path}/meta.db",
        secret_keys=Fernet.generate_key().decode(), admin_token="admin", demo=False,
        engine_backoff_scale=0.0005, cancel_grace_seconds=1.0, chunk_records=10,
    )


@pytest.fixture
async def svc(settings: Settings) -> AsyncIterator[Service]:
    async with serve(settings) as service:
        yield service


@pytest.fixture
async def ws(svc: Service) -> ClientWorkspace:
    return await svc.workspace("acme")


@pytest.fixture
def api() -> Iterator[FakeApi]:
    with serve_api(FakeApi(records={"users": users(40)}, token="s3cret-token")) as running:
        yield running


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    return str(CHROMIUM)


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def context(browser: Browser, svc: Service) -> AsyncIterator[BrowserContext]:
    made = await browser.new_context(base_url=svc.base_url, timezone_id=ZONE,
                                     viewport={"width": 1280, "height": 900})
    made.set_default_timeout(15_000)
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


async def sign_in(page: Page, key: str) -> None:
    await page.goto("/signin")
    await page.fill("#api_key", key)
    await page.click("#signin")
    await page.wait_for_url("**/")


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def api_job(svc: Service, ws: ClientWorkspace, api: FakeApi, dest: Path,
                  **job: Any) -> str:
    """A source, a destination and a job made through the JSON API (for tests not about forms)."""
    src = await svc.http.post(ws.url("/sources"), headers=ws.headers, json={
        "name": job.pop("source_name", "users-api"), "type": "rest",
        "config": api.source_config()})
    assert src.status_code == 201, src.text
    dst = await svc.http.post(ws.url("/destinations"), headers=ws.headers, json={
        "name": "lake", "type": "sqlite", "config": {"path": str(dest)}})
    assert dst.status_code == 201, dst.text
    created = await svc.http.post(ws.url("/sync-jobs"), headers=ws.headers, json={
        "name": "users-sync", "source_id": src.json()["id"], "destination_id": dst.json()["id"],
        **job})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])
