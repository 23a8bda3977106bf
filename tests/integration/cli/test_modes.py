"""SYNCJOBS_ENGINE=inngest: no embedded engine; the SDK's own variables decide the rest."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.processes import free_port

pytestmark = pytest.mark.slow


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNGEST_")}
    env.update(SYNCJOBS_HOME=str(tmp_path), SYNCJOBS_ENGINE="inngest", **extra)
    return env


def test_production_mode_without_a_signing_key_refuses_to_start(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "syncjobs", "serve", "--port", "0"],
                          env=_env(tmp_path), capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 1
    assert "INNGEST_SIGNING_KEY" in done.stderr and "INNGEST_DEV" in done.stderr


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "syncjobs", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_health(port: int) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            return dict(httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json())
        except httpx.HTTPError:
            time.sleep(0.2)
    raise TimeoutError("serve did not answer /health")


def test_production_mode_refuses_unsigned_calls(tmp_path: Path) -> None:
    port = free_port()
    env = _env(tmp_path, INNGEST_SIGNING_KEY="signkey-prod-" + "ab" * 32,
               INNGEST_EVENT_KEY="evt", INNGEST_BASE_URL="http://127.0.0.1:9")
    proc = _serve(env, port)
    try:
        health = _wait_health(port)
        assert health["engine"] == {"mode": "inngest", "state": "driven by the Inngest server"}
        base = f"http://127.0.0.1:{port}/api/inngest"
        unsigned = httpx.post(f"{base}?fnId=syncjobs-sync-job&stepId=step", json={})
        assert unsigned.status_code == 401
        forged = httpx.post(f"{base}?fnId=syncjobs-sync-job&stepId=step", json={},
                            headers={"X-Inngest-Signature": "t=1&s=deadbeef"})
        assert forged.status_code == 401
        # No embedded engine: its event intake is not mounted.
        assert httpx.post(f"http://127.0.0.1:{port}/e/key", json=[]).status_code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_dev_mode_serves_the_functions_for_an_inngest_dev_server(tmp_path: Path) -> None:
    port = free_port()
    proc = _serve(_env(tmp_path, INNGEST_DEV="1"), port)
    try:
        _wait_health(port)
        info = httpx.get(f"http://127.0.0.1:{port}/api/inngest").json()
        assert info["function_count"] == 5
        assert info["mode"] == "dev"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
