"""Hostile requests get a 4xx with a message, never a 500.

Beyond tests/integration/api/test_validation.py.

That file covers one oversized body, one nested object, text/plain, truncated
JSON and unknown top-level fields; here: streamed oversized bodies, nested
arrays, unknown nested fields, more content types and JSON shapes, huge and
malformed query parameters, bytes that are not UTF-8, very long path segments,
NUL characters (which PostgreSQL text cannot hold), absurd numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from syncjobs.api.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH
from syncjobs.app import create_app
from tests.integration.api.conftest import Workspace, create_basics, make_workspace
from tests.reliability.conftest import make_settings, make_source_db

JSON = {"Content-Type": "application/json"}


def _refused(answer: Any, *statuses: int) -> dict[str, Any]:
    """A 4xx (one of `statuses` when given) whose JSON body carries a message."""
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:500])
    if statuses:
        assert answer.status_code in statuses, (answer.status_code, answer.text[:500])
    body = answer.json()
    assert body.get("detail") or body.get("message"), body
    return dict(body)


def _text(body: dict[str, Any]) -> str:
    return str(body.get("message") or body.get("detail"))


def test_oversized_body_streamed_without_a_length_is_413(ws: Workspace) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    answer = ws.client.post(ws.url("/sources"), content=chunks(), headers={**ws.headers, **JSON})
    assert "over" in _text(_refused(answer, 413))


def test_a_body_just_under_the_limit_is_parsed(ws: Workspace) -> None:
    filler = "x" * (MAX_BODY_BYTES - 100)
    answer = ws.client.post(ws.url("/sources"), content=b'{"name": "' + filler.encode() + b'"}',
                            headers={**ws.headers, **JSON})
    _refused(answer, 422)  # reached validation: a name that long is refused by its own rule


@pytest.mark.parametrize("route", ["/sources", "/destinations", "/sync-jobs"])
def test_deeply_nested_arrays_are_400(ws: Workspace, route: str) -> None:
    body = b'{"name": "x", "entities": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert "nested" in _text(_refused(ws.client.post(ws.url(route), content=body,
                                                     headers={**ws.headers, **JSON}), 400))


def test_nesting_at_the_limit_is_allowed_and_brackets_in_strings_do_not_count(
    ws: Workspace,
) -> None:
    inner = "[" * (MAX_JSON_DEPTH - 2) + "]" * (MAX_JSON_DEPTH - 2)
    answer = ws.client.post(ws.url("/sources"), headers={**ws.headers, **JSON},
                            content=f'{{"name": "x", "type": "sql", "config": {{"a": {inner}}}}}')
    _refused(answer, 422)  # not 400: the config's unknown field is what is wrong
    brackets = "[" * 1000
    answer = ws.post("/sources", {"name": brackets[:200], "type": "sql",
                                  "config": {"url": "sqlite:///" + brackets}})
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(("route", "body", "field"), [
    ("/sources", {"name": "s", "type": "sql", "config": {"url": "sqlite://", "pasword": "x"}},
     "pasword"),
    ("/destinations", {"name": "d", "type": "sqlite", "config": {"path": "/x", "colour": 1}},
     "colour"),
    ("/sources", {"name": "r", "type": "rest", "config": {
        "base_url": "http://127.0.0.1:9",
        "entities": [{"name": "u", "path": "/u", "pagenation": {}}]}}, "pagenation"),
    ("/sync-jobs", {"name": "j", "source_id": "s", "destination_id": "d",
                    "schedule": {"cron": "* * * * *", "tz": "UTC"}}, "tz"),
])
def test_unknown_nested_fields_are_422_naming_the_field(
    ws: Workspace, route: str, body: dict[str, Any], field: str
) -> None:
    assert field in _text(_refused(ws.post(route, body), 422))


def test_unknown_fields_in_patch_and_cancel_bodies(ws: Workspace,
                                                   ids: tuple[str, str, str]) -> None:
    assert "colour" in _text(_refused(ws.patch(f"/sync-jobs/{ids[2]}", {"colour": "red"}), 422))
    assert "colour" in _text(_refused(ws.patch(f"/sources/{ids[0]}", {"colour": "red"}), 422))
    assert "reason" in _text(_refused(ws.post(f"/sync-jobs/{ids[2]}/cancel",
                                              {"reason": "x"}), 422))


@pytest.mark.parametrize("ctype", [
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json",
    "application/xml", "application/json-patch+json", "",
])
def test_wrong_content_types_are_415(ws: Workspace, ctype: str) -> None:
    headers = {**ws.headers, "Content-Type": ctype} if ctype else dict(ws.headers)
    answer = ws.client.post(ws.url("/sources"), content=b'{"name": "x"}', headers=headers)
    if not ctype:  # httpx sends none: the guard sees no content type
        assert "Content-Type" not in answer.request.headers
    assert "application/json" in _text(_refused(answer, 415))


def test_json_with_a_charset_parameter_is_accepted(ws: Workspace, source_db: str) -> None:
    answer = ws.client.post(
        ws.url("/sources"),
        headers={**ws.headers, "Content-Type": "Application/JSON; charset=utf-8"},
        content=b'{"name": "s", "type": "sql", "config": {"url": "%s"}}' % source_db.encode())
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("body", [
    b"", b"   ", b"null", b"[]", b'"a string"', b"42", b'{"name": "x",}', b"{'name': 'x'}",
    b'{"name": NaN}', b'{"name": "x"} {"name": "y"}', b"\xef\xbb\xbf{}",
    b'{"name": "x", "type": "sql", "config": {"batch_rows": 1e400}}',
    b'{"name": "x", "type": "sql", "config": {"url": "sqlite://", "batch_rows": '
    + b"9" * 5000 + b"}}",
])
def test_malformed_or_misshapen_json_is_4xx(ws: Workspace, body: bytes) -> None:
    answer = ws.client.post(ws.url("/sources"), content=body, headers={**ws.headers, **JSON})
    _refused(answer, 400, 422)  # 400 from FastAPI when its JSON decoder itself fails


def test_a_lone_surrogate_escape_is_400(ws: Workspace) -> None:
    answer = ws.client.post(ws.url("/sources"), content=b'{"name": "\\ud800"}',
                            headers={**ws.headers, **JSON})
    _refused(answer, 400, 422)


@pytest.mark.parametrize("body", [b'{"name": "caf\xe9"}', b'{"name": "\xff\xfe\x00"}',
                                  b'\x80\x81{"name"}'])
def test_bytes_that_are_not_utf8_are_4xx(ws: Workspace, body: bytes) -> None:
    _refused(ws.client.post(ws.url("/sources"), content=body, headers={**ws.headers, **JSON}))


@pytest.mark.parametrize("query", [
    {"limit": "9" * 400}, {"offset": "-" + "9" * 400}, {"limit": "1e3"}, {"limit": "NaN"},
    {"limit": "0x10"}, {"offset": "9" * 20}, {"limit": "x" * 60_000},
])
def test_huge_or_malformed_query_parameters_are_422(ws: Workspace, ids: tuple[str, str, str],
                                                     query: dict[str, str]) -> None:
    _refused(ws.get(f"/sync-jobs/{ids[2]}/history", params=query), 422)


@pytest.mark.parametrize("query", [{"count": "9" * 400}, {"count": "0"}, {"count": "-1"}])
def test_schedule_count_out_of_range_is_422(ws: Workspace, ids: tuple[str, str, str],
                                            query: dict[str, str]) -> None:
    _refused(ws.get(f"/sync-jobs/{ids[2]}/schedule", params=query), 422)


def test_log_cursor_beyond_its_column_is_422(ws: Workspace, ids: tuple[str, str, str]) -> None:
    # Was a 500: SQLite cannot bind an integer past 64 bits (found by schemathesis).
    for after in ("9" * 30, str(2**31), str(2**63)):
        _refused(ws.get(f"/sync-jobs/{ids[2]}/executions/exe_x/logs", params={"after": after}),
                 422)


def test_many_query_parameters_and_non_utf8_query_bytes(ws: Workspace) -> None:
    query = "&".join(f"p{i}={i}" for i in range(5000))
    assert ws.client.get(ws.url("/sync-jobs") + "?" + query, headers=ws.headers
                         ).status_code == 200  # unknown parameters are ignored
    answer = ws.client.get(ws.url("/sync-jobs/x/history") + "?limit=%ff%fe", headers=ws.headers)
    assert answer.status_code in (404, 422), answer.text


@pytest.mark.parametrize("segment", ["j" * 10_000, "%ff%fe%00", "..%2F..%2Fetc%2Fpasswd",
                                     "%00", "x%0d%0aSet-Cookie:%20a=b"])
def test_long_or_odd_path_segments_are_4xx(ws: Workspace, segment: str) -> None:
    for path in (f"/sync-jobs/{segment}", f"/sources/{segment}/check",
                 f"/sync-jobs/{segment}/executions/{segment}/logs"):
        method = "POST" if path.endswith("/check") else "GET"
        answer = ws.client.request(method, ws.url(path), headers=ws.headers)
        assert "set-cookie" not in answer.headers
        _refused(answer, 400, 404, 422)  # 400: a NUL in the path


def test_a_very_long_workspace_segment_is_refused(ws: Workspace) -> None:
    answer = ws.client.get(f"/api/workspaces/{'w' * 10_000}/sync-jobs", headers=ws.headers)
    _refused(answer, 404, 422)


@pytest.mark.parametrize("auth", [b"Bearer " + b"k" * 6000, "Bearer sjk_\u00e9\u00e9".encode(),
                                  b"Bearer sjk_\xff\xfe", b"Basic Zm9vOmJhcg==", b"Bearer", b""])
def test_odd_authorization_headers_are_401(ws: Workspace, auth: bytes) -> None:
    answer = ws.client.get(ws.url("/sync-jobs"), headers={"Authorization": auth})
    _refused(answer, 401, 403)


def test_nul_characters_are_refused_or_stored_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    """PostgreSQL text cannot hold U+0000: the API must not turn that into a 500."""
    (tmp_path / "home").mkdir()
    with TestClient(create_app(make_settings(tmp_path / "home", pg_url),
                               start_engine=False)) as client:
        ws = make_workspace(client)
        src, dst, job = create_basics(ws, make_source_db(tmp_path / "s.db"), tmp_path)
        for method, path, body in [
            ("POST", "/sources", {"name": "a\x00b", "type": "sql", "config": {"url": "sqlite://"}}),
            ("POST", "/sync-jobs", {"name": "a\x00b", "source_id": src, "destination_id": dst}),
            ("POST", "/sync-jobs", {"name": "n", "source_id": "s\x00", "destination_id": dst}),
            ("PATCH", f"/sync-jobs/{job}", {"name": "a\x00b"}),
            ("PATCH", f"/sync-jobs/{job}", {"schedule": {"cron": "* * * * *",
                                                         "timezone": "UTC\x00"}}),
            ("GET", "/sync-jobs/a%00b", None),
        ]:
            answer = client.request(method, ws.url(path), json=body, headers=ws.headers)
            assert answer.status_code < 500, (method, path, answer.text)
            if answer.status_code >= 400:
                _refused(answer)
