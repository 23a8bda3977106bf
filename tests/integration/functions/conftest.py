"""The whole service (API, functions, embedded engine) on a loopback port, per test."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from syncjobs.settings import Settings
from syncjobs.testing import ClientWorkspace, Service, serve
from tests.support.rest_api import FakeApi, serve_api


@pytest.fixture
def settings(metadata_url: str, tmp_path: Path) -> Settings:
    return Settings(
        home=tmp_path / "home", database_url=metadata_url, secret_keys=Fernet.generate_key(
        ).decode(), admin_token="admin", demo=False, engine_backoff_scale=0.0005,
        cancel_grace_seconds=1.0, chunk_records=1000,
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
    with serve_api(FakeApi()) as running:
        yield running


@pytest.fixture
def dest_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.db"


def table_rows(path: Path, table: str, columns: str = "id") -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY 1').fetchall()


async def make_job(svc: Service, ws: ClientWorkspace, source: dict[str, Any], dest_path: Path,
                   **job: Any) -> str:
    """A rest source, a sqlite destination and a job over them; returns the job id."""
    suffix = f"-{job['name']}" if "name" in job else ""
    src = await svc.http.post(ws.url("/sources"), headers=ws.headers,
                              json={"name": f"api{suffix}", "type": "rest", "config": source})
    assert src.status_code == 201, src.text
    dst = await svc.http.post(ws.url("/destinations"), headers=ws.headers, json={
        "name": f"lake{suffix}", "type": "sqlite", "config": {"path": str(dest_path)}})
    assert dst.status_code == 201, dst.text
    body = {"name": "users-sync", "source_id": src.json()["id"],
            "destination_id": dst.json()["id"], **job}
    created = await svc.http.post(ws.url("/sync-jobs"), headers=ws.headers, json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def run(svc: Service, ws: ClientWorkspace, job_id: str) -> str:
    answer = await svc.http.post(ws.url(f"/sync-jobs/{job_id}/run"), headers=ws.headers)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["status"] == "queued" and body["event_id"]
    return str(body["execution_id"])
