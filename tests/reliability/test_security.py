"""Security: hashed keys, admin token, credentials at rest and in answers, hostile names.

Beyond tests/integration/api/test_workspaces_and_auth.py and test_isolation.py
(foreign keys, every route) and tests/integration/functions/test_secrets_and_logs.py
(logs, events, step outputs): here the raw database is read, every source and
destination type with secrets is walked, and hostile names go through a real sync.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from syncjobs import sync
from syncjobs.app import create_app
from syncjobs.settings import Settings
from syncjobs.sync.destinations.naming import normalize_name, table_name
from tests.integration.api.conftest import ADMIN, Workspace
from tests.reliability.conftest import closed_port, make_settings
from tests.support.rest_api import FakeApi, serve_api

HOSTILE = 'x"; DROP TABLE y; --'


def _dump(settings: Settings) -> str:
    """Every row of every table of the metadata DB, as text."""
    path = sa.make_url(settings.metadata_url).database
    with sqlite3.connect(str(path)) as conn:
        return "\n".join(conn.iterdump())


# -- API keys and the admin token ---------------------------------------------------------

def test_api_keys_are_stored_as_sha256_digests_only(settings: Settings, ws: Workspace) -> None:
    dump = _dump(settings)
    assert ws.key not in dump and ws.key[10:] not in dump
    assert hashlib.sha256(ws.key.encode()).hexdigest() in dump


def test_near_miss_keys_are_refused(ws: Workspace, other: Workspace) -> None:
    key = ws.key
    flipped = key[:-1] + ("A" if key[-1] != "A" else "B")
    # (Whitespace around the key is HTTP's, not the key's: it is stripped, not refused.)
    for wrong in (flipped, key[:-1], key + "x", key.upper(), key[:10],
                  "sjk_" + "A" * (len(key) - 4), key.replace("sjk_", "sjk-"), key[1:] + key[0]):
        answer = ws.client.get(ws.url("/sync-jobs"), headers={"Authorization": f"Bearer {wrong}"})
        assert answer.status_code == 401, (wrong, answer.text)
        assert key not in answer.text
    # Another workspace's valid key sees nothing of this one.
    answer = ws.client.get(ws.url("/sync-jobs"), headers=other.headers)
    assert answer.status_code == 404


def test_there_is_no_default_admin_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNCJOBS_ADMIN_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().admin_token is None
    settings = make_settings(tmp_path).model_copy(update={"admin_token": None})
    with TestClient(create_app(settings, start_engine=False)) as client:
        for token in ("", "admin", "change-me", ADMIN, "null", "None"):
            answer = client.post("/api/workspaces", json={"name": "x"},
                                 headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401 and "disabled" in answer.json()["detail"], answer.text
        assert client.get("/api/engine/runs").status_code == 401


def test_admin_routes_need_the_admin_token(client: TestClient, ws: Workspace) -> None:
    for headers in ({}, {"Authorization": f"Bearer {ws.key}"},
                    {"Authorization": f"Bearer {ADMIN}x"},
                    {"Authorization": f"Bearer {ADMIN[:-1]}"},
                    {"Authorization": f"Basic {ADMIN}"}):
        assert client.post("/api/workspaces", json={"name": "x"}, headers=headers
                           ).status_code == 401, headers
        assert client.get("/api/engine/runs", headers=headers).status_code == 401, headers
    assert client.post("/api/workspaces", json={"name": "ok"},
                       headers={"Authorization": f"Bearer {ADMIN}"}).status_code == 201


# -- credentials: at rest, in answers, in errors -------------------------------------------

def _secret() -> str:
    return f"S3cr{uuid.uuid4().hex[:12]}Pw"


def _source_configs(secret: str) -> dict[str, dict[str, Any]]:
    """A valid config of every source type, each with `secret` in every secret field it has."""
    entity = {"name": "users", "path": "/users"}
    return {
        "sql": {"url": f"postgresql://bob:{secret}@127.0.0.1:1/shop"},
        "rest": {"base_url": "http://127.0.0.1:1/v1",
                 "entities": [{**entity, "method": "POST", "params": {"api_key": secret},
                               "json_body": {"client_secret": secret}}],
                 "headers": {"X-Api-Token": secret, "Accept": "application/json"},
                 "auth": {"type": "bearer", "token": secret}},
        "rest_api_key": {"base_url": "http://127.0.0.1:1/v1", "entities": [entity],
                         "auth": {"type": "api_key", "value": secret, "location": "query"}},
        "rest_basic": {"base_url": "http://127.0.0.1:1/v1", "entities": [entity],
                       "auth": {"type": "basic", "username": "bob", "password": secret}},
        "graphql": {"endpoint": "http://127.0.0.1:1/graphql",
                    "headers": {"Authorization": f"Bearer {secret}"},
                    "auth": {"type": "bearer", "token": secret},
                    "queries": [{"name": "users", "query": "{ users { id } }",
                                 "data_path": "data.users",
                                 "variables": {"token": secret}}]},
        "stripe": {"api_key": secret, "base_url": "http://127.0.0.1:1/v1"},
        "close": {"api_key": secret, "base_url": "http://127.0.0.1:1/api/v1"},
    }


def _destination_configs(secret: str, tmp: Path) -> dict[str, dict[str, Any]]:
    return {
        "postgresql": {"url": f"postgresql://bob:{secret}@127.0.0.1:1/lake"},
        "duckdb": {"path": str(tmp / "lake.duckdb")},
        "sqlite": {"path": str(tmp / "lake.db")},
    }


def test_every_type_is_covered() -> None:
    # A new source or destination type must be added to the walk below.
    assert {k.split("_")[0] for k in _source_configs("x")} == set(sync.SOURCE_TYPES)
    assert set(_destination_configs("x", Path())) == set(sync.DESTINATION_TYPES)


@pytest.mark.parametrize("kind", ["sources", "destinations"])
def test_credentials_are_encrypted_at_rest_and_masked_in_every_answer(
    settings: Settings, ws: Workspace, tmp_path: Path, kind: str
) -> None:
    secret = _secret()
    configs = (_source_configs(secret) if kind == "sources"
               else _destination_configs(secret, tmp_path))
    answers: list[str] = []
    for name, config in configs.items():
        created = ws.post(f"/{kind}", {"name": name, "type": name.split("_")[0],
                                       "config": config})
        assert created.status_code == 201, created.text
        item = created.json()["id"]
        answers += [created.text, ws.get(f"/{kind}/{item}").text]
        # PATCH sending the masked config back keeps the secret (write-only) ...
        patched = ws.patch(f"/{kind}/{item}", {"name": f"{name}-2",
                                                "config": created.json()["config"]})
        assert patched.status_code == 200, patched.text
        answers.append(patched.text)
        # ... and a new secret given by PATCH is stored encrypted too.
        new_secret = secret[::-1]
        changed = ws.patch(f"/{kind}/{item}", {"config": _reseed(config, secret, new_secret)})
        assert changed.status_code == 200, changed.text
        answers.append(changed.text)
    answers.append(ws.get(f"/{kind}").text)
    for text in answers:
        assert secret not in text and secret[::-1] not in text, text
    dump = _dump(settings)
    assert secret not in dump and secret[::-1] not in dump
    if kind == "sources":
        assert "********" in answers[0]


def _reseed(config: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return dict(json.loads(json.dumps(config).replace(old, new)))


def test_secrets_are_absent_from_check_and_entity_errors(ws: Workspace) -> None:
    secret = _secret()
    port = closed_port()
    cases = {
        "sources": [
            ("sql", {"url": f"postgresql://bob:{secret}@127.0.0.1:{port}/shop"}),
            ("rest", {"base_url": f"http://127.0.0.1:{port}/v1", "max_retries": 0,
                      "entities": [{"name": "users", "path": "/users"}],
                      "auth": {"type": "api_key", "value": secret, "location": "query"}}),
        ],
        "destinations": [
            ("postgresql", {"url": f"postgresql://bob:{secret}@127.0.0.1:{port}/lake"}),
        ],
    }
    for kind, configs in cases.items():
        for number, (type_, config) in enumerate(configs):
            created = ws.post(f"/{kind}", {"name": f"{type_}-{number}", "type": type_,
                                           "config": config})
            assert created.status_code == 201, created.text
            assert secret not in created.text
            item = created.json()["id"]
            check = ws.post(f"/{kind}/{item}/check")
            assert check.status_code == 200 and check.json()["ok"] is False, check.text
            assert secret not in check.text, check.text
            if kind == "sources":
                entities = ws.get(f"/{kind}/{item}/entities")
                assert entities.status_code == 424 or entities.status_code == 200, entities.text
                assert secret not in entities.text, entities.text


@pytest.mark.parametrize(("type_", "config"), [
    ("sql", {"url": "postgresql://bob@127.0.0.1:1/shop?password={secret}"}),
    ("rest", {"base_url": "http://bob:{secret}@127.0.0.1:1/v1",
              "entities": [{"name": "users", "path": "/users"}]}),
])
def test_a_password_elsewhere_in_a_url_is_masked(ws: Workspace, type_: str,
                                                 config: dict[str, Any]) -> None:
    secret = _secret()
    created = ws.post("/sources", {"name": "q", "type": type_,
                                   "config": _reseed(config, "{secret}", secret)})
    assert created.status_code == 201, created.text
    assert secret not in created.text
    # Sending the masked config back keeps the stored secret (write-only).
    source_id = created.json()["id"]
    patched = ws.patch(f"/sources/{source_id}", {"config": created.json()["config"]})
    assert patched.status_code == 200 and secret not in patched.text
    listed = ws.get("/sources")
    assert secret not in listed.text


# -- hostile names ---------------------------------------------------------------------------

def test_a_hostile_table_prefix_is_refused(ws: Workspace, ids: tuple[str, str, str]) -> None:
    for prefix in (HOSTILE, "a;b", "a b", "a\"b", "a'b", "a-b", "ü", "x" * 61):
        answer = ws.post("/sync-jobs", {"name": f"p-{uuid.uuid4().hex}", "source_id": ids[0],
                                        "destination_id": ids[1], "table_prefix": prefix})
        assert answer.status_code == 422 and "table_prefix" in answer.json()["message"], prefix
        answer = ws.patch(f"/sync-jobs/{ids[2]}", {"table_prefix": prefix})
        assert answer.status_code == 422, prefix


def test_hostile_names_are_data_not_sql(ws: Workspace, ids: tuple[str, str, str]) -> None:
    answer = ws.post("/sync-jobs", {"name": HOSTILE + "<script>alert(1)</script>",
                                    "source_id": ids[0], "destination_id": ids[1]})
    assert answer.status_code == 201, answer.text
    job = ws.get(f"/sync-jobs/{answer.json()['id']}").json()
    assert job["name"] == HOSTILE + "<script>alert(1)</script>"
    assert len(ws.get("/sync-jobs").json()) == 2  # the jobs table is intact


HOSTILE_ENTITIES = [HOSTILE, "users'); DELETE FROM y; --", "a]b`c", "Robert\"); DROP TABLE y;--"]
HOSTILE_FIELD = 'n"); DROP TABLE y; --'


def _records() -> list[dict[str, Any]]:
    return [{"id": i, "name": f"user {i}", HOSTILE_FIELD: f"v{i}'; DROP TABLE y; --"}
            for i in range(1, 6)]


def _sync_hostile(destination: sync.DestinationConfig, api: FakeApi, prefix: str) -> None:
    entities = [{"name": name, "path": "/users", "data_path": "data",
                 "pagination": {"type": "offset", "limit": 2, "has_more_path": "has_more"}}
                for name in HOSTILE_ENTITIES]
    source = sync.parse_source_config("rest", {"base_url": f"{api.base_url}/v1",
                                               "max_retries": 0, "entities": entities})
    request = sync.SyncRequest(source=source, destination=destination,
                               entities=list(HOSTILE_ENTITIES), mode="full",
                               table_prefix=prefix, execution_id="exe_hostile")
    state = None
    for _ in range(100):
        result = sync.run_chunk(request, state)
        state = result.state
        if result.done:
            return
    raise AssertionError("the sync never finished")


def _expected_tables(prefix: str) -> set[str]:
    return {table_name(prefix, name) for name in HOSTILE_ENTITIES}


@pytest.fixture
def api() -> Any:
    with serve_api(FakeApi(records={"users": _records()})) as running:
        yield running


def test_hostile_entity_and_field_names_into_sqlite(tmp_path: Path, api: FakeApi) -> None:
    path = tmp_path / "lake.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE y (sentinel INTEGER)")
        conn.execute("INSERT INTO y VALUES (42)")
    _sync_hostile(sync.parse_destination_config("sqlite", {"path": str(path)}), api, "shop_")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT sentinel FROM y").fetchall() == [(42,)]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in _expected_tables("shop_"):
            assert table in tables, (table, tables)
            assert table == normalize_name(table) and '"' not in table and ";" not in table
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            assert normalize_name(HOSTILE_FIELD) in columns, columns
            count = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            assert count == 5


def test_hostile_entity_and_field_names_into_postgresql(pg_url: str, api: FakeApi) -> None:
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("CREATE TABLE y (sentinel integer)")
        conn.execute("INSERT INTO y VALUES (42)")
    _sync_hostile(sync.parse_destination_config("postgresql", {"url": pg_url}), api, "shop_")
    with psycopg.connect(plain) as conn:
        assert conn.execute("SELECT sentinel FROM y").fetchall() == [(42,)]
        tables = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}
        for table in _expected_tables("shop_"):
            assert table in tables, (table, tables)
            count = conn.execute(f'SELECT count(*) FROM public."{table}"').fetchone()
            assert count is not None and count[0] == 5
            columns = {r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                (table,))}
            assert normalize_name(HOSTILE_FIELD) in columns, columns
