"""Ending an execution: the store transition, plus the metrics that count it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from syncjobs.context import AppContext
from syncjobs.store import executions
from syncjobs.store.models import Execution


def end(ctx: AppContext, session: Session, execution: Execution, status: str,
        error: dict[str, Any] | None = None) -> bool:
    """End an active execution; False when it had already ended (nothing counted)."""
    duration = executions.finish(session, execution, status, error=error)
    if duration is None:
        return False
    ctx.metrics.ended(status, duration)
    return True
