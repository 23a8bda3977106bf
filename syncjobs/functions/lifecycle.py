"""Execution transitions the sync-job function's steps make: claim, start, finish, cancel."""

from __future__ import annotations

import hashlib
import os
import socket
from typing import Any

from syncjobs import __version__, sync
from syncjobs.context import AppContext
from syncjobs.functions.chunks import load
from syncjobs.functions.ending import end
from syncjobs.functions.runlog import log_line
from syncjobs.store import executions, jobs
from syncjobs.store.types import utcnow


def system_info() -> dict[str, Any]:
    host = socket.gethostname()
    return {"worker_id": f"{host}:{os.getpid()}", "hostname": host, "pid": os.getpid(),
            "version": __version__}


def claim(ctx: AppContext, execution_id: str, run_id: str, attempt: int,
          resume: bool = False) -> dict[str, Any]:
    """queued → running (or, for a follow-up run, keep running); else say why to stop."""
    now = utcnow()
    with ctx.db.session() as session:
        execution = executions.get(session, execution_id)
        if execution is None:
            return {"stop": "gone"}
        if execution.status == "running" and execution.run_id == run_id and not resume:
            # This run claimed it already and the step's answer was lost (a timeout,
            # an engine that lost its lease): steps run at least once, so carry on.
            started = execution.started_at or now
            return {"status": "running", "started_at": started.isoformat()}
        context = dict(execution.context or {})
        context.setdefault("run_ids", [])
        context["run_ids"] = [*context["run_ids"], run_id][-20:]
        values: dict[str, Any] = {"last_heartbeat": now, "system": system_info(),
                                  "context": context, "run_id": run_id, "attempt": attempt}
        if resume:
            ok = executions.transition(session, execution_id, ("running",), **values)
        else:
            ok = executions.transition(session, execution_id, ("queued",), status="running",
                                       started_at=now, **values)
        if not ok:
            return {"stop": execution.status}
        if execution.scheduled_for is not None and not resume:
            ctx.metrics.lag.observe(max(0.0, (now - execution.scheduled_for).total_seconds()))
    what = "resumed in a follow-up run" if resume else f"started ({execution.trigger})"
    log_line(ctx.db, execution_id, "info", f"execution {what} on {values['system']['worker_id']}",
             max_lines=ctx.settings.max_log_lines)
    return {"status": "running", "started_at": now.isoformat()}


def mark_job_started(ctx: AppContext, execution_id: str) -> dict[str, Any]:
    with ctx.db.session() as session:
        execution = executions.get(session, execution_id)
        if execution is None:
            return {"ok": False}
        jobs.mark_started(session, execution.job_id, utcnow())
    return {"ok": True}


def finish(ctx: AppContext, execution_id: str) -> dict[str, Any]:
    with ctx.db.session() as session:
        execution = executions.get(session, execution_id)
        if execution is None:
            return {"status": "gone"}
        if not end(ctx, session, execution, "completed"):
            return {"status": execution.status}
        stats = execution.stats or {}
    records = stats.get("records_processed", 0)
    log_line(ctx.db, execution_id, "info", f"completed: {records} records",
             max_lines=ctx.settings.max_log_lines, data={"stats": {
                 k: v for k, v in stats.items() if k != "entities"}})
    return {"status": "completed", "records_processed": records}


def request_cancel(ctx: AppContext, execution_id: str) -> dict[str, Any]:
    """Flag the execution; one that never started is cancelled at once."""
    with ctx.db.session() as session:
        execution = executions.get(session, execution_id)
        if execution is None:
            return {"status": "gone"}
        executions.request_cancel(session, execution_id)
        if execution.status == "queued":
            end(ctx, session, execution, "cancelled",
                              error={"code": "CANCELLED", "message": "cancelled before it started"})
            return {"status": "cancelled"}
        return {"status": execution.status}


def finalize_cancel(ctx: AppContext, execution_id: str) -> dict[str, Any]:
    """After the grace period: a run that did not stop by itself is ended here."""
    loaded = load(ctx, execution_id)
    with ctx.db.session() as session:
        execution = executions.get(session, execution_id)
        if execution is None or execution.status != "running":
            return {"status": execution.status if execution else "gone"}
    if loaded is not None:
        try:
            sync.abort(loaded.request, None)
        except Exception:  # noqa: S110 - the sweeper drops leftover staging later
            pass
    with ctx.db.session() as session:
        execution = executions.get(session, execution_id)
        if execution is not None and end(
            ctx, session, execution, "cancelled",
            error={"code": "CANCELLED", "message": "cancelled on request"},
        ):
            return {"status": "cancelled"}
    return {"status": "ended"}


def jitter_seconds(execution_id: str, limit: int) -> int:
    """A delay in [0, limit) fixed by the execution id, so every replay computes the same."""
    if limit <= 0:
        return 0
    digest = hashlib.sha256(execution_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") % limit
