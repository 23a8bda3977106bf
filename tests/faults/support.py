"""Helpers of the fault tests: a workspace over HTTP, jobs, waiting for executions."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from tests.support.processes import ServeProcess

ACTIVE = ("queued", "running")
ADMIN = "admin"


def base_env(tmp_path: Path, **over: str) -> dict[str, str]:
    """Environment of a `syncjobs serve` for fault tests: fast retries, small chunks."""
    env = {
        "SYNCJOBS_HOME": str(tmp_path / "home"),
        "SYNCJOBS_DATABASE_URL": f"sqlite:///{tmp_path / 'meta.db'}",
        "SYNCJOBS_SECRET_KEYS": Fernet.generate_key().decode(),
        "SYNCJOBS_ADMIN_TOKEN": ADMIN,
        "SYNCJOBS_ENGINE_BACKOFF_SCALE": "0.001",
        "SYNCJOBS_CHUNK_RECORDS": "50",
        "SYNCJOBS_DEMO": "false",
        "SYNCJOBS_LOG_LEVEL": "INFO",
    }
    env.update(over)
    return env


def wait_for(check: Callable[[], Any], seconds: float, what: str | Callable[[], str],
             every: float = 0.1) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(what() if callable(what) else what)
        time.sleep(every)


@dataclass
class Api:
    """A workspace of a running `syncjobs serve`, driven over its HTTP API."""

    server: ServeProcess
    ws: str = ""
    key: str = ""

    @classmethod
    def create(cls, server: ServeProcess, name: str = "faults") -> Api:
        answer = httpx.post(f"{server.base_url}/api/workspaces", json={"name": name},
                            headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30)
        answer.raise_for_status()
        body = answer.json()
        return cls(server, body["id"], body["api_key"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, f"{self.server.base_url}/api/workspaces/{self.ws}{path}",
                             headers=self.headers, timeout=30, **kw)

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.call("POST", path, json=body)
        assert answer.status_code in (200, 201, 202), (path, answer.status_code, answer.text)
        result: dict[str, Any] = answer.json()
        return result

    def source(self, name: str, type_: str, config: dict[str, Any]) -> str:
        return str(self.post("/sources", {"name": name, "type": type_, "config": config})["id"])

    def destination(self, name: str, type_: str, config: dict[str, Any]) -> str:
        return str(self.post("/destinations", {"name": name, "type": type_,
                                               "config": config})["id"])

    def job(self, name: str, source_id: str, destination_id: str, **over: Any) -> str:
        body = {"name": name, "source_id": source_id, "destination_id": destination_id, **over}
        return str(self.post("/sync-jobs", body)["id"])

    def run(self, job_id: str) -> str:
        return str(self.post(f"/sync-jobs/{job_id}/run")["execution_id"])

    def execution(self, job_id: str, execution_id: str) -> dict[str, Any]:
        answer = self.call("GET", f"/sync-jobs/{job_id}/executions/{execution_id}")
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def logs(self, job_id: str, execution_id: str) -> list[dict[str, Any]]:
        answer = self.call("GET", f"/sync-jobs/{job_id}/executions/{execution_id}/logs")
        answer.raise_for_status()
        body = answer.json()
        rows: list[dict[str, Any]] = body["items"] if isinstance(body, dict) else body
        return rows

    def history(self, job_id: str) -> list[dict[str, Any]]:
        answer = self.call("GET", f"/sync-jobs/{job_id}/history", params={"limit": 100})
        answer.raise_for_status()
        body = answer.json()
        rows: list[dict[str, Any]] = body["items"] if isinstance(body, dict) else body
        return rows

    def wait_terminal(self, job_id: str, execution_id: str, seconds: float) -> dict[str, Any]:
        last: dict[str, Any] = {}

        def ended() -> bool:
            try:
                last.update(self.execution(job_id, execution_id))
            except httpx.HTTPError:
                return False
            return last.get("status") not in ACTIVE

        wait_for(ended, seconds, lambda: f"execution stayed {last.get('status')}: {last}")
        return last


def sqlite_rows(path: Path, table: str, columns: str = "id") -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY id'))
