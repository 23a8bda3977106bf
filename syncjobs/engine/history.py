"""Run history: the embedded stand-in for the Inngest dashboard's run views."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from . import schema as t
from .ids import loads


def _dt(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


class StepView(BaseModel):
    id: str
    name: str
    op: str
    status: str
    attempt: int
    started_at: datetime | None
    ended_at: datetime | None
    output_size: int | None
    error: dict[str, Any] | None
    output: Any = None


class RunSummary(BaseModel):
    id: str
    function_id: str
    status: str
    event_id: str
    event_name: str
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


class RunView(RunSummary):
    event: dict[str, Any]
    steps: list[StepView]
    output: Any = None
    error: dict[str, Any] | None = None


def _summary(row: Any) -> dict[str, Any]:
    trigger = loads(row.trigger)
    return {
        "id": row.id,
        "function_id": row.function_id,
        "status": row.status,
        "event_id": row.event_id,
        "event_name": str(trigger.get("name", "")),
        "created_at": _dt(row.created_at),
        "started_at": _dt(row.started_at),
        "ended_at": _dt(row.ended_at),
    }


def list_runs(
    conn: sa.Connection,
    *,
    function_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[RunSummary]:
    """Runs newest first, optionally of one function and in one status."""
    q = sa.select(t.runs).order_by(t.runs.c.created_at.desc(), t.runs.c.id.desc())
    if function_id:
        q = q.where(t.runs.c.function_id == function_id)
    if status:
        q = q.where(t.runs.c.status == status)
    rows = conn.execute(q.limit(limit).offset(offset)).all()
    return [RunSummary(**_summary(r)) for r in rows]


def get_run(conn: sa.Connection, run_id: str) -> RunView | None:
    row = conn.execute(sa.select(t.runs).where(t.runs.c.id == run_id)).first()
    if row is None:
        return None
    steps = conn.execute(
        sa.select(t.steps).where(t.steps.c.run_id == run_id).order_by(t.steps.c.seq)
    ).all()
    views = []
    for s in steps:
        memo = loads(s.memo)
        views.append(
            StepView(
                id=s.step_id,
                name=s.name,
                op=s.op,
                status=s.status,
                attempt=s.attempt,
                started_at=_dt(s.started_at),
                ended_at=_dt(s.ended_at),
                output_size=s.output_size,
                error=loads(s.error),
                output=memo.get("data") if isinstance(memo, dict) and "data" in memo else memo,
            )
        )
    return RunView(
        **_summary(row),
        event=loads(row.trigger),
        steps=views,
        output=loads(row.output),
        error=loads(row.error),
    )
