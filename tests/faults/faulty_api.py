"""A JSON API on a loopback port that misbehaves on purpose, to be a `rest` source.

Offset pages like tests/support/rest_api.py (`?limit=&offset=` -> `{"data", "has_more"}`),
on a stdlib threading server so that one request can hang without blocking the others.
Per entity, `faults[entity] = Fault(offset, kind)` makes the page at `offset`:

- `hang`: send the status line and headers, then no byte for `hang_seconds`;
- `truncated`: a complete HTTP response whose JSON body is cut in half;
- `cut`: announce the full Content-Length, send half the body, close the connection.

Every hang ends by itself (at most `hang_seconds`, or at once when the server stops).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    offset: int
    kind: str  # hang | truncated | cut


@dataclass
class FaultyApi:
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    hang_seconds: float = 8.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""
    stopping: threading.Event = field(default_factory=threading.Event)

    def count(self, entity: str, offset: int | None = None) -> int:
        return sum(1 for r in list(self.requests) if r["entity"] == entity
                   and (offset is None or r["offset"] == offset))

    def source_config(self, entity: str, page_size: int = 10, **over: Any) -> dict[str, Any]:
        config: dict[str, Any] = {
            "base_url": f"{self.base_url}/v1",
            "entities": [{
                "name": entity, "path": f"/{entity}", "data_path": "data",
                "pagination": {"type": "offset", "limit": page_size,
                               "has_more_path": "has_more"},
            }],
        }
        config.update(over)
        return config


def _handler(api: FaultyApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            entity = url.path.rsplit("/", 1)[-1]
            query = parse_qs(url.query)
            offset = int(query.get("offset", ["0"])[0])
            limit = int(query.get("limit", ["100"])[0])
            api.requests.append({"entity": entity, "offset": offset, "limit": limit})
            rows = api.records.get(entity)
            if rows is None:
                self.send_error(404)
                return
            body = json.dumps({"data": rows[offset:offset + limit],
                               "has_more": offset + limit < len(rows)}).encode()
            fault = api.faults.get(entity)
            kind = fault.kind if fault is not None and fault.offset == offset else None
            if kind == "truncated":
                body = body[: len(body) // 2]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if kind == "cut":
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.flush()
            if kind == "hang":
                api.stopping.wait(api.hang_seconds)
                self.close_connection = True
                return
            if kind == "cut":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@contextmanager
def serve_faulty(api: FaultyApi) -> Iterator[FaultyApi]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def rows(count: int, start: int = 1) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"user {i}", "updated_at": f"2026-01-01T00:{i // 60 % 60:02d}:"
             f"{i % 60:02d}Z", "score": i * 10} for i in range(start, start + count)]
