"""Workspaces, API keys and the admin token."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from syncjobs.settings import Settings
from tests.integration.api.conftest import ADMIN, Workspace, make_workspace


def test_admin_token_creates_a_workspace_whose_key_works(client: TestClient) -> None:
    answer = client.post("/api/workspaces", json={"name": "acme"},
                         headers={"Authorization": f"Bearer {ADMIN}"})
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == {"id", "name", "api_key"} and body["name"] == "acme"
    listed = client.get(f"/api/workspaces/{body['id']}/sync-jobs",
                        headers={"Authorization": f"Bearer {body['api_key']}"})
    assert listed.status_code == 200 and listed.json() == []


def test_workspace_creation_needs_the_admin_token(client: TestClient) -> None:
    assert client.post("/api/workspaces", json={"name": "x"}).status_code == 401
    wrong = client.post("/api/workspaces", json={"name": "x"},
                        headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert "admin token" in wrong.json()["detail"]


def test_no_admin_token_configured_disables_admin_routes(settings: Settings) -> None:
    from syncjobs.app import create_app

    no_admin = settings.model_copy(update={"admin_token": None})
    with TestClient(create_app(no_admin, start_engine=False)) as client:
        answer = client.post("/api/workspaces", json={"name": "x"},
                             headers={"Authorization": "Bearer "})
        assert answer.status_code == 401
        assert "SYNCJOBS_ADMIN_TOKEN" in answer.json()["detail"]


def test_missing_or_wrong_key_is_401(ws: Workspace, client: TestClient) -> None:
    assert client.get(ws.url("/sources")).status_code == 401
    answer = client.get(ws.url("/sources"), headers={"Authorization": "Bearer sjk_wrong"})
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_keys_are_stored_hashed(ws: Workspace, settings: Settings) -> None:
    engine = sa.create_engine(settings.metadata_url)
    with engine.connect() as conn:
        stored = [row[0] for row in conn.execute(sa.text("SELECT key_hash FROM api_keys"))]
    engine.dispose()
    assert stored and ws.key not in stored
    assert all(len(h) == 64 for h in stored)


def test_a_key_sees_only_its_own_workspace(ws: Workspace, other: Workspace) -> None:
    foreign = Workspace(other.id, ws.key, ws.client)
    assert foreign.get("/sources").status_code == 404
    assert make_workspace(ws.client, "third").get("/sources").status_code == 200


def test_engine_run_history_answers_before_the_engine_starts(client: TestClient) -> None:
    answer = client.get("/api/engine/runs", headers={"Authorization": f"Bearer {ADMIN}"})
    assert answer.status_code == 200 and answer.json() == []
    assert client.get("/api/engine/runs").status_code == 401


def test_a_key_removed_from_the_database_stops_working_within_the_cache_ttl(
    client: TestClient, ws: Workspace
) -> None:
    """The key cache must not keep a busy key alive: each use must not extend its time."""
    import time

    from syncjobs.store.keycache import KeyCache

    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    ctx.keys = KeyCache(ttl=0.3)
    assert client.get(ws.url("/sync-jobs"), headers=ws.headers).status_code == 200
    with ctx.db.session() as session:
        session.execute(sa.text("DELETE FROM api_keys WHERE workspace_id = :ws"), {"ws": ws.id})
    removed = time.monotonic()
    codes = []
    while time.monotonic() - removed < 1.5:  # used all the time, five times the TTL
        codes.append(client.get(ws.url("/sync-jobs"), headers=ws.headers).status_code)
        if codes[-1] == 401:
            break
        time.sleep(0.02)
    assert codes[-1] == 401, f"still {codes[-1]} after {time.monotonic() - removed:.1f} s"
    assert time.monotonic() - removed < 1.0
