"""create_app(): the FastAPI application, wired from one Settings object."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from syncjobs import __version__
from syncjobs.api import connectors, errors, health, jobs, limits, workspaces
from syncjobs.context import AppContext
from syncjobs.settings import Settings
from syncjobs.store import migrate

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, ctx: AppContext | None = None,
               migrate_on_start: bool = True) -> FastAPI:
    settings = settings or (ctx.settings if ctx else Settings())
    ctx = ctx or AppContext.build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if migrate_on_start:
            await run_in_threadpool(migrate, ctx.db.engine)
        try:
            yield
        finally:
            ctx.db.dispose()

    app = FastAPI(
        title="syncjobs", version=__version__, lifespan=lifespan,
        description="Scheduled data syncs, orchestrated as Inngest functions.",
    )
    app.state.ctx = ctx
    errors.install(app)
    app.add_middleware(limits.RequestGuard)
    app.include_router(health.router)
    app.include_router(workspaces.router)
    app.include_router(connectors.sources_router)
    app.include_router(connectors.destinations_router)
    app.include_router(jobs.router)
    return app
