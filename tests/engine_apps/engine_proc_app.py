"""A small app with the embedded engine in its lifespan, for tests that start real processes.

Environment: ENGINE_TEST_DB (metadata DB URL), ENGINE_TEST_PORT, ENGINE_TEST_STEPS
(steps per run), ENGINE_TEST_STEP_SLEEP (seconds each step takes), ENGINE_TEST_LEASE.
Every step body records (event id, step, pid) in `test_effects`, so a test can count
how many times each step really ran and which process ran it.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncIterator

import inngest
import inngest.fast_api
import sqlalchemy as sa
from fastapi import FastAPI, Response

from syncjobs.engine import EmbeddedEngine, EngineConfig, client_kwargs
from syncjobs.engine.db import create_db_engine

DB = os.environ["ENGINE_TEST_DB"]
PORT = int(os.environ["ENGINE_TEST_PORT"])
STEPS = int(os.environ.get("ENGINE_TEST_STEPS", "3"))
STEP_SLEEP = float(os.environ.get("ENGINE_TEST_STEP_SLEEP", "0"))
APP_URL = f"http://127.0.0.1:{PORT}"

effects_db = create_db_engine(DB)
meta = sa.MetaData()
effects = sa.Table(
    "test_effects",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
)
with contextlib.suppress(sa.exc.DBAPIError):  # two processes may race to create it
    meta.create_all(effects_db)

client = inngest.Inngest(app_id="proc-app", **client_kwargs(APP_URL))


@client.create_function(fn_id="multi", retries=2, trigger=inngest.TriggerEvent(event="t/multi"))
def multi(ctx: inngest.ContextSync) -> int:
    def body(n: int) -> int:
        time.sleep(STEP_SLEEP)
        with effects_db.begin() as conn:
            conn.execute(effects.insert().values(event_id=ctx.event.id, step=n, pid=os.getpid()))
        return n

    return sum(ctx.step.run(f"s{n}", body, n) for n in range(STEPS))


@contextlib.asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await engine.start()
    yield
    await engine.stop()


app = FastAPI(lifespan=lifespan)
engine = EmbeddedEngine(
    EngineConfig(
        database_url=DB,
        app_url=APP_URL,
        backoff_scale=0.001,
        poll_interval=0.05,
        lease_seconds=float(os.environ.get("ENGINE_TEST_LEASE", "2")),
    ),
    app=app,
)
app.include_router(engine.router())
inngest.fast_api.serve(app, client, [multi])


@app.get("/ready")
async def ready() -> Response:
    # Events sent before the sync would match no function (as on Inngest): wait for it.
    return Response(status_code=200 if engine.synced.is_set() else 503)
