"""Execution logs: one row per line, numbered, trimmed to a bound with a marker."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from syncjobs.store.models import Execution, ExecutionLog
from syncjobs.store.types import utcnow

LEVELS = ("debug", "info", "warning", "error")


def append(
    session: Session, execution_id: str, lines: list[tuple[str, str, dict[str, Any] | None]],
    *, max_lines: int,
) -> None:
    """Append lines (level, message, data); keep the newest `max_lines`, oldest dropped."""
    if not lines:
        return
    # Reserve sequence numbers with one UPDATE: concurrent writers never share one.
    first = session.execute(
        sa.update(Execution).where(Execution.id == execution_id)
        .values(log_seq=Execution.log_seq + len(lines))
        .returning(Execution.log_seq)
    ).scalar_one() - len(lines) + 1
    now = utcnow()
    session.execute(sa.insert(ExecutionLog), [
        {"execution_id": execution_id, "seq": first + i, "ts": now, "level": level,
         "message": message, "data": data}
        for i, (level, message, data) in enumerate(lines)
    ])
    last = first + len(lines) - 1
    _trim(session, execution_id, last, max_lines)


def _trim(session: Session, execution_id: str, last: int, max_lines: int) -> None:
    # Keep max_lines - 1 real lines plus one marker standing for what was dropped.
    keep_from = last - max_lines + 2
    if keep_from <= 1:
        return
    dropped = session.execute(
        sa.delete(ExecutionLog).where(
            ExecutionLog.execution_id == execution_id, ExecutionLog.seq < keep_from,
            ExecutionLog.level != "marker",
        )
    ).rowcount  # type: ignore[attr-defined]
    if not dropped:
        return
    marker = session.scalars(sa.select(ExecutionLog).where(
        ExecutionLog.execution_id == execution_id, ExecutionLog.level == "marker")).first()
    total = dropped + (int((marker.data or {}).get("dropped", 0)) if marker else 0)
    text = f"{total} older log lines dropped (limit SYNCJOBS_MAX_LOG_LINES)"
    if marker is None:
        session.add(ExecutionLog(execution_id=execution_id, seq=0, ts=utcnow(), level="marker",
                                 message=text, data={"dropped": total}))
    else:
        marker.message, marker.data = text, {"dropped": total}


def page(
    session: Session, execution_id: str, *, after: int = -1, limit: int = 500
) -> list[ExecutionLog]:
    query = (
        sa.select(ExecutionLog)
        .where(ExecutionLog.execution_id == execution_id, ExecutionLog.seq > after)
        .order_by(ExecutionLog.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


def all_text(session: Session, execution_id: str) -> str:
    """Every line of an execution as one string (tests search it for secrets)."""
    return "\n".join(f"{r.message} {r.data}" for r in page(session, execution_id, limit=10**9))
