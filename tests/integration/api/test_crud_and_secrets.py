"""CRUD of sources, destinations and jobs; secrets masked, encrypted, rotatable."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from pydantic import SecretStr

from syncjobs.app import create_app
from syncjobs.settings import Settings
from tests.integration.api.conftest import Workspace, create_basics

TOKEN = "tok_live_9f8e7d6c5b4a"
PASSWORD = "pw-s3cret-42"


def _rest_source(ws: Workspace) -> dict[str, object]:
    answer = ws.post("/sources", {"name": "api", "type": "rest", "config": {
        "base_url": "http://127.0.0.1:9/api",
        "auth": {"type": "bearer", "token": TOKEN},
        "entities": [{"name": "users", "path": "/users"}],
    }})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _raw_dump(settings: Settings) -> str:
    engine = sa.create_engine(settings.metadata_url)
    parts = []
    with engine.connect() as conn:
        for table in ("sources", "destinations", "sync_jobs", "workspaces", "api_keys"):
            parts += [repr(tuple(row)) for row in conn.execute(sa.text(f"SELECT * FROM {table}"))]
    engine.dispose()
    return "\n".join(parts)


def test_source_crud_masks_secrets(ws: Workspace) -> None:
    created = _rest_source(ws)
    assert TOKEN not in str(created)
    assert created["config"]["auth"]["token"] == "********"  # type: ignore[index]
    sid = created["id"]
    for answer in (ws.get(f"/sources/{sid}"), ws.get("/sources")):
        assert answer.status_code == 200 and TOKEN not in answer.text
    # Sending the mask back keeps the stored secret; renaming works.
    patched = ws.patch(f"/sources/{sid}", {"name": "api2", "config": created["config"]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "api2" and TOKEN not in patched.text
    assert ws.delete(f"/sources/{sid}").status_code == 204
    assert ws.get(f"/sources/{sid}").status_code == 404


def test_url_passwords_are_masked(ws: Workspace, tmp_path: Path) -> None:
    url = f"postgresql://loader:{PASSWORD}@127.0.0.1:1/warehouse"
    answer = ws.post("/destinations", {"name": "pg", "type": "postgresql",
                                       "config": {"url": url, "schema": "public"}})
    assert answer.status_code == 201, answer.text
    assert PASSWORD not in answer.text
    assert "loader:********@127.0.0.1" in answer.json()["config"]["url"]


def test_no_credential_in_the_database_in_clear(ws: Workspace, settings: Settings) -> None:
    _rest_source(ws)
    ws.post("/destinations", {"name": "pg", "type": "postgresql", "config": {
        "url": f"postgresql://u:{PASSWORD}@127.0.0.1:1/db", "schema": "public"}})
    dump = _raw_dump(settings)
    assert "sources" and TOKEN not in dump and PASSWORD not in dump
    assert ws.key not in dump


def test_key_rotation_reads_old_data(ws: Workspace, settings: Settings) -> None:
    sid = _rest_source(ws)["id"]
    old = settings.secret_keys.get_secret_value()  # type: ignore[union-attr]
    keys = SecretStr(f"{Fernet.generate_key().decode()},{old}")
    rotated = settings.model_copy(update={"secret_keys": keys})
    with TestClient(create_app(rotated, start_engine=False)) as client:
        again = Workspace(ws.id, ws.key, client)
        answer = again.get(f"/sources/{sid}")
        assert answer.status_code == 200
        assert answer.json()["config"]["base_url"] == "http://127.0.0.1:9/api"
    # Without the old key the stored config cannot be read: a clear error, no crash.
    fresh = SecretStr(Fernet.generate_key().decode())
    only_new = settings.model_copy(update={"secret_keys": fresh})
    with TestClient(create_app(only_new, start_engine=False)) as client:
        answer = Workspace(ws.id, ws.key, client).get(f"/sources/{sid}")
        assert answer.status_code == 400
        assert "SYNCJOBS_SECRET_KEYS" in answer.json()["detail"]


def test_generated_key_file_is_private(tmp_path: Path, metadata_url: str) -> None:
    settings = Settings(home=tmp_path / "h", database_url=metadata_url, demo=False)
    with TestClient(create_app(settings, start_engine=False)):
        pass
    key_file = tmp_path / "h" / "secret.key"
    assert key_file.exists()
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_job_crud_toggle_and_schedule(ws: Workspace, source_db: str, tmp_path: Path) -> None:
    _src, _dst, job_id = create_basics(ws, source_db, tmp_path)
    job = ws.get(f"/sync-jobs/{job_id}").json()
    assert job["schedule"] == {"cron": "30 2 * * *", "timezone": "Europe/Berlin",
                               "description": job["schedule"]["description"]}
    assert job["enabled"] and job["next_run_at"] and job["run_count"] == 0
    assert job["missed_runs"] == "run_once" and job["sync_mode"] == "full"

    times = ws.get(f"/sync-jobs/{job_id}/schedule", params={"count": 3}).json()
    assert len(times["next"]) == 3
    for slot in times["next"]:
        local = datetime.fromisoformat(slot["local"])
        assert (local.hour, local.minute) == (2, 30) or (local.hour, local.minute) == (3, 0)
        assert datetime.fromisoformat(slot["utc"]) == local

    paused = ws.post(f"/sync-jobs/{job_id}/toggle").json()
    assert paused["enabled"] is False and paused["next_run_at"] is None
    resumed = ws.post(f"/sync-jobs/{job_id}/toggle").json()
    assert resumed["enabled"] is True and resumed["next_run_at"] == job["next_run_at"]

    patched = ws.patch(f"/sync-jobs/{job_id}", {"schedule": {"cron": "*/15 * * * *",
                                                            "timezone": "UTC"},
                                               "sync_mode": "incremental"}).json()
    assert patched["schedule"]["cron"] == "*/15 * * * *" and patched["sync_mode"] == "incremental"
    assert datetime.fromisoformat(patched["next_run_at"]).minute % 15 == 0
    assert ws.delete(f"/sync-jobs/{job_id}").status_code == 204
    assert ws.get(f"/sync-jobs/{job_id}").status_code == 404


def test_a_source_in_use_cannot_be_deleted(ws: Workspace, source_db: str, tmp_path: Path) -> None:
    src, _dst, _job = create_basics(ws, source_db, tmp_path)
    answer = ws.delete(f"/sources/{src}")
    assert answer.status_code == 409 and "nightly" in answer.json()["detail"]


def test_health(client: TestClient) -> None:
    answer = client.get("/health")
    assert answer.status_code == 200 and answer.json()["database"] == "ok"
    # This app's engine never started: not leading, its functions not synced.
    engine = answer.json()["engine"]
    assert engine["leader"] is False and engine["synced"] is False


def test_health_is_503_without_the_database(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url="postgresql://postgres@127.0.0.1:1/none",
                        demo=False)
    with TestClient(create_app(settings, migrate_on_start=False, start_engine=False)) as client:
        answer = client.get("/health")
    assert answer.status_code == 503 and answer.json()["database"].startswith("unreachable")
