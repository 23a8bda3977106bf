"""Cron runs: one per tick, recorded under a unique key so no tick ever runs twice."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

import sqlalchemy as sa

from . import schema as t
from .cron import last_tick, parse_cron
from .flow import start_run
from .ids import new_ulid
from .registry import CRON_EVENT, FunctionDef

log = logging.getLogger(__name__)


def _ms_to_dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def schedule_crons(conn: sa.Connection, fns: Mapping[str, FunctionDef], now: datetime) -> list[str]:
    """Start the run of each cron tick that is due; returns the new run ids.

    A function's cursor is its latest recorded tick, or its sync time: ticks
    missed while no engine ran are caught up once (the latest), not one by one.
    """
    started: list[str] = []
    for fn in fns.values():
        if not fn.crons:
            continue
        cursor_ms = conn.execute(
            sa.select(sa.func.max(t.cron_ticks.c.tick_at)).where(
                t.cron_ticks.c.function_id == fn.id
            )
        ).scalar()
        if cursor_ms is None:
            cursor_ms = conn.execute(
                sa.select(t.functions.c.registered_at).where(t.functions.c.id == fn.id)
            ).scalar()
        if cursor_ms is None:
            continue
        for text in fn.crons:
            tick = last_tick(parse_cron(text), _ms_to_dt(int(cursor_ms)), now)
            if tick is not None:
                run_id = _start_tick(conn, fn, text, tick)
                if run_id:
                    started.append(run_id)
    return started


def _start_tick(conn: sa.Connection, fn: FunctionDef, cron: str, tick: datetime) -> str | None:
    tick_ms = int(tick.timestamp() * 1000)
    event = {
        "name": CRON_EVENT,
        "data": {"cron": cron},
        "id": new_ulid(tick_ms),
        "ts": tick_ms,
    }
    try:
        with conn.begin_nested():
            # The tick row first: a second engine inserting the same tick fails here.
            conn.execute(
                t.cron_ticks.insert().values(function_id=fn.id, tick_at=tick_ms, run_id="")
            )
    except sa.exc.IntegrityError:
        return None
    run_id = start_run(conn, fn, event, tick_ms)
    conn.execute(
        t.cron_ticks.update()
        .where(t.cron_ticks.c.function_id == fn.id, t.cron_ticks.c.tick_at == tick_ms)
        .values(run_id=run_id or "")
    )
    log.info("cron tick %s of %s started run %s", tick.isoformat(), fn.id, run_id)
    return run_id
