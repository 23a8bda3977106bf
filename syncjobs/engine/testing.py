"""Test helpers: serve functions on the embedded engine in-process, run one to the end."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import inngest
import inngest.fast_api
import uvicorn
from fastapi import FastAPI

from . import schema as t
from .config import EngineConfig
from .engine import EmbeddedEngine, client_kwargs
from .history import RunView

_TERMINAL = t.TERMINAL


class EngineHarness:
    """An app served by uvicorn on a loopback port inside this process, driven by an engine.

    harness = EngineHarness(sqlite_url)
    client = harness.client("my-app")
    @client.create_function(fn_id="hello", trigger=inngest.TriggerEvent(event="demo/hello"))
    async def hello(ctx: inngest.Context) -> str: ...
    async with harness.serve(client, [hello]):
        run = await harness.run_to_completion({"name": "demo/hello", "data": {}})
        assert run.status == "completed"
    """

    def __init__(self, database_url: str, *, in_process: bool = True, **config: Any) -> None:
        # in_process=False: the engine calls /api/inngest over loopback HTTP instead.
        self.in_process = in_process
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        defaults: dict[str, Any] = {
            "backoff_scale": 0.0005,
            "poll_interval": 0.05,
            "lease_seconds": 3.0,
            "sync_on_start": False,
        }
        self.config = EngineConfig(
            database_url=database_url, app_url=self.base_url, **{**defaults, **config}
        )
        self._engine: EmbeddedEngine | None = None

    @property
    def engine(self) -> EmbeddedEngine:
        assert self._engine is not None, "use `async with harness.serve(...)` first"
        return self._engine

    def client(self, app_id: str = "test-app", **kwargs: Any) -> inngest.Inngest:
        kw = client_kwargs(self.base_url, signing_key=self.config.signing_key)
        return inngest.Inngest(app_id=app_id, **{**kw, **kwargs})

    @contextlib.asynccontextmanager
    async def serve(
        self,
        client: inngest.Inngest,
        functions: Sequence[inngest.Function[Any]],
        app: FastAPI | None = None,
    ) -> AsyncIterator[EngineHarness]:
        app = app or FastAPI()
        engine = EmbeddedEngine(self.config, app=app if self.in_process else None)
        app.include_router(engine.router())
        inngest.fast_api.serve(app, client, list(functions))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        serving = asyncio.create_task(server.serve(sockets=[self._sock]))
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.005)
        self._engine = engine
        try:
            await engine.start()
            await engine.sync()
            await self.eventually(lambda: engine.is_leader, 10.0, "the engine never took the lease")
            yield self
        finally:
            await engine.stop()
            server.should_exit = True
            await serving
            self._engine = None

    async def send(self, event: inngest.Event | Mapping[str, Any]) -> str:
        payload = event.to_dict() if isinstance(event, inngest.Event) else dict(event)
        if isinstance(payload, Exception):
            raise payload
        if not payload.get("id"):
            payload.pop("id", None)
        (event_id,) = await self.engine.send([payload])
        return event_id

    async def runs_for_event(self, event_id: str) -> list[RunView]:
        def query(conn: Any) -> list[str]:
            rows = conn.execute(t.runs.select().where(t.runs.c.event_id == event_id)).all()
            return [r.id for r in rows]

        ids = await self.engine.db.run(query)
        views = [await self.engine.get_run(i) for i in ids]
        return [v for v in views if v is not None]

    async def wait_run(self, run_id: str, within: float = 15.0) -> RunView:
        """The run once it is completed, failed or cancelled."""
        found: list[RunView] = []

        async def done() -> bool:
            view = await self.engine.get_run(run_id)
            if view is not None and view.status in _TERMINAL:
                found.append(view)
                return True
            return False

        await self.eventually(done, within, f"run {run_id} did not finish")
        return found[0]

    async def run_for_event(
        self, event_id: str, *, function_id: str | None = None, within: float = 15.0
    ) -> RunView:
        """The (first) run `event_id` started, once it exists, in whatever state."""
        found: list[RunView] = []

        async def started() -> bool:
            runs = await self.runs_for_event(event_id)
            found[:] = [r for r in runs if function_id is None or r.function_id == function_id]
            return bool(found)

        await self.eventually(started, within, f"event {event_id} started no run")
        return found[0]

    async def run_to_completion(
        self,
        event: inngest.Event | Mapping[str, Any],
        *,
        function_id: str | None = None,
        within: float = 15.0,
    ) -> RunView:
        """Send `event` and return the run it started (of `function_id`), once it ended."""
        event_id = await self.send(event)
        run = await self.run_for_event(event_id, function_id=function_id, within=within)
        return await self.wait_run(run.id, within)

    @staticmethod
    async def eventually(
        check: Callable[[], bool | Awaitable[bool]], within: float = 10.0, message: str = ""
    ) -> None:
        """Poll `check` (sync or async) until it holds; TimeoutError after `within` s."""
        deadline = time.monotonic() + within
        while True:
            result = check()
            if await result if inspect.isawaitable(result) else result:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(message or f"condition not met within {within}s")
            await asyncio.sleep(0.02)


__all__ = ["EngineConfig", "EngineHarness"]
