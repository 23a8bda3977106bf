"""The command line against a real `syncjobs serve`: the demo, jobs list/run/logs, --help."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from syncjobs.cli import app
from tests.support.processes import ServeProcess

pytestmark = pytest.mark.slow


def syncjobs(*args: str, env: dict[str, str],
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syncjobs", *args], env=env, text=True,
                          capture_output=True, timeout=timeout, check=False)


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        "SYNCJOBS_HOME": str(tmp_path / "home"),
        "SYNCJOBS_SECRET_KEYS": Fernet.generate_key().decode(),
        "SYNCJOBS_ENGINE_BACKOFF_SCALE": "0.001",
    }
    server = ServeProcess(env, tmp_path / "serve.log")
    server.start()
    yield server
    server.stop()


def test_first_run_demo_then_jobs_commands(served: ServeProcess) -> None:
    log = served.log_path.read_text()
    match = re.search(r"demo API key \(shown once\): (sjk_\S+)", log)
    assert match, log
    assert f"dashboard: {served.base_url}/" in log
    env = {**served.env, "SYNCJOBS_URL": served.base_url, "SYNCJOBS_API_KEY": match.group(1),
           "COLUMNS": "200"}

    listed = syncjobs("jobs", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "demo: api to duckdb" in listed.stdout and "Every minute" in listed.stdout

    ran = syncjobs("jobs", "run", "demo: api to duckdb", "--wait", env=env)
    assert ran.returncode == 0, ran.stderr + ran.stdout
    execution_id = re.search(r"execution (exe_\w+) queued", ran.stderr)
    assert execution_id, ran.stderr
    assert "records" in ran.stdout and "rec/s" in ran.stdout

    logs = syncjobs("jobs", "logs", execution_id.group(1), env=env)
    assert logs.returncode == 0 and "completed:" in logs.stdout, logs.stdout + logs.stderr

    warehouse = Path(env["SYNCJOBS_HOME"]) / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        customers = con.execute("SELECT count(*) FROM demo.demo_customers").fetchone()
        orders = con.execute("SELECT count(*) FROM demo.demo_orders").fetchone()
    assert customers and customers[0] >= 120 and orders and orders[0] >= 300

    # A second serve on the same (no longer empty) database creates no second demo.
    assert log.count("demo API key") == 1


def test_a_failing_run_exits_non_zero(served: ServeProcess, tmp_path: Path) -> None:
    env = {**served.env, "SYNCJOBS_URL": served.base_url}
    created = syncjobs("workspace", "create", "ops", env=env)
    key = re.search(r"API key \(shown once\): (\S+)", created.stdout)
    assert created.returncode == 0 and key, created.stdout + created.stderr
    env["SYNCJOBS_API_KEY"] = key.group(1)
    import httpx

    headers = {"Authorization": f"Bearer {key.group(1)}"}
    ws = httpx.get(f"{served.base_url}/api/workspaces/me", headers=headers).json()["id"]
    base = f"{served.base_url}/api/workspaces/{ws}"
    src = httpx.post(f"{base}/sources", headers=headers, json={
        "name": "gone", "type": "sql", "config": {"url": f"sqlite:///{tmp_path}/missing/x.db"}})
    dst = httpx.post(f"{base}/destinations", headers=headers, json={
        "name": "d", "type": "sqlite", "config": {"path": str(tmp_path / "d.db")}})
    assert src.status_code == 201 and dst.status_code == 201, src.text + dst.text
    job = httpx.post(f"{base}/sync-jobs", headers=headers, json={
        "name": "doomed", "source_id": src.json()["id"], "destination_id": dst.json()["id"]})
    assert job.status_code == 201, job.text
    started = time.monotonic()
    ran = syncjobs("jobs", "run", "doomed", "--wait", env=env)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "failed" in ran.stderr
    assert time.monotonic() - started < 60


def test_help_names_the_environment_variables() -> None:
    runner = CliRunner()
    for command, variables in {
        ("serve",): ["SYNCJOBS_HOME", "SYNCJOBS_DATABASE_URL", "SYNCJOBS_HOST", "SYNCJOBS_PORT",
                     "SYNCJOBS_ENGINE", "SYNCJOBS_DEMO"],
        ("migrate",): ["SYNCJOBS_HOME", "SYNCJOBS_DATABASE_URL"],
        ("demo",): ["SYNCJOBS_HOME"],
        ("workspace", "create"): ["SYNCJOBS_HOME", "SYNCJOBS_DATABASE_URL"],
        ("jobs", "list"): ["SYNCJOBS_URL", "SYNCJOBS_API_KEY"],
        ("jobs", "run"): ["SYNCJOBS_URL", "SYNCJOBS_API_KEY"],
        ("jobs", "logs"): ["SYNCJOBS_URL", "SYNCJOBS_API_KEY"],
    }.items():
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        for variable in variables:
            assert variable in result.output, (command, variable)


def test_rotate_keys_re_encrypts_under_the_new_key(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    env = {**os.environ, "SYNCJOBS_HOME": str(tmp_path), "SYNCJOBS_SECRET_KEYS": old}
    created = syncjobs("demo", env=env)
    assert created.returncode == 0, created.stderr
    rotated = syncjobs("rotate-keys", env={**env, "SYNCJOBS_SECRET_KEYS": f"{new},{old}"})
    assert rotated.returncode == 0 and "2 configs re-encrypted" in rotated.stdout, rotated.stderr
    # Only the new key is needed from now on.
    from syncjobs.context import AppContext
    from syncjobs.settings import Settings
    from syncjobs.store import connectors
    from syncjobs.store.models import Source

    ctx = AppContext.build(Settings(home=tmp_path, secret_keys=new))
    with ctx.db.session() as session:
        (source,) = connectors.list_all(session, Source)
        assert connectors.config_of(source, ctx.cipher)["base_url"].endswith("/demo-api/v1")
    ctx.db.dispose()
