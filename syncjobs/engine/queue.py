"""The durable queue: calls to make, timers to fire, waits that may time out."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from . import schema as t

# Statements of the hot path, built once: building Core expressions per call
# costs more than SQLite takes to run them.
_INSERT = t.queue.insert()
_GET = sa.select(t.queue).where(t.queue.c.id == sa.bindparam("b_id"))
_DELETE = t.queue.delete().where(t.queue.c.id == sa.bindparam("b_id"))
_OUTSTANDING = sa.select(
    sa.or_(
        sa.exists().where(t.queue.c.run_id == sa.bindparam("b_run")),
        sa.exists().where(t.waits.c.run_id == sa.bindparam("b_run")),
    )
)

CALL = "call"
SLEEP = "sleep"
TIMEOUT = "timeout"


@dataclasses.dataclass(frozen=True)
class Item:
    id: int
    run_id: str
    kind: str
    step_id: str | None
    attempt: int
    available_at: int
    # The run's concurrency slots, read along with the item.
    concurrency: str = "[]"


def push(
    conn: sa.Connection,
    run_id: str,
    kind: str,
    available_at: int,
    *,
    step_id: str | None = None,
    attempt: int = 0,
) -> int:
    result = conn.execute(
        _INSERT,
        {
            "run_id": run_id,
            "kind": kind,
            "step_id": step_id,
            "attempt": attempt,
            "available_at": available_at,
        },
    )
    pk = result.inserted_primary_key
    return int(pk[0]) if pk else 0


def get(conn: sa.Connection, item_id: int) -> Item | None:
    row = conn.execute(_GET, {"b_id": item_id}).first()
    return None if row is None else Item(**row._mapping)


def due(conn: sa.Connection, now_ms: int, limit: int, skip: set[int]) -> list[Item]:
    """Items due now, oldest first, with their run's concurrency slots."""
    q = (
        sa.select(t.queue, t.runs.c.concurrency)
        .join(t.runs, t.runs.c.id == t.queue.c.run_id)
        .where(t.queue.c.available_at <= now_ms)
        .order_by(t.queue.c.available_at, t.queue.c.id)
        .limit(limit + len(skip))
    )
    items = [Item(**r._mapping) for r in conn.execute(q)]
    return [i for i in items if i.id not in skip][:limit]


def next_due_at(conn: sa.Connection) -> int | None:
    value = conn.execute(sa.select(sa.func.min(t.queue.c.available_at))).scalar()
    return None if value is None else int(value)


def delete(conn: sa.Connection, item_id: int) -> bool:
    return conn.execute(_DELETE, {"b_id": item_id}).rowcount == 1


def delete_run(conn: sa.Connection, run_id: str) -> None:
    conn.execute(t.queue.delete().where(t.queue.c.run_id == run_id))
    conn.execute(t.waits.delete().where(t.waits.c.run_id == run_id))


def outstanding(conn: sa.Connection, run_id: str) -> bool:
    """Whether the run still waits on anything: a planned step, a timer, an event."""
    return bool(conn.execute(_OUTSTANDING, {"b_run": run_id}).scalar())


def end_wait(conn: sa.Connection, run_id: str, step_id: str) -> str | None:
    """Remove a wait and its timeout; returns its kind, or None if it had already ended."""
    row = conn.execute(
        sa.select(t.waits.c.kind).where(t.waits.c.run_id == run_id, t.waits.c.step_id == step_id)
    ).first()
    if row is None:
        return None
    conn.execute(t.waits.delete().where(t.waits.c.run_id == run_id, t.waits.c.step_id == step_id))
    conn.execute(
        t.queue.delete().where(
            t.queue.c.run_id == run_id, t.queue.c.step_id == step_id, t.queue.c.kind == TIMEOUT
        )
    )
    return str(row.kind)
