"""The dashboard: server-rendered pages at `/`, signed in with a workspace API key."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from syncjobs.web import actions, auth, connector_forms, engine_runs, feeds, job_forms, pages
from syncjobs.web.security import SecureStaticFiles

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount the dashboard's routes and its static files on the app."""
    # Order matters: the fixed paths (/jobs/new, /jobs/{id}/delete) before the
    # connector forms' /{kind}/... patterns.
    for module in (auth, feeds, job_forms, actions, pages, engine_runs, connector_forms):
        app.include_router(module.router)
    app.mount("/static", SecureStaticFiles(directory=STATIC), name="static")


__all__ = ["install"]
