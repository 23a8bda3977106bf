"""Runs a sync one chunk at a time: read pages, load them, commit, hand back the next state."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import Any

from syncjobs.errors import ConfigError, TerminalError
from syncjobs.sync.batches import max_cursor, prepare, split_keyless
from syncjobs.sync.configs import DestinationConfig, SourceConfig
from syncjobs.sync.destinations import Destination, open_destination
from syncjobs.sync.destinations.naming import (
    execution_tag,
    normalize_name,
    staging_name,
    staging_tag,
    table_name,
)
from syncjobs.sync.prefetch import prefetch
from syncjobs.sync.request import ChunkResult, EntityInfo, SyncRequest
from syncjobs.sync.sources import Page, ReadPlan, Source, open_source
from syncjobs.sync.state import STATE_VERSION, Stats, entity_state, initial_state, iso, utcnow
from syncjobs.sync.values import later, parse_instant

LogFn = Callable[[str, str, dict[str, Any]], None]
PAGES_PER_CHUNK = 4
PAGE_MIN_ROWS = 1_000


class _Within:
    """Pages up to the chunk's record budget, so the read-ahead thread stops there too;
    `exhausted` tells the source's real end from the budget's."""

    def __init__(self, pages: Iterator[Page], budget: int) -> None:
        self.pages = pages
        self.budget = budget
        self.exhausted = False

    def __iter__(self) -> Iterator[Page]:
        seen = 0
        for page in self.pages:
            yield page
            seen += page.batch.num_rows
            if seen >= self.budget and page.resumable:
                return
        self.exhausted = True


def _never() -> bool:
    return False


def _nothing() -> None:
    return None


def _no_log(level: str, message: str, data: dict[str, Any]) -> None:
    return None


def run_chunk(
    request: SyncRequest,
    state: dict[str, Any] | None,
    *,
    should_cancel: Callable[[], bool] = _never,
    heartbeat: Callable[[], None] = _nothing,
    log: LogFn = _no_log,
) -> ChunkResult:
    """Move one chunk (≤ chunk_records records or ≤ chunk_seconds) and return the next state.

    Re-running a chunk with the same input state leaves the same rows (idempotent).
    """
    source = open_source(request.source)
    source.scope = request.execution_id
    try:
        destination = open_destination(request.destination)
        try:
            return _Chunk(request, source, destination, should_cancel, heartbeat, log).run(state)
        finally:
            destination.close()
    finally:
        source.close()


class _Chunk:
    def __init__(
        self, request: SyncRequest, source: Source, destination: Destination,
        should_cancel: Callable[[], bool], heartbeat: Callable[[], None], log: LogFn,
    ) -> None:
        self.req = request
        self.source = source
        # Asked between the API requests a source gathers into one page, so a
        # cancel takes effect within one request, not one gathered page.
        source.interrupted = self._interrupted
        self.dest = destination
        self.should_cancel = should_cancel
        self.heartbeat = heartbeat
        self.log = log
        self.stats = Stats()
        self.cursors: dict[str, Any] = {}
        self.started = utcnow()
        self.clock = time.monotonic()
        self.records = 0
        self.touched: list[str] = []
        self.cancelled = False

    def _interrupted(self) -> bool:
        self.heartbeat()
        return self.should_cancel()

    def out_of_budget(self) -> bool:
        return (
            self.records >= self.req.chunk_records
            or time.monotonic() - self.clock >= self.req.chunk_seconds
        )

    def run(self, state: dict[str, Any] | None) -> ChunkResult:
        if state is None:
            state = initial_state(self.req.execution_id, self.req.mode, self._entities())
        elif state.get("v") != STATE_VERSION or state.get("execution_id") != self.req.execution_id:
            raise ConfigError(
                "the state handed to run_chunk belongs to another execution or version",
                field="state", hint="start the execution again with state=None",
            )
        state = {**state, "chunks": state.get("chunks", 0) + 1}
        while state["index"] < len(state["entities"]) and not self.cancelled:
            name = state["entities"][state["index"]]
            self.touched.append(name)
            finished, state["entity"] = self._entity(name, state["entity"])
            if finished:
                state["index"] += 1
                state["entity"] = None
            if self.out_of_budget() or self.cancelled:
                break
        done = self.cancelled or state["index"] >= len(state["entities"])
        return ChunkResult(
            state=state,
            done=done,
            cancelled=self.cancelled,
            stats=self.stats.as_dict(),
            committed_cursors=self.cursors,
            chunk={
                "entity": self.touched[0] if self.touched else None,
                "entities": self.touched,
                "records": self.records,
                "started_at": iso(self.started),
                "ended_at": iso(utcnow()),
            },
        )

    def _entities(self) -> list[str]:
        with self.source.guard():
            known = self.source.entity_names()
        if not self.req.entities:
            return known
        unknown = [e for e in self.req.entities if e not in known]
        if unknown:
            raise ConfigError(
                f"unknown entities {', '.join(map(repr, unknown))}; the source offers: "
                f"{', '.join(known) or 'none'}",
                field="entities",
                hint="pick entities from the source's entity list",
            )
        return list(self.req.entities)

    def _entity(self, name: str, est: dict[str, Any] | None) -> tuple[bool, dict[str, Any]]:
        incremental = self.req.mode == "incremental"
        with self.source.guard():
            plan = self.source.plan(name, incremental=incremental)
        if incremental and not plan.primary_key:
            self.log("warning", f"{name}: no primary key, so it runs as a full refresh",
                     {"entity": name})
            incremental = False
            plan.incremental = False
        if est is None:
            bound = self.req.cursors.get(name) if incremental and plan.cursor_field else None
            est = entity_state(name, bound)
        table = table_name(self.req.table_prefix, name)
        segment = _Segment(self, plan, table, dict(est), incremental)
        with self.dest.guard():
            try:
                finished = segment.run()
            except BaseException:
                self.dest.rollback()
                raise
        return finished, segment.est


class _Segment:
    """One entity's share of a chunk, inside one destination transaction."""

    def __init__(
        self, chunk: _Chunk, plan: ReadPlan, table: str, est: dict[str, Any], incremental: bool
    ) -> None:
        self.c = chunk
        self.plan = plan
        self.table = table
        self.est = est
        self.incremental = incremental
        self.staging = staging_name(table, chunk.req.execution_id)
        self.marker = staging_name(f"{table}__progress", chunk.req.execution_id)
        self.key = [normalize_name(k) for k in plan.primary_key] if plan.primary_key else None

    def _synced_at(self) -> dt.datetime:
        # Strictly after the last committed chunk, so a retry can find its own rows.
        now = utcnow()
        last = parse_instant(self.est["staged_through"])
        if last is not None and now <= last:
            now = last + dt.timedelta(microseconds=1)
        return now

    def _open_staging(self) -> bool:
        """Ready the staging table; False when this entity's swap already happened."""
        dest = self.c.dest
        if self.est["position"] is None and self.est["staged_through"] is None:
            dest.drop_table(self.staging)  # leftovers of a crashed first attempt
            live = dest.columns(self.table)
            if live is not None:
                # Start from the live columns: a field gone from the source stays, as nulls.
                dest.create_table(self.staging, live)
        elif dest.columns(self.staging) is None:
            # The final chunk swapped staging in, but its caller never saved the state.
            if dest.holds_execution(self.table, self.c.req.execution_id):
                return False
            raise TerminalError(
                f"the staging table of {self.plan.entity} is gone (dropped as stale?)",
                hint="start a new execution: a full refresh cannot resume without it",
            )
        elif dest.read_progress(self.marker) != self.est.get("staged_chunks"):
            # An attempt of this chunk committed rows its caller never recorded: drop them.
            dest.delete_synced_after(self.staging, parse_instant(self.est["staged_through"]))
        return True

    def run(self) -> bool:
        c, dest = self.c, self.c.dest
        dest.begin()
        synced_at = self._synced_at()
        if not self.incremental and not self._open_staging():
            dest.commit()
            return True
        finished = True
        budget = max(1, c.req.chunk_records - c.records)
        # Several pages per chunk, so reading the next overlaps loading this one.
        page_rows = min(budget, max(PAGE_MIN_ROWS, c.req.chunk_records // PAGES_PER_CHUNK))
        within = _Within(c.source.read(
            self.plan, position=self.est["position"], lower_bound=self.est["lower_bound"],
            page_rows=page_rows,
        ), budget)
        pages = prefetch(iter(within))
        with c.source.guard(), contextlib.closing(pages):
            for page in pages:
                self._load(page.batch, synced_at)
                self.est["position"] = page.position
                c.heartbeat()
                if c.should_cancel():
                    c.cancelled = True
                    finished = False
                    break
                if page.resumable and c.out_of_budget():
                    finished = False
                    break
            else:
                finished = within.exhausted
        if c.cancelled:
            self._cancel()
            return False
        self._commit(finished, synced_at)
        return finished

    def _load(self, raw: Any, synced_at: dt.datetime) -> None:
        c = self.c
        name = self.plan.entity
        batch, failed = split_keyless(raw, self.plan.primary_key)
        if failed:
            c.log("warning", f"{name}: {failed} records without primary key "
                  f"{self.plan.primary_key} were skipped", {"entity": name, "count": failed})
        self.est["max_cursor"] = later(self.est["max_cursor"],
                                       max_cursor(batch, self.plan.cursor_field))
        ready, _ = prepare(batch, synced_at, c.req.execution_id)
        created = updated = 0
        if ready.num_rows:
            # Translated here, or the source's guard around the page loop would claim them.
            with c.dest.guard():
                if self.incremental:
                    assert self.key is not None
                    created, updated = c.dest.upsert(self.table, ready, self.key)
                else:
                    c.dest.append(self.staging, ready)
        c.records += raw.num_rows
        self.est["records"] += raw.num_rows
        self.est["failed"] += failed
        c.stats.add(name, processed=raw.num_rows, failed=failed, created=created,
                    updated=updated)

    def _commit(self, finished: bool, synced_at: dt.datetime) -> None:
        c, dest, name = self.c, self.c.dest, self.plan.entity
        if not self.incremental:
            if finished:
                live = dest.columns(self.table)
                if dest.columns(self.staging) is None and live is not None:
                    dest.create_table(self.staging, live)  # the source is empty now
                if dest.columns(self.staging) is not None:
                    counts = dest.swap(self.table, self.staging, self.key)
                    c.stats.add(name, created=counts.created, updated=counts.updated,
                                deleted=counts.deleted)
                # else: an empty source and no table yet: nothing to create columns from
                dest.drop_table(self.marker)
            else:
                self.est["staged_through"] = iso(synced_at)
                self.est["staged_chunks"] = self.est.get("staged_chunks", 0) + 1
                dest.write_progress(self.marker, self.est["staged_chunks"])
        dest.commit()
        advance = finished or (self.incremental and self.plan.cursor_ordered)
        cursor = later(self.est["lower_bound"], self.est["max_cursor"])
        if advance and self.plan.cursor_field and cursor is not None:
            c.cursors[name] = cursor
        if finished:
            c.log("info", f"{name}: {self.est['records']} records synced to {self.table}",
                  {"entity": name, "records": self.est["records"]})

    def _cancel(self) -> None:
        c, dest, name = self.c, self.c.dest, self.plan.entity
        if self.incremental:
            dest.commit()  # keep what was loaded; the cursor moves only if pages are ordered
            if self.plan.cursor_ordered and self.plan.cursor_field:
                cursor = later(self.est["lower_bound"], self.est["max_cursor"])
                if cursor is not None:
                    c.cursors[name] = cursor
        else:
            dest.rollback()
            dest.drop_table(self.staging)
            dest.drop_table(self.marker)
            dest.commit()
        c.log("info", f"{name}: cancelled", {"entity": name})


# -- the rest of the contract ------------------------------------------------------------
def abort(request: SyncRequest, state: dict[str, Any] | None) -> None:
    """Drop every staging table of this execution (the live tables stay as they are)."""
    tag = execution_tag(request.execution_id)
    dest = open_destination(request.destination)
    try:
        with dest.guard():
            for name in dest.staging_tables():
                if staging_tag(name) == tag:
                    dest.drop_table(name)
            dest.commit()
    finally:
        dest.close()


def drop_stale_staging(destination: DestinationConfig, keep_execution_ids: set[str]) -> list[str]:
    """Drop staging tables of executions not in `keep_execution_ids`; their names."""
    keep = {execution_tag(e) for e in keep_execution_ids}
    dest = open_destination(destination)
    dropped = []
    try:
        with dest.guard():
            for name in dest.staging_tables():
                if staging_tag(name) not in keep:
                    dest.drop_table(name)
                    dropped.append(name)
            dest.commit()
    finally:
        dest.close()
    return dropped


def list_entities(source: SourceConfig) -> list[EntityInfo]:
    src = open_source(source)
    try:
        with src.guard():
            return src.entities()
    finally:
        src.close()


def check_source(source: SourceConfig) -> dict[str, Any]:
    """Connect and read one page; raises a TransientError or TerminalError on failure."""
    src = open_source(source)
    try:
        with src.guard():
            return src.check()
    finally:
        src.close()


def check_destination(destination: DestinationConfig) -> dict[str, Any]:
    """SELECT 1, then create and drop a probe table in a rolled-back transaction."""
    dest = open_destination(destination)
    try:
        result = dest.check()
        with dest.guard():
            dest.begin()
            probe = "_sj_probe"
            dest.create_table(probe, {"id": "int"})
            dest.drop_table(probe)
            dest.rollback()
        return {**result, "writable": True}
    finally:
        dest.close()
