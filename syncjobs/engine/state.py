"""Runs, their steps and events in the DB: create, memoize, finish."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from . import queue
from . import schema as t
from .ids import dumps, loads, new_ulid
from .registry import FAILED_EVENT, FunctionDef

# Statements of the hot path, built once (see queue.py).
_RUN = sa.select(t.runs).where(t.runs.c.id == sa.bindparam("b_run"))
_STEP_ROWS = sa.select(t.steps.c.step_id, t.steps.c.memo).where(
    t.steps.c.run_id == sa.bindparam("b_run")
)
_STEP_INSERT = t.steps.insert()
_STEP_UPDATE = t.steps.update().where(
    t.steps.c.run_id == sa.bindparam("b_run"), t.steps.c.step_id == sa.bindparam("b_step")
)
_RUN_PROGRESS = (
    t.runs.update()
    .where(t.runs.c.id == sa.bindparam("b_run"))
    .values(stack=sa.bindparam("b_stack"), step_count=sa.bindparam("b_count"))
)


@dataclasses.dataclass
class RunContext:
    id: str
    function_id: str
    status: str
    event: dict[str, Any]
    steps: dict[str, Any]
    stack: list[str]
    disable_immediate: bool
    step_count: int
    parent_run_id: str | None
    parent_step_id: str | None
    # Ids of every step row (memoized or not): saves a lookup before each write.
    known: set[str] = dataclasses.field(default_factory=set)


def insert_event(conn: sa.Connection, event: Mapping[str, Any], now_ms: int) -> dict[str, Any]:
    """Store an event (giving it an id and a timestamp when it has none) for processing."""
    stored = dict(event)
    stored["id"] = stored.get("id") or new_ulid(now_ms)
    stored["ts"] = int(stored.get("ts") or now_ms)
    stored["data"] = stored.get("data") or {}
    conn.execute(
        t.events.insert().values(
            id=stored["id"],
            name=str(stored["name"]),
            payload=dumps(stored),
            ts=stored["ts"],
            received_at=now_ms,
            processed=False,
        )
    )
    return stored


def create_run(
    conn: sa.Connection,
    fn: FunctionDef,
    event: Mapping[str, Any],
    now_ms: int,
    *,
    singleton_key: str | None = None,
    parent: tuple[str, str] | None = None,
) -> str:
    run_id = new_ulid(now_ms)
    conn.execute(
        t.runs.insert().values(
            id=run_id,
            function_id=fn.id,
            event_id=str(event["id"]),
            status="queued",
            trigger=dumps(event),
            created_at=now_ms,
            disable_immediate=False,
            stack="[]",
            step_count=0,
            concurrency=dumps(fn.concurrency_slots(event)),
            singleton_key=singleton_key,
            parent_run_id=parent[0] if parent else None,
            parent_step_id=parent[1] if parent else None,
        )
    )
    queue.push(conn, run_id, queue.CALL, now_ms)
    return run_id


def load_context(conn: sa.Connection, run_id: str) -> RunContext | None:
    row = conn.execute(_RUN, {"b_run": run_id}).first()
    if row is None:
        return None
    rows = conn.execute(_STEP_ROWS, {"b_run": run_id}).all()
    return RunContext(
        id=row.id,
        function_id=row.function_id,
        status=row.status,
        event=loads(row.trigger),
        steps={m.step_id: loads(m.memo) for m in rows if m.memo is not None},
        stack=loads(row.stack),
        disable_immediate=bool(row.disable_immediate),
        step_count=row.step_count,
        parent_run_id=row.parent_run_id,
        parent_step_id=row.parent_step_id,
        known={m.step_id for m in rows},
    )


def upsert_step(conn: sa.Connection, run: RunContext, step_id: str, **values: Any) -> None:
    """Create or update the history row of one step."""
    if step_id in run.known:
        conn.execute(_STEP_UPDATE, {"b_run": run.id, "b_step": step_id, **values})
        return
    row = {"name": step_id, "op": "StepRun", "status": "running", "attempt": 0, **values}
    conn.execute(_STEP_INSERT, {"run_id": run.id, "step_id": step_id, "seq": len(run.known), **row})
    run.known.add(step_id)


def memoize(
    conn: sa.Connection, run: RunContext, step_id: str, memo: Any, now_ms: int, **extra: Any
) -> None:
    """Record a step's result: it goes back to the SDK on every later call."""
    memo_text = dumps(memo)
    failed = isinstance(memo, dict) and "error" in memo and len(memo) == 1
    upsert_step(
        conn,
        run,
        step_id,
        memo=memo_text,
        status="failed" if failed else "completed",
        ended_at=now_ms,
        **extra,
    )
    run.steps[step_id] = memo
    run.stack.append(step_id)
    run.step_count += 1
    conn.execute(
        _RUN_PROGRESS, {"b_run": run.id, "b_stack": dumps(run.stack), "b_count": run.step_count}
    )


def resolve_step(conn: sa.Connection, run_id: str, step_id: str, memo: Any, now_ms: int) -> None:
    """A timer fired or an awaited event or invoked run arrived: memoize, maybe continue."""
    run = load_context(conn, run_id)
    if run is None or run.status in t.TERMINAL:
        return
    memoize(conn, run, step_id, memo, now_ms)
    if not queue.outstanding(conn, run_id):
        queue.push(conn, run_id, queue.CALL, now_ms)


def finish_run(
    conn: sa.Connection,
    run: RunContext,
    status: str,
    now_ms: int,
    *,
    output: Any = None,
    error: dict[str, Any] | None = None,
) -> None:
    """End a run for good: completed, failed or cancelled."""
    conn.execute(
        t.runs.update()
        .where(t.runs.c.id == run.id)
        .values(
            status=status,
            ended_at=now_ms,
            output=dumps(output) if status == "completed" else None,
            error=dumps(error) if error is not None else None,
        )
    )
    run.status = status
    queue.delete_run(conn, run.id)
    if status == "failed" and run.event.get("name") != FAILED_EVENT:
        insert_event(
            conn,
            {
                "name": FAILED_EVENT,
                "data": {
                    "function_id": run.function_id,
                    "run_id": run.id,
                    "error": error,
                    "event": run.event,
                },
            },
            now_ms,
        )
    if run.parent_run_id and run.parent_step_id:
        if queue.end_wait(conn, run.parent_run_id, run.parent_step_id):
            memo = {"data": output} if status == "completed" else {"error": _invoke_error(error)}
            resolve_step(conn, run.parent_run_id, run.parent_step_id, memo, now_ms)


def _invoke_error(error: dict[str, Any] | None) -> dict[str, Any]:
    error = error or {"name": "Error", "message": "the invoked run was cancelled"}
    return {
        "name": str(error.get("name") or "Error"),
        "message": str(error.get("message") or ""),
        "stack": error.get("stack"),
    }


def mark_started(conn: sa.Connection, run_id: str, now_ms: int) -> None:
    conn.execute(
        t.runs.update()
        .where(t.runs.c.id == run_id, t.runs.c.status == "queued")
        .values(status="running", started_at=now_ms)
    )
