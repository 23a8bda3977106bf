"""`EmbeddedEngine`: lifecycle, the leader loop, events in and the SDK sync."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from . import lease, queue
from .asgi import InProcessTransport
from .config import EngineConfig
from .db import Database
from .flow import process_pending
from .history import RunView, get_run
from .ids import dumps
from .limits import MAX_EVENT_BYTES, LimitExceeded, event_size_error
from .migrate import migrate
from .outcomes import fire_timer
from .registry import FunctionDef, load_all, save_app
from .runner import Runner
from .state import insert_event
from .ticks import schedule_crons

log = logging.getLogger(__name__)


def client_kwargs(app_url: str, *, signing_key: str | None = None) -> dict[str, Any]:
    """Client arguments that point `client.send()` and the sync at the embedded engine.

    `inngest.Inngest(app_id="myapp", **client_kwargs("http://127.0.0.1:8080"))`:
    the SDK then POSTs events to `{app_url}/e/{key}` and its sync to
    `{app_url}/fn/register`, both served by `engine.router()`.
    """
    kwargs: dict[str, Any] = {
        "api_base_url": app_url,
        "event_api_base_url": app_url,
        "is_production": signing_key is not None,
    }
    if signing_key is not None:
        kwargs["signing_key"] = signing_key
        kwargs["event_key"] = "embedded"
    return kwargs


class SyncError(RuntimeError):
    """The app's PUT /api/inngest did not register its functions with this engine."""


class EmbeddedEngine:
    """Runs an app's Inngest functions from the metadata DB, through /api/inngest.

    Give it the ASGI app to call /api/inngest in-process; without one it calls
    `config.app_url` over HTTP. Mount `engine.router()` on the app so the SDK's
    sync and `client.send()` reach it, and build the client with `client_kwargs()`.
    """

    def __init__(self, config: EngineConfig, app: Any | None = None) -> None:
        self.config = config
        self.app = app
        self.db = Database(config.database_url)
        self.functions: dict[str, FunctionDef] = {}
        self.is_leader = False
        self.synced = asyncio.Event()
        self._wake = asyncio.Event()
        # Events arrived here since the last pass; others (from a standby, from
        # failed runs) are found by polling every `poll_interval`.
        self._events_hint = True
        self._last_poll = 0.0
        self._last_cron = 0.0
        self._lease_until = 0
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._http: httpx.AsyncClient | None = None
        self.runner: Runner | None = None

    # -- wiring ---------------------------------------------------------------

    def client_kwargs(self) -> dict[str, Any]:
        """Arguments for `inngest.Inngest(app_id=..., **engine.client_kwargs())`."""
        return client_kwargs(self.config.app_url, signing_key=self.config.signing_key)

    def router(self) -> Any:
        """POST /fn/register and POST /e/{event_key}: where the SDK talks to "Inngest"."""
        from .http import inngest_api_router

        return inngest_api_router(self)

    # -- lifecycle ------------------------------------------------------------

    async def start(self) -> None:
        if self.config.auto_migrate:
            await asyncio.to_thread(migrate, self.db.engine)
        self.functions = await self.db.run(load_all)
        transport = InProcessTransport(self.app) if self.app is not None else None
        self._http = httpx.AsyncClient(
            transport=transport, timeout=self.config.request_timeout, base_url=self.config.app_url
        )
        self.runner = Runner(
            self.db, self.config, self._http, lambda: self.functions, self.wake, self.fence
        )
        self._stopping.clear()
        self._tasks = [
            asyncio.create_task(self._lease_loop()),
            asyncio.create_task(self._main_loop()),
        ]
        if self.config.sync_on_start:
            self._tasks.append(asyncio.create_task(self._sync_until_done()))
        log.info("embedded engine %s started", self.config.worker_id)

    async def stop(self, *, drain_seconds: float = 5.0) -> None:
        self._stopping.set()
        self.wake()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self.runner is not None:
            await self.runner.drain(drain_seconds)
        if self.is_leader:
            with contextlib.suppress(Exception):
                await self.db.run(lambda c: lease.release(c, self.config.worker_id))
            self.is_leader = False
        if self._http is not None:
            await self._http.aclose()
        self.db.close()
        log.info("embedded engine %s stopped", self.config.worker_id)

    def wake(self) -> None:
        self._wake.set()

    def poke(self) -> None:
        """Look at events and cron ticks right now (e.g. after moving an injected clock)."""
        self._events_hint = True
        self._last_cron = 0.0
        self.wake()

    def fence(self, conn: Any) -> None:
        """Raise `LeaseLost` unless the lease is ours for this write's transaction.

        No other engine can take the lease before the expiry our last renewal
        wrote; a safety margin covers clock drift between processes, so most
        writes need no extra query to be fenced. Past that margin (the renewal
        loop starved by a busy process, say) the lease is renewed in the
        write's own transaction: the write then lands only if the lease is
        still ours, and a result that is still valid is not thrown away.
        """
        margin = self.config.lease_seconds * 1000 * 0.2
        if self.is_leader and lease.wall_ms() <= self._lease_until - margin:
            return
        lease_ms = int(self.config.lease_seconds * 1000)
        asked = lease.wall_ms()
        if not lease.try_acquire(conn, self.config.worker_id, lease_ms):
            raise lease.LeaseLost(f"engine {self.config.worker_id} no longer holds the lease")
        self._lease_until = asked + lease_ms
        self.is_leader = True

    # -- sync -----------------------------------------------------------------

    async def sync(self) -> int:
        """PUT /api/inngest so the SDK registers its functions here; returns their count."""
        assert self._http is not None, "start() the engine first"
        response = await self._http.put(
            self.config.app_url.rstrip("/") + self.config.serve_path,
            headers={"content-type": "application/json"},
        )
        try:
            body = response.json()
        except ValueError:
            body = {}
        # The SDK answers 200 even when its registration call failed: look for our answer.
        if not (isinstance(body, dict) and body.get("ok") is True):
            message = body.get("message") or body.get("error") if isinstance(body, dict) else None
            raise SyncError(
                f"sync through {self.config.serve_path} failed: {message or response.text[:300]}"
            )
        return int(body.get("functions", 0))

    async def _sync_until_done(self) -> None:
        delay, attempts = 0.05, 0
        while not self._stopping.is_set():
            attempts += 1
            try:
                count = await self.sync()
                # The SDK's registration may have landed on another process of
                # this app (`serve --workers N`): read what it saved.
                self.functions = await self.db.run(load_all)
                self.synced.set()
                self.poke()
                log.info("synced %d functions", count)
                return
            except (SyncError, httpx.HTTPError) as exc:
                # The first tries usually run before the server listens: stay quiet then.
                level = logging.WARNING if attempts % 10 == 0 else logging.DEBUG
                log.log(level, "sync not done yet (attempt %d): %s", attempts, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def register(
        self, app_id: str, url: str, configs: list[Mapping[str, Any]]
    ) -> list[FunctionDef]:
        """Handle the SDK's POST /fn/register."""
        now = self.config.now_ms()
        fns = await self.db.run(lambda c: save_app(c, app_id, url, configs, now))
        self.functions = await self.db.run(load_all)
        self.synced.set()
        self.wake()
        return fns

    # -- events ---------------------------------------------------------------

    async def send(self, events: Sequence[Mapping[str, Any]]) -> list[str]:
        """Accept events (as POST /e/{key} does): each gets an id and a timestamp."""
        for event in events:
            if not isinstance(event, Mapping) or not event.get("name"):
                raise ValueError("an event needs a name")
            size = len(dumps(event))
            if size > MAX_EVENT_BYTES:
                raise LimitExceeded(event_size_error(str(event.get("name")), size))
        now = self.config.now_ms()
        stored = await self.db.run(lambda c: [insert_event(c, e, now) for e in events])
        self._events_hint = True
        self.wake()
        return [str(e["id"]) for e in stored]

    # -- history --------------------------------------------------------------

    async def get_run(self, run_id: str) -> RunView | None:
        return await self.db.run(lambda c: get_run(c, run_id))

    # -- loops ----------------------------------------------------------------

    async def _lease_loop(self) -> None:
        lease_ms = int(self.config.lease_seconds * 1000)
        while not self._stopping.is_set():
            try:
                asked = lease.wall_ms()
                held = await self.db.run(
                    lambda c: lease.try_acquire(c, self.config.worker_id, lease_ms)
                )
            except Exception:
                log.exception("lease renewal failed")
                held = False
            if held:
                self._lease_until = asked + lease_ms
                # Another process may have synced a newer app version meanwhile.
                with contextlib.suppress(Exception):
                    self.functions = await self.db.run(load_all)
            if held and not self.is_leader:
                log.info("engine %s holds the executor lease", self.config.worker_id)
                self.is_leader = True
                self.wake()
            elif not held and self.is_leader:
                log.warning("engine %s lost the executor lease; standing by", self.config.worker_id)
            self.is_leader = held
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.config.lease_seconds / 3)

    async def _main_loop(self) -> None:
        while not self._stopping.is_set():
            busy = False
            if self.is_leader:
                try:
                    busy = await self._tick()
                except lease.LeaseLost as exc:
                    log.warning("%s", exc)
                    self.is_leader = False
                except Exception:
                    log.exception("engine loop error")
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.config.poll_interval)
            self._wake.clear()

    async def _tick(self) -> bool:
        """One pass: events, cron ticks, timers, calls. True when there may be more now."""
        assert self.runner is not None
        fns, now_dt = self.functions, self.config.now()
        now = int(now_dt.timestamp() * 1000)
        mono = time.monotonic()
        handled = 0
        # Until the app's first sync is done its functions are unknown (on a new
        # database, none): an event handled now would match nothing and its run
        # would be lost. Events wait in their table; calls and timers go on.
        knows_functions = self.synced.is_set() or not self.config.sync_on_start
        if knows_functions and (
            self._events_hint or mono - self._last_poll >= self.config.poll_interval
        ):
            self._events_hint, self._last_poll = False, mono
            crons = mono - self._last_cron >= 1.0
            if crons:
                self._last_cron = mono

            def handle_events_and_crons(conn: Any) -> int:
                self.fence(conn)
                handled, _ = process_pending(conn, fns, now)
                if crons:
                    schedule_crons(conn, fns, now_dt)
                return handled

            handled = await self.db.run(handle_events_and_crons)
        runner = self.runner
        # Only as many as could start now (plus some behind busy concurrency keys).
        room = self.config.max_inflight - len(runner.inflight) + 64
        items = await self.db.run(lambda c: queue.due(c, now, room, runner.inflight))
        timers = [i for i in items if i.kind != queue.CALL]
        if timers:

            def fire(conn: Any) -> None:
                self.fence(conn)
                for item in timers:
                    fire_timer(conn, item, now)

            await self.db.run(fire)
        for item in items:
            if item.kind != queue.CALL:
                continue
            if runner.is_full():
                runner.starved = True
                break
            runner.try_dispatch(item)
        if handled:
            self._events_hint = True  # maybe more than one batch waiting
        return bool(handled or timers)
