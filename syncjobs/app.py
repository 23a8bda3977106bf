"""create_app(): the FastAPI application, wired from one Settings object."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import inngest.fast_api
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from syncjobs import __version__
from syncjobs.api import (
    connectors,
    errors,
    executions,
    health,
    jobs,
    limits,
    metrics,
    workspaces,
)
from syncjobs.api.deps import require_admin
from syncjobs.context import AppContext
from syncjobs.demo import router as demo_router
from syncjobs.engine import EmbeddedEngine, EngineConfig, runs_router
from syncjobs.engine import migrate as migrate_engine
from syncjobs.functions import build_functions
from syncjobs.functions.client import app_url, make_client
from syncjobs.settings import Settings
from syncjobs.store import migrate
from syncjobs.web import install as install_dashboard

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, *, ctx: AppContext | None = None,
    migrate_on_start: bool = True, start_engine: bool = True,
) -> FastAPI:
    """The whole service; `start_engine=False` serves the API without running functions."""
    settings = settings or (ctx.settings if ctx else Settings())
    ctx = ctx or AppContext.build(settings)
    app = FastAPI(
        title="syncjobs", version=__version__, lifespan=_lifespan(ctx, migrate_on_start,
                                                                   start_engine),
        description="Scheduled data syncs, orchestrated as Inngest functions.",
    )
    app.state.ctx = ctx
    errors.install(app)
    app.add_middleware(limits.RequestGuard)
    ctx.metrics.watch(lambda: metrics.db_gauges(ctx))
    for router in (health.router, metrics.router, workspaces.router, connectors.sources_router,
                   connectors.destinations_router, jobs.router, executions.router,
                   demo_router):
        app.include_router(router)

    ctx.inngest = make_client(settings)
    inngest.fast_api.serve(app, ctx.inngest, build_functions(ctx.inngest, ctx),
                           serve_origin=settings.public_url)
    if settings.engine == "embedded":
        engine = EmbeddedEngine(EngineConfig(
            database_url=settings.metadata_url, app_url=app_url(settings),
            backoff_scale=settings.engine_backoff_scale, clock=ctx.clock,
            auto_migrate=migrate_on_start,
        ), app=app)
        app.include_router(engine.router(), include_in_schema=False)
        app.include_router(runs_router(engine, require_admin))
        ctx.engine = engine
    install_dashboard(app)
    errors.document(app)
    return app


def app_from_environment() -> FastAPI:
    """The app of one `serve --workers N` process: settings from the SYNCJOBS_* variables.

    `serve` migrated the database and made the key file before starting the
    workers; each runs an engine, and the lease lets one of them execute.
    """
    from syncjobs.logs import configure

    settings = Settings()
    configure(settings.log_format, settings.log_level)
    return create_app(settings, migrate_on_start=False)


def _lifespan(
    ctx: AppContext, migrate_on_start: bool, start_engine: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if migrate_on_start:
            await run_in_threadpool(migrate, ctx.db.engine)
            if ctx.engine is not None:
                # Its tables too, so that its run history answers even before it starts.
                await run_in_threadpool(migrate_engine, ctx.db.engine)
        engine: EmbeddedEngine | None = ctx.engine
        if engine is not None and start_engine:
            await engine.start()
        try:
            yield
        finally:
            if engine is not None and start_engine:
                await engine.stop()
            ctx.db.dispose()

    return lifespan
