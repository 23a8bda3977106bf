"""Bad input gets a 4xx that names what is wrong, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.api.conftest import Workspace, create_basics


def _message(answer: object) -> str:
    body = answer.json()  # type: ignore[attr-defined]
    return str(body.get("message") or body.get("detail"))


@pytest.fixture
def ids(ws: Workspace, source_db: str, tmp_path: Path) -> tuple[str, str, str]:
    return create_basics(ws, source_db, tmp_path)


def _job(ids: tuple[str, str, str], **over: object) -> dict[str, object]:
    body: dict[str, object] = {"name": "j2", "source_id": ids[0], "destination_id": ids[1]}
    body.update(over)
    return body


def test_invalid_cron_names_the_field(ws: Workspace, ids: tuple[str, str, str]) -> None:
    answer = ws.post("/sync-jobs", _job(ids, schedule={"cron": "61 * * * *"}))
    assert answer.status_code == 422
    assert answer.json()["field"] == "schedule.cron"
    assert "cron" in _message(answer)


def test_cron_that_never_fires_is_refused(ws: Workspace, ids: tuple[str, str, str]) -> None:
    answer = ws.post("/sync-jobs", _job(ids, schedule={"cron": "0 0 30 2 *"}))
    assert answer.status_code == 422 and answer.json()["field"] == "schedule.cron"


def test_unknown_timezone(ws: Workspace, ids: tuple[str, str, str]) -> None:
    answer = ws.post("/sync-jobs", _job(ids, schedule={"cron": "0 * * * *",
                                                       "timezone": "Mars/Olympus"}))
    assert answer.status_code == 422
    assert answer.json()["field"] == "schedule.timezone"
    assert "Mars/Olympus" in _message(answer)


def test_unknown_source_type_lists_the_known_ones(ws: Workspace) -> None:
    answer = ws.post("/sources", {"name": "x", "type": "ftp", "config": {}})
    assert answer.status_code == 422
    text = _message(answer)
    assert "ftp" in text
    for known in ("rest", "sql", "graphql", "stripe", "close"):
        assert known in text
    answer = ws.post("/destinations", {"name": "x", "type": "oracle", "config": {}})
    assert answer.status_code == 422
    assert all(k in _message(answer) for k in ("postgresql", "duckdb", "sqlite"))


def test_a_missing_config_field_is_named(ws: Workspace) -> None:
    answer = ws.post("/sources", {"name": "x", "type": "sql", "config": {}})
    assert answer.status_code == 422
    assert "url" in _message(answer)


def test_foreign_source_id_is_refused(ws: Workspace, other: Workspace,
                                      ids: tuple[str, str, str], source_db: str) -> None:
    foreign = other.post("/sources", {"name": "theirs", "type": "sql",
                                      "config": {"url": source_db}}).json()["id"]
    answer = ws.post("/sync-jobs", _job(ids, source_id=foreign))
    assert answer.status_code == 422 and answer.json()["field"] == "source_id"


def test_entities_the_source_does_not_offer(ws: Workspace, ids: tuple[str, str, str]) -> None:
    answer = ws.post("/sync-jobs", _job(ids, entities=["customers", "invoices"]))
    assert answer.status_code == 422
    assert "invoices" in _message(answer) and "customers" not in _message(answer).split(":")[1]


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_empty_or_too_long_names(ws: Workspace, ids: tuple[str, str, str], name: str) -> None:
    answer = ws.post("/sync-jobs", _job(ids, name=name))
    assert answer.status_code == 422
    assert "name" in _message(answer)


def test_unknown_fields_and_wrong_types(ws: Workspace, ids: tuple[str, str, str]) -> None:
    answer = ws.post("/sync-jobs", _job(ids, colour="blue"))
    assert answer.status_code == 422 and "colour" in _message(answer)
    answer = ws.post("/sync-jobs", _job(ids, enabled="maybe"))
    assert answer.status_code == 422 and "enabled" in _message(answer)
    answer = ws.post("/sync-jobs", _job(ids, sync_mode="sideways"))
    assert answer.status_code == 422 and "sync_mode" in _message(answer)


def test_malformed_json(ws: Workspace) -> None:
    answer = ws.client.post(ws.url("/sources"), content=b'{"name": "x",',
                            headers={**ws.headers, "Content-Type": "application/json"})
    assert answer.status_code == 422
    assert "JSON" in _message(answer)


def test_huge_body_is_413(ws: Workspace) -> None:
    answer = ws.client.post(ws.url("/sources"), content=b'{"name": "' + b"x" * 2_000_000 + b'"}',
                            headers={**ws.headers, "Content-Type": "application/json"})
    assert answer.status_code == 413


def test_deeply_nested_json_is_400(ws: Workspace) -> None:
    body = b'{"name": "x", "type": "sql", "config": ' + b'{"a":' * 5000 + b"1" + b"}" * 5001
    answer = ws.client.post(ws.url("/sources"), content=body,
                            headers={**ws.headers, "Content-Type": "application/json"})
    assert answer.status_code == 400 and "nested" in _message(answer)


def test_wrong_content_type_is_415(ws: Workspace) -> None:
    answer = ws.client.post(ws.url("/sources"), content=b"name=x",
                            headers={**ws.headers, "Content-Type": "text/plain"})
    assert answer.status_code == 415 and "application/json" in _message(answer)


def test_duplicate_name_is_409(ws: Workspace, ids: tuple[str, str, str]) -> None:
    answer = ws.post("/sync-jobs", _job(ids, name="nightly"))
    assert answer.status_code == 409 and "nightly" in _message(answer)
