"""The sweeper's work: end executions whose worker went silent, drop stale locks and staging."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from syncjobs import sync
from syncjobs.context import AppContext
from syncjobs.errors import SyncJobsError
from syncjobs.functions.ending import end
from syncjobs.store import connectors, executions, locks
from syncjobs.store.models import Destination

log = logging.getLogger(__name__)


def abandon_stale(ctx: AppContext) -> dict[str, Any]:
    now = ctx.clock()
    timeout = timedelta(seconds=ctx.settings.heartbeat_timeout_seconds)
    ended: list[dict[str, str]] = []
    with ctx.db.session() as session:
        for row in executions.stale(session, now, timeout):
            was = row.status
            code = "WORKER_TIMEOUT" if was == "running" else "QUEUE_TIMEOUT"
            message = (
                f"no heartbeat for over {timeout.total_seconds():.0f} s; the worker is gone"
                if was == "running" else
                f"queued for over {timeout.total_seconds():.0f} s without starting"
            )
            if end(ctx, session, row, "abandoned", {"code": code, "message": message}):
                log.warning("execution abandoned: %s", code,
                            extra={"job_id": row.job_id, "execution_id": row.id})
                ended.append({"execution_id": row.id, "job_id": row.job_id,
                              "workspace_id": row.workspace_id})
        dropped = locks.drop_expired(session, now)
    return {"abandoned": ended, "locks_dropped": dropped}


def drop_staging(ctx: AppContext) -> dict[str, Any]:
    """Staging tables of executions that are no longer active, in every destination."""
    with ctx.db.session() as session:
        keep = executions.active_ids(session)
        rows = connectors.list_all(session, Destination)
        configs = [(row.id, row.type, connectors.config_of(row, ctx.cipher)) for row in rows]
    dropped: list[str] = []
    for dest_id, type_, config in configs:
        try:
            destination = sync.parse_destination_config(type_, config)
            dropped += sync.drop_stale_staging(destination, keep)
        except SyncJobsError as exc:
            log.warning("staging cleanup skipped for %s: %s", dest_id, exc.code)
    return {"staging_dropped": len(dropped)}
