"""Start and stop the test app (tests/engine_apps/engine_proc_app.py) as real processes."""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import httpx
import sqlalchemy as sa

APPS = pathlib.Path(__file__).resolve().parents[2] / "engine_apps"
ROOT = APPS.parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppProcess:
    def __init__(self, db_url: str, port: int | None = None, **env: str) -> None:
        self.db_url = db_url
        self.port = port or free_port()
        self.env = {
            **os.environ,
            "ENGINE_TEST_DB": db_url,
            "ENGINE_TEST_PORT": str(self.port),
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppProcess:
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(APPS),
            "engine_proc_app:app",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited with {self.proc.returncode}")
            try:
                if httpx.get(f"{self.url}/ready", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError("app did not start")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def send(self, events: list[dict[str, object]]) -> list[str]:
        res = httpx.post(f"{self.url}/e/NO_EVENT_KEY_SET", json=events, timeout=30)
        res.raise_for_status()
        return list(res.json()["ids"])

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(check: object, within: float, message: str) -> None:
    deadline = time.monotonic() + within
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(message)
        time.sleep(0.1)


def scalar(db: sa.Engine, sql: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar() or 0)
