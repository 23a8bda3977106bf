"""Apply one answer of /api/inngest to the run's durable state, in one transaction."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from . import limits, protocol, queue
from . import schema as t
from .backoff import backoff_seconds
from .cel import CelError, compile_expression
from .ids import dumps, new_ulid
from .registry import INVOKED_EVENT, FunctionDef, parse_duration
from .state import (
    RunContext,
    create_run,
    finish_run,
    load_context,
    mark_started,
    memoize,
    resolve_step,
    upsert_step,
)

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Applied:
    status: str  # the run's status afterwards
    due_calls: tuple[queue.Item, ...] = ()
    # The run as this transaction left it: the next call of the run needs no reload.
    run: RunContext | None = None


class _RunFailed(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.error = {"name": name, "message": message, "stack": None}


def apply_outcome(
    conn: sa.Connection,
    fns: Mapping[str, FunctionDef],
    item: queue.Item,
    outcome: protocol.CallOutcome,
    *,
    started_ms: int,
    now_ms: int,
    backoff_scale: float,
) -> Applied:
    if not queue.delete(conn, item.id):
        return Applied("gone")  # cancelled (or finished) while the call was in flight
    run = load_context(conn, item.run_id)
    if run is None or run.status in t.TERMINAL:
        return Applied(run.status if run else "gone")
    fn = fns[run.function_id]
    if run.status == "queued":
        mark_started(conn, run.id, started_ms)
        run.status = "running"
    due: list[queue.Item] = []
    try:
        if outcome.status == 200:
            if outcome.output_size > limits.MAX_STEP_OUTPUT_BYTES:
                raise _RunFailed(
                    "OutputTooLarge", limits.step_output_error("(return)", outcome.output_size)
                )
            finish_run(conn, run, "completed", now_ms, output=outcome.output)
        elif outcome.status == 206:
            due = _apply_ops(conn, fns, run, item, outcome, started_ms, now_ms, backoff_scale)
        else:
            _function_error(conn, fn, run, item, outcome, now_ms, backoff_scale)
    except _RunFailed as failure:
        log.warning("run %s of %s failed: %s", run.id, run.function_id, failure)
        finish_run(conn, run, "failed", now_ms, error=failure.error)
    if run.status not in t.TERMINAL and not queue.outstanding(conn, run.id):
        item_id = queue.push(conn, run.id, queue.CALL, now_ms)
        due.append(queue.Item(item_id, run.id, queue.CALL, None, 0, now_ms))
    # Calls of this run that are due now: the caller may make the first one at once.
    return Applied(run.status, tuple(due) if run.status not in t.TERMINAL else (), run)


def _function_error(
    conn: sa.Connection,
    fn: FunctionDef,
    run: RunContext,
    item: queue.Item,
    outcome: protocol.CallOutcome,
    now_ms: int,
    backoff_scale: float,
) -> None:
    error = outcome.error or {"name": "Error", "message": f"HTTP {outcome.status}"}
    if item.step_id:
        upsert_step(
            conn, run, item.step_id, attempt=item.attempt, error=dumps(error), ended_at=now_ms
        )
    if outcome.no_retry or item.attempt + 1 >= fn.max_attempts:
        raise _RunFailed(str(error.get("name") or "Error"), str(error.get("message") or ""))
    at = _retry_at(item.attempt, outcome.retry_after, now_ms, backoff_scale)
    log.info(
        "run %s: attempt %d failed (%s), retry at %d",
        run.id,
        item.attempt,
        error.get("message"),
        at,
    )
    queue.push(conn, run.id, queue.CALL, at, step_id=item.step_id, attempt=item.attempt + 1)


def _retry_at(attempt: int, retry_after: datetime | None, now_ms: int, scale: float) -> int:
    if retry_after is not None:
        return max(now_ms, int(retry_after.timestamp() * 1000))
    return now_ms + int(backoff_seconds(attempt, scale) * 1000)


def _apply_ops(
    conn: sa.Connection,
    fns: Mapping[str, FunctionDef],
    run: RunContext,
    item: queue.Item,
    outcome: protocol.CallOutcome,
    started_ms: int,
    now_ms: int,
    backoff_scale: float,
) -> list[queue.Item]:
    """Apply each op of a 206; returns the planned calls (due now) it queued."""
    fn = fns[run.function_id]
    planned: list[queue.Item] = []
    if len(outcome.ops) > 1 and not run.disable_immediate:
        # From now on the SDK plans new steps instead of running them: we target each.
        run.disable_immediate = True
        conn.execute(t.runs.update().where(t.runs.c.id == run.id).values(disable_immediate=True))
    new_steps = sum(1 for op in outcome.ops if op.op != protocol.STEP_ERROR)
    if run.step_count + new_steps > limits.MAX_STEPS_PER_RUN:
        raise _RunFailed("StepLimitExceeded", limits.step_count_error())
    for op in outcome.ops:
        common: dict[str, Any] = {"name": op.display_name, "op": op.op, "started_at": started_ms}
        if op.op in (
            protocol.STEP_RUN,
            protocol.STEP_FAILED,
            protocol.STEP_ERROR,
            protocol.STEP_PLANNED,
        ):
            common["op"] = protocol.STEP_RUN
        if op.op == protocol.STEP_RUN:
            if op.size > limits.MAX_STEP_OUTPUT_BYTES:
                raise _RunFailed(
                    "OutputTooLarge", limits.step_output_error(op.display_name, op.size)
                )
            memoize(
                conn,
                run,
                op.id,
                {"data": op.data},
                now_ms,
                attempt=item.attempt,
                output_size=op.size,
                error=None,
                **common,
            )
        elif (
            op.op == protocol.STEP_ERROR
            and not outcome.no_retry
            and item.attempt + 1 < fn.max_attempts
        ):
            upsert_step(
                conn,
                run,
                op.id,
                status="retrying",
                attempt=item.attempt,
                error=dumps(op.error),
                ended_at=now_ms,
                **common,
            )
            at = _retry_at(item.attempt, None, now_ms, backoff_scale)
            queue.push(conn, run.id, queue.CALL, at, step_id=op.id, attempt=item.attempt + 1)
        elif op.op in (protocol.STEP_ERROR, protocol.STEP_FAILED):
            memoize(
                conn,
                run,
                op.id,
                {"error": op.error},
                now_ms,
                attempt=item.attempt,
                error=dumps(op.error),
                **common,
            )
        elif op.op == protocol.STEP_PLANNED:
            upsert_step(conn, run, op.id, status="planned", **common)
            item_id = queue.push(conn, run.id, queue.CALL, now_ms, step_id=op.id)
            planned.append(queue.Item(item_id, run.id, queue.CALL, op.id, 0, now_ms))
        else:
            _apply_async_op(conn, fns, run, op, common, now_ms)
    return planned


def _apply_async_op(
    conn: sa.Connection,
    fns: Mapping[str, FunctionDef],
    run: RunContext,
    op: protocol.Op,
    common: dict[str, Any],
    now_ms: int,
) -> None:
    """Sleep, wait_for_event and invoke: the run pauses until a timer or an event."""
    if op.op == protocol.SLEEP:
        wake = datetime.fromisoformat(op.name.replace("Z", "+00:00"))
        upsert_step(conn, run, op.id, status="sleeping", **common)
        queue.push(conn, run.id, queue.SLEEP, int(wake.timestamp() * 1000), step_id=op.id)
    elif op.op == protocol.WAIT_FOR_EVENT:
        expression = op.opts.get("if")
        try:
            if expression:
                compile_expression(expression)
            timeout = parse_duration(str(op.opts.get("timeout")))
        except (CelError, ValueError) as exc:
            raise _RunFailed("InvalidWaitForEvent", f"step {op.display_name!r}: {exc}") from exc
        upsert_step(conn, run, op.id, status="waiting", **common)
        conn.execute(
            t.waits.insert().values(
                run_id=run.id,
                step_id=op.id,
                kind="event",
                event_name=op.name,
                expression=expression,
            )
        )
        queue.push(
            conn, run.id, queue.TIMEOUT, now_ms + int(timeout.total_seconds() * 1000), step_id=op.id
        )
    elif op.op == protocol.INVOKE:
        _invoke(conn, fns, run, op, common, now_ms)
    else:
        raise _RunFailed(
            "UnsupportedStep",
            f"step {op.display_name!r}: the embedded engine does not support {op.op}",
        )


def _invoke(
    conn: sa.Connection,
    fns: Mapping[str, FunctionDef],
    run: RunContext,
    op: protocol.Op,
    common: dict[str, Any],
    now_ms: int,
) -> None:
    target = fns.get(str(op.opts.get("function_id")))
    if target is None:
        error = {
            "name": "FunctionNotFound",
            "message": f"invoke: no function {op.opts.get('function_id')!r} is registered",
            "stack": None,
        }
        memoize(conn, run, op.id, {"error": error}, now_ms, error=dumps(error), **common)
        return
    payload = op.opts.get("payload") or {}
    event = {
        "name": INVOKED_EVENT,
        "data": payload.get("data") or {},
        "id": new_ulid(now_ms),
        "ts": now_ms,
    }
    child = create_run(conn, target, event, now_ms, parent=(run.id, op.id))
    upsert_step(conn, run, op.id, status="waiting", **common)
    conn.execute(
        t.waits.insert().values(run_id=run.id, step_id=op.id, kind="invoke", child_run_id=child)
    )
    if op.opts.get("timeout"):
        timeout = parse_duration(str(op.opts["timeout"]))
        queue.push(
            conn, run.id, queue.TIMEOUT, now_ms + int(timeout.total_seconds() * 1000), step_id=op.id
        )


def fire_timer(conn: sa.Connection, item: queue.Item, now_ms: int) -> None:
    """A sleep ended or a wait timed out: memoize null (or an invoke timeout error)."""
    if not queue.delete(conn, item.id) or item.step_id is None:
        return
    if item.kind == queue.SLEEP:
        resolve_step(conn, item.run_id, item.step_id, None, now_ms)
        return
    kind = queue.end_wait(conn, item.run_id, item.step_id)
    if kind == "event":
        resolve_step(conn, item.run_id, item.step_id, None, now_ms)
    elif kind == "invoke":
        error = {
            "name": "InvokeTimeout",
            "message": "the invoked function did not finish in time",
            "stack": None,
        }
        resolve_step(conn, item.run_id, item.step_id, {"error": error}, now_ms)
