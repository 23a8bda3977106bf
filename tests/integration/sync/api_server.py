"""A real HTTP server on loopback that pages records in every style the REST source knows."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def make_records(n: int, version: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "id": i, "name": f"r{i}", "amount": i * 1.5, "active": i % 2 == 0,
            "updated_at": (T0 + dt.timedelta(minutes=i + 10_000 * version)).isoformat(),
            "created": 1_700_000_000 + i, "tags": [f"t{i % 3}"], "meta": {"v": version},
        }
        for i in range(1, n + 1)
    ]


class Api:
    """Shared state of the server: the records, scripted failures, and a request log."""

    def __init__(self) -> None:
        self.records = make_records(45)
        self.script: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.token = "s3cret-token"
        self.base = ""

    def fail_next(self, path: str, status: int, headers: dict[str, str] | None = None,
                  body: bytes = b'{"error": "boom"}', times: int = 1) -> None:
        self.script.setdefault(path, []).extend([(status, headers or {}, body)] * times)


def _since(records: list[dict[str, Any]], q: dict[str, str]) -> list[dict[str, Any]]:
    if "updated_since" in q:
        bound = dt.datetime.fromisoformat(q["updated_since"].replace("Z", "+00:00"))
        records = [r for r in records if dt.datetime.fromisoformat(r["updated_at"]) >= bound]
    if "created[gte]" in q:
        records = [r for r in records if r["created"] >= int(q["created[gte]"])]
    return records


def route(api: Api, method: str, path: str, q: dict[str, str], headers: dict[str, str],
          body: Any) -> tuple[int, dict[str, str], Any]:
    recs = _since(api.records, q)
    if path == "/offset":
        lo, n = int(q.get("offset", 0)), int(q.get("limit", 10))
        return 200, {}, {"data": recs[lo:lo + n], "total": len(recs)}
    if path == "/page":
        page, size = int(q.get("page", 1)), int(q.get("per_page", 10))
        chunk = recs[(page - 1) * size: page * size]
        return 200, {}, {"items": chunk, "has_more": page * size < len(recs)}
    if path == "/cursor":
        start, n = int(q.get("cursor", 0)), int(q.get("limit", 10))
        nxt = str(start + n) if start + n < len(recs) else None
        return 200, {}, {"results": recs[start:start + n], "meta": {"next": nxt}}
    if path in ("/next", "/link"):
        start = int(q.get("start", 0))
        nxt = f"{path}?start={start + 10}" if start + 10 < len(recs) else None
        if path == "/next":
            return 200, {}, {"data": recs[start:start + 10], "next": nxt}
        link = {"Link": f'<{api.base}{nxt}>; rel="next"'} if nxt else {}
        return 200, link, recs[start:start + 10]
    if path == "/all":
        return 200, {}, recs
    if path == "/auth":
        if headers.get("authorization") != f"Bearer {api.token}":
            return 401, {}, {"error": "bad token"}
        return 200, {}, recs[:3]
    if path.startswith("/stripe/v1/"):
        return _stripe(recs, q, headers)
    if path.startswith("/close/api/v1/"):
        return _close(api, recs, q, headers)
    if path == "/graphql":
        return _graphql(recs, body)
    return 404, {}, {"error": "no such path"}


def _stripe(recs: list[dict[str, Any]], q: dict[str, str], headers: dict[str, str]
            ) -> tuple[int, dict[str, str], Any]:
    if headers.get("authorization") != "Bearer sk_test_123":
        return 401, {}, {"error": {"message": "Invalid API Key provided: sk_test_***"}}
    objs = [{**r, "id": f"cus_{r['id']:04d}"} for r in recs]
    if "starting_after" in q:
        objs = [o for o in objs if o["id"] > q["starting_after"]]
    n = int(q.get("limit", 10))
    return 200, {}, {"object": "list", "data": objs[:n], "has_more": len(objs) > n}


def _close(api: Api, recs: list[dict[str, Any]], q: dict[str, str], headers: dict[str, str]
           ) -> tuple[int, dict[str, str], Any]:
    expected = "Basic " + base64.b64encode(b"api_close_key:").decode()
    if headers.get("authorization") != expected:
        return 401, {}, {"error": "Unauthorized"}
    skip, limit = int(q.get("_skip", 0)), int(q.get("_limit", 100))
    return 200, {}, {"data": recs[skip:skip + limit], "has_more": skip + limit < len(recs)}


def _graphql(recs: list[dict[str, Any]], body: Any) -> tuple[int, dict[str, str], Any]:
    variables = body.get("variables") or {}
    if "broken" in body.get("query", ""):
        return 200, {}, {"errors": [{"message": "Cannot query field broken"}]}
    start = int(variables.get("after") or 0)
    first = int(variables.get("first", 10))
    chunk = recs[start:start + first]
    return 200, {}, {"data": {"users": {
        "nodes": chunk,
        "pageInfo": {"hasNextPage": start + first < len(recs), "endCursor": str(start + first)},
    }}}


def _handler(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            length = int(headers.get("content-length", 0) or 0)
            raw = self.rfile.read(length) if length else b""
            api.requests.append((self.command, self.path, headers))
            scripted = api.script.get(parts.path)
            if scripted:
                status, extra, payload = scripted.pop(0)
            else:
                status, extra, obj = route(api, self.command, parts.path, q, headers,
                                           json.loads(raw) if raw else None)
                payload = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _serve
        do_POST = _serve

    return Handler


@contextmanager
def serve() -> Iterator[tuple[str, Api]]:
    api = Api()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api.base, api
    finally:
        server.shutdown()
        server.server_close()
