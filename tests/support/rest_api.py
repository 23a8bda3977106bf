"""A small JSON API on a loopback port, to be a `rest` source in tests.

Offset-paginated (`?limit=&offset=` → `{"data": [...], "has_more": bool}`),
with knobs a test turns: a delay per page, failures planned per page, a
required bearer token. It records every request it answered.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class FakeApi:
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    page_delay: float = 0.0
    # offset -> statuses to answer, in order, before answering normally
    failures: dict[int, list[int]] = field(default_factory=dict)
    token: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""

    def app(self) -> Starlette:
        async def entity(request: Request) -> JSONResponse:
            name = request.path_params["name"]
            offset = int(request.query_params.get("offset", 0))
            limit = int(request.query_params.get("limit", 100))
            self.requests.append({"entity": name, "offset": offset, "limit": limit,
                                  "auth": request.headers.get("authorization")})
            authorized = (request.headers.get("authorization") == f"Bearer {self.token}"
                          or request.query_params.get("api_key") == self.token)
            if self.token and not authorized:
                return JSONResponse({"error": "bad credentials"}, status_code=401)
            planned = self.failures.get(offset)
            if planned:
                return JSONResponse({"error": "boom"}, status_code=planned.pop(0))
            if self.page_delay:
                time.sleep(self.page_delay)  # noqa: ASYNC251 - the slowness is the point
            rows = self.records.get(name, [])
            page = rows[offset:offset + limit]
            return JSONResponse({"data": page, "has_more": offset + limit < len(rows)})

        return Starlette(routes=[Route("/v1/{name}", entity)])

    def source_config(self, entity: str = "users", page_size: int = 10,
                      **over: Any) -> dict[str, Any]:
        config: dict[str, Any] = {
            "base_url": f"{self.base_url}/v1",
            "max_retries": 0,
            "entities": [{
                "name": entity, "path": f"/{entity}", "data_path": "data",
                "pagination": {"type": "offset", "limit": page_size,
                               "has_more_path": "has_more"},
            }],
        }
        if self.token:
            config["auth"] = {"type": "bearer", "token": self.token}
        config.update(over)
        return config


@contextmanager
def serve_api(api: FakeApi) -> Iterator[FakeApi]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    api.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(api.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise TimeoutError("fake API did not start")
        time.sleep(0.01)
    try:
        yield api
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def users(count: int, start: int = 1) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"user {i}", "updated_at": f"2026-01-01T00:00:{i % 60:02d}Z"}
            for i in range(start, start + count)]
