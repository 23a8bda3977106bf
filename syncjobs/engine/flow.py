"""What an event does: start runs (idempotency, singleton), cancel runs, end waits."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from . import queue
from . import schema as t
from .cel import CelError, compile_expression
from .ids import loads
from .registry import FunctionDef
from .state import create_run, finish_run, load_context, resolve_step

log = logging.getLogger(__name__)

IDEMPOTENCY_MS = 24 * 3600 * 1000
ACTIVE = ("queued", "running")


def process_pending(
    conn: sa.Connection, fns: Mapping[str, FunctionDef], now_ms: int, limit: int = 200
) -> tuple[int, list[str]]:
    """Handle the oldest unprocessed events; returns (events handled, runs started)."""
    rows = conn.execute(
        sa.select(t.events.c.seq, t.events.c.payload)
        .where(t.events.c.processed.is_(False))
        .order_by(t.events.c.seq)
        .limit(limit)
    ).all()
    started: list[str] = []
    for row in rows:
        started.extend(process_event(conn, fns, loads(row.payload), now_ms))
    if rows:
        conn.execute(
            t.events.update()
            .where(t.events.c.seq.in_([r.seq for r in rows]))
            .values(processed=True)
        )
    return len(rows), started


def process_event(
    conn: sa.Connection, fns: Mapping[str, FunctionDef], event: dict[str, Any], now_ms: int
) -> list[str]:
    name = str(event.get("name"))
    _cancel_matching(conn, fns, event, now_ms)
    _end_waits(conn, event, now_ms)
    started = []
    for fn in fns.values():
        try:
            if fn.matches_event(name, event):
                run_id = start_run(conn, fn, event, now_ms)
                if run_id:
                    started.append(run_id)
        except CelError as exc:
            log.error("event %s not handled by %s: %s", event.get("id"), fn.id, exc)
    return started


def start_run(
    conn: sa.Connection, fn: FunctionDef, event: Mapping[str, Any], now_ms: int
) -> str | None:
    """Start one run of `fn` for `event`, unless idempotency or a singleton forbids it."""
    if fn.idempotency is not None and not _claim_idempotency(conn, fn, event, now_ms):
        log.info("run of %s skipped: idempotency key already used", fn.id)
        return None
    singleton_key = None
    if fn.singleton_mode:
        singleton_key = fn.singleton_key.key(event) if fn.singleton_key else "*"
        active = conn.execute(
            sa.select(t.runs.c.id).where(
                t.runs.c.function_id == fn.id,
                t.runs.c.singleton_key == singleton_key,
                t.runs.c.status.in_(ACTIVE),
            )
        ).all()
        if active and fn.singleton_mode == "skip":
            log.info("run of %s skipped: singleton %r is running", fn.id, singleton_key)
            return None
        for row in active:  # mode "cancel": the new run replaces the old one
            run = load_context(conn, row.id)
            if run is not None:
                finish_run(conn, run, "cancelled", now_ms)
    return create_run(conn, fn, event, now_ms, singleton_key=singleton_key)


def _claim_idempotency(
    conn: sa.Connection, fn: FunctionDef, event: Mapping[str, Any], now_ms: int
) -> bool:
    assert fn.idempotency is not None
    key = fn.idempotency.key(event)
    where = (t.idempotency.c.function_id == fn.id, t.idempotency.c.key == key)
    row = conn.execute(sa.select(t.idempotency.c.expires_at).where(*where)).first()
    if row is not None and row.expires_at > now_ms:
        return False
    conn.execute(t.idempotency.delete().where(*where))
    conn.execute(
        t.idempotency.insert().values(
            function_id=fn.id, key=key, expires_at=now_ms + IDEMPOTENCY_MS
        )
    )
    return True


def _cancel_matching(
    conn: sa.Connection, fns: Mapping[str, FunctionDef], event: dict[str, Any], now_ms: int
) -> None:
    name = event.get("name")
    for fn in fns.values():
        for cancel in fn.cancel:
            if cancel.event != name:
                continue
            rows = conn.execute(
                sa.select(t.runs.c.id, t.runs.c.trigger, t.runs.c.created_at).where(
                    t.runs.c.function_id == fn.id, t.runs.c.status.in_(ACTIVE)
                )
            ).all()
            for row in rows:
                if (
                    cancel.timeout
                    and row.created_at + cancel.timeout.total_seconds() * 1000 < now_ms
                ):
                    continue
                try:
                    hit = cancel.condition is None or cancel.condition.matches(
                        loads(row.trigger), event
                    )
                except CelError as exc:
                    log.error("cancel of %s not evaluated: %s", fn.id, exc)
                    continue
                run = load_context(conn, row.id) if hit else None
                if run is not None:
                    log.info("run %s of %s cancelled by event %s", row.id, fn.id, event.get("id"))
                    finish_run(conn, run, "cancelled", now_ms)


def _end_waits(conn: sa.Connection, event: dict[str, Any], now_ms: int) -> None:
    rows = conn.execute(
        sa.select(t.waits, t.runs.c.trigger)
        .join(t.runs, t.runs.c.id == t.waits.c.run_id)
        .where(t.waits.c.kind == "event", t.waits.c.event_name == event.get("name"))
    ).all()
    for row in rows:
        try:
            hit = row.expression is None or compile_expression(row.expression).matches(
                loads(row.trigger), event
            )
        except CelError as exc:
            log.error("wait_for_event of run %s not evaluated: %s", row.run_id, exc)
            continue
        if not hit:
            continue
        queue.end_wait(conn, row.run_id, row.step_id)
        resolve_step(conn, row.run_id, row.step_id, event, now_ms)
