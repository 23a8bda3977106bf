"""The Inngest functions of syncjobs: thin steps over `store/` and `sync/`."""

from __future__ import annotations

from typing import Any

import inngest

from syncjobs.context import AppContext
from syncjobs.functions import maintenance, sync_job, triggers

APP_ID = "syncjobs"


def build_functions(client: inngest.Inngest, ctx: AppContext) -> list[inngest.Function[Any]]:
    """The five functions, bound to this process's context."""
    return [
        sync_job.make(client, ctx),
        triggers.make_scheduled(client, ctx),
        triggers.make_manual(client, ctx),
        maintenance.make_cancel(client, ctx),
        maintenance.make_cleanup(client, ctx),
    ]


__all__ = ["APP_ID", "build_functions"]
