"""Executes queue items: calls /api/inngest under concurrency slots, applies answers."""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import httpx

from . import lease, protocol, queue
from . import schema as t
from .config import EngineConfig
from .db import Database
from .ids import loads
from .outcomes import Applied, apply_outcome
from .registry import FunctionDef
from .state import RunContext, finish_run, load_context

log = logging.getLogger(__name__)


class Runner:
    """The in-flight side of the engine: which items run now and which slots they hold."""

    def __init__(
        self,
        db: Database,
        config: EngineConfig,
        http: httpx.AsyncClient,
        functions: Callable[[], Mapping[str, FunctionDef]],
        wake: Callable[[], None],
        fence: Callable[[Any], None],
    ) -> None:
        self.db = db
        self.config = config
        self.http = http
        self.functions = functions
        self.wake = wake
        self.fence = fence
        self.inflight: set[int] = set()
        self.slots: collections.Counter[str] = collections.Counter()
        self.tasks: set[asyncio.Task[None]] = set()
        # Set when due items were left waiting for a slot: a freed slot then wakes the loop.
        self.starved = False
        self._run_locks: dict[str, asyncio.Lock] = {}
        # Figures for the benchmark: seconds spent in protocol calls and in DB writes.
        self.timings: dict[str, float] = collections.defaultdict(float)

    def is_full(self) -> bool:
        return len(self.inflight) >= self.config.max_inflight

    def try_dispatch(self, item: queue.Item) -> bool:
        """Start executing `item` if it is not in flight and its slots are free."""
        slots = [(k, int(limit)) for k, limit in loads(item.concurrency)]
        if item.id in self.inflight:
            return False
        if any(self.slots[k] >= limit for k, limit in slots):
            self.starved = True
            return False
        self.inflight.add(item.id)
        for key, _ in slots:
            self.slots[key] += 1
        self._spawn(self._execute(item, [k for k, _ in slots]))
        return True

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)  # a reference, so the task is not collected mid-flight
        task.add_done_callback(self.tasks.discard)

    async def _execute(self, item: queue.Item, slots: list[str]) -> None:
        current: queue.Item | None = item
        context: RunContext | None = None
        try:
            while current is not None:
                nxt, context = await self._execute_one(current, context)
                self.inflight.discard(current.id)
                current = None
                if nxt and nxt[0].id not in self.inflight:
                    # Keep the run going in this task (and its slots): no poll in between.
                    current = nxt[0]
                    self.inflight.add(current.id)
                if nxt and len(nxt) > 1:
                    self.wake()
        except lease.LeaseLost as exc:
            log.warning("%s; call result dropped, the new holder will redo it", exc)
        except Exception:
            log.exception("engine error while executing queue item %s", item.id)
        finally:
            if current is not None:
                self.inflight.discard(current.id)
            self.inflight.discard(item.id)
            for key in slots:
                self.slots[key] -= 1
                if self.slots[key] <= 0:
                    del self.slots[key]
            if self.starved:
                self.starved = False
                self.wake()

    async def _execute_one(
        self, item: queue.Item, context: RunContext | None
    ) -> tuple[tuple[queue.Item, ...], RunContext | None]:
        """One call and its answer; `context` is the run as the previous apply left it."""

        def load(conn: Any) -> tuple[queue.Item, RunContext] | None:
            fresh = queue.get(conn, item.id)
            if fresh is None:
                return None  # already handled, or its run was cancelled
            run = load_context(conn, fresh.run_id)
            if run is None or run.status in t.TERMINAL:
                # Left behind by a cancel that raced the run's last answer: drop it.
                queue.delete(conn, fresh.id)
                return None
            return fresh, run

        if context is not None and context.id == item.run_id:
            run = context
        else:
            loaded = await self.db.run(load)
            if loaded is None or loaded[1].status in t.TERMINAL:
                return (), None
            item, run = loaded
        fns = self.functions()
        fn = fns.get(run.function_id)
        if fn is None:
            await self._fail_unknown(item, run)
            return (), None
        request = protocol.CallRequest(
            function_id=fn.id,
            step_id=item.step_id,
            run_id=run.id,
            attempt=item.attempt,
            max_attempts=fn.max_attempts,
            event=run.event,
            steps=run.steps,
            stack=run.stack,
            disable_immediate=run.disable_immediate,
        )
        started_ms = self.config.now_ms()
        url = protocol.call_url(self.config.app_url, self.config.serve_path, fn.id, item.step_id)
        outcome = await protocol.call_function(
            self.http, url, request, signing_key=self.config.signing_key
        )
        self.timings["protocol_s"] += outcome.elapsed
        self.timings["calls"] += 1

        def apply(conn: Any) -> Applied:
            self.fence(conn)
            began = time.perf_counter()
            try:
                return apply_outcome(
                    conn,
                    fns,
                    item,
                    outcome,
                    started_ms=started_ms,
                    now_ms=self.config.now_ms(),
                    backoff_scale=self.config.backoff_scale,
                )
            finally:
                self.timings["db_write_s"] += time.perf_counter() - began

        lock = self._run_locks.setdefault(run.id, asyncio.Lock())
        async with lock:
            applied = await self.db.run(apply)
        if any(op.op == protocol.INVOKE for op in outcome.ops):
            self.wake()  # the invoked function's first call is due now
        if applied.status in t.TERMINAL:
            self._run_locks.pop(run.id, None)
            if applied.status == "failed" or run.parent_run_id:
                self.wake()  # it emitted inngest/function.failed, or ended a parent's wait
        return applied.due_calls, applied.run

    async def _fail_unknown(self, item: queue.Item, run: RunContext) -> None:
        error = {
            "name": "FunctionNotFound",
            "message": f"function {run.function_id!r} is no longer registered by the app",
            "stack": None,
        }

        def fail(conn: Any) -> None:
            self.fence(conn)
            fresh = load_context(conn, run.id)
            if fresh is not None and fresh.status not in t.TERMINAL:
                finish_run(conn, fresh, "failed", self.config.now_ms(), error=error)

        await self.db.run(fail)

    async def drain(self, seconds: float) -> None:
        """Let calls in flight finish (up to `seconds`) so their results are kept."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=seconds)
