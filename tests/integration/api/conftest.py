"""An app on a fresh metadata DB (SQLite and PostgreSQL), and workspaces to call it with."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from syncjobs.app import create_app
from syncjobs.settings import Settings

ADMIN = "admin-token-for-tests"


@dataclass
class Workspace:
    id: str
    key: str
    client: TestClient

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def url(self, path: str = "") -> str:
        return f"/api/workspaces/{self.id}{path}"

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(self.url(path), headers=self.headers, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(self.url(path), json=json, headers=self.headers, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.patch(self.url(path), json=json, headers=self.headers, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.client.delete(self.url(path), headers=self.headers, **kw)


@pytest.fixture
def secret_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def settings(metadata_url: str, tmp_path: Path, secret_key: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=metadata_url, admin_token=ADMIN,
                    secret_keys=secret_key, demo=False)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # No engine: these tests exercise the API alone (tests/integration/functions
    # run the whole service).
    with TestClient(create_app(settings, start_engine=False)) as test_client:
        yield test_client


def make_workspace(client: TestClient, name: str = "acme") -> Workspace:
    answer = client.post("/api/workspaces", json={"name": name},
                         headers={"Authorization": f"Bearer {ADMIN}"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return Workspace(body["id"], body["api_key"], client)


@pytest.fixture
def ws(client: TestClient) -> Workspace:
    return make_workspace(client, "acme")


@pytest.fixture
def other(client: TestClient) -> Workspace:
    return make_workspace(client, "globex")


@pytest.fixture
def source_db(tmp_path: Path) -> str:
    """A small SQLite database to serve as a `sql` source."""
    import sqlite3

    path = tmp_path / "source.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, updated_at TEXT)")
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO customers VALUES (1, 'Ada', '2026-01-01T00:00:00Z')")
    return f"sqlite:///{path}"


def create_basics(ws: Workspace, source_db: str, tmp_path: Path) -> tuple[str, str, str]:
    """A source, a destination and a job; returns their ids."""
    src = ws.post("/sources", {"name": "shop", "type": "sql", "config": {"url": source_db}})
    assert src.status_code == 201, src.text
    dst = ws.post("/destinations", {"name": "lake", "type": "sqlite",
                                     "config": {"path": str(tmp_path / f"{ws.id}.db")}})
    assert dst.status_code == 201, dst.text
    job = ws.post("/sync-jobs", {
        "name": "nightly", "source_id": src.json()["id"], "destination_id": dst.json()["id"],
        "entities": ["customers"], "schedule": {"cron": "30 2 * * *", "timezone": "Europe/Berlin"},
    })
    assert job.status_code == 201, job.text
    return src.json()["id"], dst.json()["id"], job.json()["id"]
