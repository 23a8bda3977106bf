"""Workspace isolation: every route, tried across workspaces, is a 404 that changes nothing.

The routes are enumerated from the app itself, so a new route cannot be forgotten.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.integration.api.conftest import Workspace, create_basics


def _snapshot(ws: Workspace) -> list[object]:
    return [ws.get(p).json() for p in ("/sources", "/destinations", "/sync-jobs")]


def _workspace_routes(client: TestClient) -> list[tuple[str, str]]:
    """From the app's own OpenAPI document: every route a client can call."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [(method.upper(), path) for path, ops in sorted(paths.items())
            if path.startswith("/api/workspaces/{ws}") for method in sorted(ops)]


def test_every_route_hides_foreign_workspaces(
    ws: Workspace, other: Workspace, source_db: str, tmp_path: Path
) -> None:
    theirs = dict(zip(("src", "dst", "job"), create_basics(other, source_db, tmp_path),
                      strict=True))
    (tmp_path / "m").mkdir()
    mine = dict(zip(("src", "dst", "job"), create_basics(ws, source_db, tmp_path / "m"),
                    strict=True))
    before = _snapshot(other)
    routes = _workspace_routes(ws.client)
    assert len(routes) >= 20, routes
    tried = 0
    for method, path in routes:
        ids = {"job_id": theirs["job"], "item_id": theirs["src"], "execution_id": "exe_x"}
        if "/destinations" in path:
            ids["item_id"] = theirs["dst"]
        # 1. their workspace id in the path, my key.
        url = path.replace("{ws}", other.id)
        url = re.sub(r"\{(\w+)\}", lambda m, ids=ids: ids.get(m.group(1), "x"), url)
        answer = ws.client.request(method, url, headers=ws.headers, json={})
        assert answer.status_code == 404, (method, url, answer.status_code, answer.text)
        # 2. my workspace id, their object ids.
        url = path.replace("{ws}", ws.id)
        url = re.sub(r"\{(\w+)\}", lambda m, ids=ids: ids.get(m.group(1), "x"), url)
        if url.rstrip("/").endswith(("/sources", "/destinations", "/sync-jobs")):
            continue  # collection routes name no foreign object
        answer = ws.client.request(method, url, headers=ws.headers, json={})
        assert answer.status_code == 404, (method, url, answer.status_code, answer.text)
        tried += 1
    assert tried >= 10
    assert _snapshot(other) == before
    assert ws.get(f"/sync-jobs/{mine['job']}").status_code == 200
