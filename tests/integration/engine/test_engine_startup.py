"""An engine that has just started: events that arrive before its first sync are kept."""

from __future__ import annotations

import asyncio
import socket

import inngest
import inngest.fast_api
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI

from syncjobs.engine import EmbeddedEngine, EngineConfig, client_kwargs
from syncjobs.engine import schema as t
from syncjobs.engine.testing import EngineHarness

eventually = EngineHarness.eventually


async def test_an_event_sent_before_the_first_sync_starts_its_run_after_it(
    sqlite_url: str,
) -> None:
    # A new database knows no functions until the app's first sync, which can
    # only finish once the app listens: `syncjobs serve` accepts a run request
    # in between, and that run used to be dropped (its event matched nothing).
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # bound, not listening: the sync is refused for now
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = EngineConfig(database_url=sqlite_url, app_url=base_url, poll_interval=0.05,
                          lease_seconds=3.0)  # sync_on_start, as `syncjobs serve` has it
    client = inngest.Inngest(app_id="startup", **client_kwargs(base_url))

    @client.create_function(fn_id="hello", trigger=inngest.TriggerEvent(event="demo/hello"))
    async def hello(ctx: inngest.Context) -> str:
        return f"hello {ctx.event.data['who']}"

    app = FastAPI()
    engine = EmbeddedEngine(config, app=app)
    app.include_router(engine.router())
    inngest.fast_api.serve(app, client, [hello])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    await engine.start()
    serving: asyncio.Task[None] | None = None
    try:
        await eventually(lambda: engine.is_leader, 10, "the engine never led")
        (event_id,) = await engine.send([{"name": "demo/hello", "data": {"who": "early"}}])
        await asyncio.sleep(20 * config.poll_interval)  # many passes of the loop

        def pending(conn: sa.Connection) -> tuple[bool, int]:
            processed = conn.execute(sa.select(t.events.c.processed)).scalar_one()
            return bool(processed), int(conn.execute(sa.select(sa.func.count())
                                                     .select_from(t.runs)).scalar_one())

        assert not engine.synced.is_set()
        assert await engine.db.run(pending) == (False, 0)  # kept, not handled against nothing

        serving = asyncio.create_task(server.serve(sockets=[sock]))
        await eventually(engine.synced.is_set, 15, "the engine never synced")

        def run_of_event(conn: sa.Connection) -> str | None:
            return conn.execute(sa.select(t.runs.c.id).where(t.runs.c.event_id == event_id)
                                ).scalar_one_or_none()

        async def finished() -> bool:
            run_id = await engine.db.run(run_of_event)
            view = await engine.get_run(run_id) if run_id else None
            return view is not None and view.status == "completed" and (
                view.output == "hello early")

        await eventually(finished, 15, "the early event's run did not complete")
    finally:
        await engine.stop()
        server.should_exit = True
        if serving is not None:
            await serving
        sock.close()
