"""Test helpers shipped with the package: the whole service on a loopback port, in-process.

    async with serve(settings) as svc:
        ws = await svc.workspace("acme")
        answer = await svc.http.post(ws.url("/sync-jobs/job_1/run"), headers=ws.headers)

The app is the real `create_app()`, served by uvicorn on 127.0.0.1:<free port>,
with its embedded engine syncing the real functions through `/api/inngest`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import uvicorn

from syncjobs.app import create_app
from syncjobs.context import AppContext
from syncjobs.settings import Settings
from syncjobs.store import workspaces

TERMINAL = ("completed", "failed", "cancelled", "abandoned", "skipped")


@dataclass
class ClientWorkspace:
    id: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def url(self, path: str = "") -> str:
        return f"/api/workspaces/{self.id}{path}"


@dataclass
class Service:
    base_url: str
    ctx: AppContext
    http: httpx.AsyncClient

    async def workspace(self, name: str = "acme") -> ClientWorkspace:
        def create() -> ClientWorkspace:
            with self.ctx.db.session() as session:
                row, key = workspaces.create(session, name)
            return ClientWorkspace(row.id, key)

        return await asyncio.to_thread(create)

    async def wait_execution(self, ws: ClientWorkspace, job_id: str, execution_id: str,
                             wait: float = 30.0, statuses: tuple[str, ...] = TERMINAL,
                             ) -> dict[str, Any]:
        """Poll the execution until its status is one of `statuses`."""
        body: dict[str, Any] = {}

        async def reached() -> bool:
            nonlocal body
            answer = await self.http.get(
                ws.url(f"/sync-jobs/{job_id}/executions/{execution_id}"), headers=ws.headers)
            body = answer.json()
            return answer.status_code == 200 and body["status"] in statuses

        await until(reached, wait, lambda: f"execution stayed {body.get('status')}: {body}")
        return body


async def until(check: Callable[[], Awaitable[bool]], seconds: float,
                message: Callable[[], str] | str = "condition not met") -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(message() if callable(message) else message)
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def serve(settings: Settings, *, ctx: AppContext | None = None) -> AsyncIterator[Service]:
    """Run the whole service (API, functions, embedded engine) until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = settings.model_copy(update={"host": "127.0.0.1", "port": port})
    if ctx is not None:
        ctx.settings = settings
    app = create_app(settings, ctx=ctx)
    context: AppContext = app.state.ctx
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await until(_started(server, serving), 20, "the server did not start")
        engine = context.engine
        if engine is not None:
            await asyncio.wait_for(engine.synced.wait(), 60)
            await until(_async(lambda: bool(engine.is_leader)), 60, "engine never led")
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            yield Service(base, context, http)
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(serving, 30)
        sock.close()


def _started(server: uvicorn.Server, task: asyncio.Task[Any]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        if task.done():
            task.result()
        return bool(server.started)

    return check


def _async(check: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def wrapped() -> bool:
        return check()

    return wrapped


class FakeClock:
    """A clock tests move by hand: `clock.advance(seconds=61)`; thread-safe enough for reads."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now
