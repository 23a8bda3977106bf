"""One chunk of one execution: load the job, run the sync executor, record the outcome.

This is the body of each chunk step of `sync-job`. It runs in a worker thread
(blocking I/O), returns a small JSON dict (never record data) and is safe to
run twice for the same chunk: the destination write is idempotent and the
metadata update is skipped when this chunk was already counted.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import inngest

from syncjobs import sync
from syncjobs.context import AppContext
from syncjobs.errors import SyncJobsError
from syncjobs.functions.ending import end
from syncjobs.functions.runlog import Redactor, RunLog
from syncjobs.functions.stats import add_stats
from syncjobs.liveness import dead_here, owner_id
from syncjobs.store import connectors, executions, jobs, locks
from syncjobs.store import state as job_state
from syncjobs.store.models import Destination, Execution, Source, SyncJob
from syncjobs.store.types import utcnow

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0
LOCK_SECONDS = 60.0
BEAT_EVERY = 0.2
CHUNKS_SHOWN = 200


class ChunkFailed(Exception):
    """A retriable failure whose message has been redacted (it travels in step output)."""


@dataclass
class Loaded:
    execution: Execution
    job: SyncJob
    request: sync.SyncRequest
    redactor: Redactor


def load(ctx: AppContext, execution_id: str) -> Loaded | None:
    """Everything a chunk needs, decrypted; None when the execution or its job is gone."""
    with ctx.db.session() as session:
        execution = executions.get(session, execution_id)
        if execution is None:
            return None
        try:
            job = jobs.get(session, execution.workspace_id, execution.job_id)
        except SyncJobsError:
            return None
        source_row = connectors.get(session, Source, job.workspace_id, job.source_id)
        dest_row = connectors.get(session, Destination, job.workspace_id, job.destination_id)
        cursors = job_state.cursors(session, job.id) if job.sync_mode == "incremental" else {}
    source = sync.parse_source_config(source_row.type, connectors.config_of(source_row, ctx.cipher))
    destination = sync.parse_destination_config(
        dest_row.type, connectors.config_of(dest_row, ctx.cipher)
    )
    request = sync.SyncRequest(
        source=source, destination=destination, entities=list(job.entities or []),
        mode="incremental" if job.sync_mode == "incremental" else "full",
        table_prefix=job.table_prefix if job.table_prefix is not None else
        default_prefix(source_row.name),
        execution_id=execution.id, cursors=cursors,
        chunk_records=ctx.settings.chunk_records, chunk_seconds=ctx.settings.chunk_seconds,
    )
    secrets = sync.secret_values(source) + sync.secret_values(destination)
    return Loaded(execution, job, request, Redactor(secrets))


def default_prefix(source_name: str) -> str:
    """`{source name}_`, made of safe characters (the destination quotes it anyway)."""
    cleaned = "".join(c if c.isalnum() else "_" for c in source_name.lower()).strip("_")
    return f"{cleaned}_" if cleaned else ""


class ChunkLock:
    """One worker at a time runs an execution's chunk; a dead holder's lease is taken over.

    The lease lasts LOCK_SECONDS and the heartbeat renews it. A holder on this
    host whose process is gone (a crash, a kill -9) is replaced at once;
    elsewhere its lease simply runs out.
    """

    def __init__(self, ctx: AppContext, execution_id: str, attempt: int) -> None:
        self._ctx = ctx
        self.name = f"execution:{execution_id}"
        self.owner = owner_id(attempt)
        self._ttl = timedelta(seconds=LOCK_SECONDS)

    def acquire(self) -> None:
        with self._ctx.db.session() as session:
            if locks.acquire(session, self.name, self.owner, utcnow(), self._ttl):
                return
            current = locks.holder(session, self.name)
            if current is not None and dead_here(current.owner) and locks.steal(
                session, self.name, current.owner, self.owner, utcnow(), self._ttl
            ):
                return
            until = current.expires_at if current else utcnow()
        raise inngest.RetryAfterError(
            "another worker is still running this execution's chunk", until)

    def renew(self) -> None:
        with self._ctx.db.session() as session:
            locks.acquire(session, self.name, self.owner, utcnow(), self._ttl)

    def release(self) -> None:
        with self._ctx.db.session() as session:
            locks.release(session, self.name, self.owner)


class Heartbeat:
    """Beats on demand (after each page) and at least every 15 s from a timer thread."""

    def __init__(self, ctx: AppContext, execution_id: str, lock: ChunkLock) -> None:
        self._ctx = ctx
        self._lock = lock
        self._id = execution_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._cancel = False
        self._last_beat = -BEAT_EVERY

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            self.beat(force=True)
            self._lock.renew()

    def beat(self, force: bool = False) -> None:
        """Record liveness and read the cancel flag; at most every BEAT_EVERY s unless forced.

        The sync calls it after each source request, which for a fast API is
        hundreds of times a second: the throttle keeps that off the metadata DB.
        """
        now = time.monotonic()
        if not force and now - self._last_beat < BEAT_EVERY:
            return
        self._last_beat = now
        try:
            with self._ctx.db.session() as session:
                executions.heartbeat(session, self._id)
                self._cancel = executions.cancel_requested(session, self._id)
        except Exception as exc:  # a missed beat is not worth failing a chunk
            log.warning("heartbeat failed: %s", type(exc).__name__,
                        extra={"execution_id": self._id})

    def should_cancel(self) -> bool:
        return self._cancel


def run_chunk(ctx: AppContext, execution_id: str, index: int, state: dict[str, Any] | None,
              attempt: int) -> dict[str, Any]:
    """Move one chunk; the answer says whether to go on, and is small JSON."""
    with ctx.metrics.step.labels("chunk").time():
        return _run_chunk(ctx, execution_id, index, state, attempt)


def _run_chunk(ctx: AppContext, execution_id: str, index: int, state: dict[str, Any] | None,
               attempt: int) -> dict[str, Any]:
    loaded = load(ctx, execution_id)
    if loaded is None:
        return {"stop": "gone"}
    if loaded.execution.status != "running":
        return {"stop": loaded.execution.status}
    runlog = RunLog(ctx.db, execution_id, loaded.redactor, ctx.settings.max_log_lines,
                    job_id=loaded.job.id)
    lock = ChunkLock(ctx, execution_id, attempt)
    lock.acquire()
    with ctx.db.session() as session:
        executions.transition(session, execution_id, ("running",), attempt=attempt)
    try:
        with Heartbeat(ctx, execution_id, lock) as heart:
            heart.beat(force=True)
            if heart.should_cancel():
                return _cancel(ctx, loaded, state, runlog)
            result = sync.run_chunk(
                loaded.request, state, should_cancel=heart.should_cancel, heartbeat=heart.beat,
                log=runlog,
            )
        entity = result.chunk.get("entity") or "-"
        runlog("info", f"chunk {index + 1}: {result.stats.get('records_processed', 0)} records "
               f"of {entity}", {"chunk": index + 1, "entity": entity, "done": result.done})
        runlog.flush()
        _record(ctx, loaded, index, result)
        if result.cancelled:
            return _cancel(ctx, loaded, result.state, runlog)
        return {"state": result.state, "done": result.done,
                "records": int(result.stats.get("records_processed", 0))}
    except SyncJobsError as exc:
        runlog("error", str(exc), {"code": exc.code})
        runlog.flush()
        if exc.is_retriable:
            message = loaded.redactor.text(str(exc))
            wait = getattr(exc, "retry_after", None)
            if wait:  # the source said when (Retry-After): the next attempt waits that long
                raise inngest.RetryAfterError(message, timedelta(seconds=float(wait))) from None
            raise ChunkFailed(message) from None
        return _fail(ctx, loaded, exc.code, loaded.redactor.text(str(exc)))
    except ChunkFailed:
        raise
    except Exception as exc:
        # Unexpected: retry (it may be transient), with a message free of secrets.
        message = loaded.redactor.text(f"{type(exc).__name__}: {exc}")
        runlog("error", message)
        runlog.flush()
        raise ChunkFailed(message) from None
    finally:
        lock.release()


def _record(ctx: AppContext, loaded: Loaded, index: int, result: sync.ChunkResult) -> None:
    """Cursors, stats and the chunk timeline in one transaction, once per chunk index."""
    with ctx.db.session() as session:
        execution = executions.get(session, loaded.execution.id)
        if execution is None:
            return
        progress = dict(execution.progress or {})
        if int(progress.get("chunks_done", 0)) > index:
            return  # this chunk was recorded before a crash; count it once
        if loaded.request.mode == "incremental" and result.committed_cursors:
            job_state.save_cursors(session, loaded.job.id, result.committed_cursors)
        chunks = [*progress.get("chunks", []), _jsonable(result.chunk)][-CHUNKS_SHOWN:]
        progress.update(chunks_done=index + 1, chunks=chunks, entity=result.chunk.get("entity"),
                        done=result.done)
        execution.stats = add_stats(execution.stats or {}, result.stats)
        ctx.metrics.records.inc(int(result.stats.get("records_processed", 0)))
        execution.progress = progress
        execution.last_heartbeat = utcnow()


def _cancel(ctx: AppContext, loaded: Loaded, state: dict[str, Any] | None,
            runlog: RunLog) -> dict[str, Any]:
    try:
        sync.abort(loaded.request, state)
    except SyncJobsError as exc:
        runlog("warning", f"could not drop the staging table: {exc}")
    runlog("info", "cancelled; committed data kept, staging dropped")
    runlog.flush()
    with ctx.db.session() as session:
        execution = executions.get(session, loaded.execution.id)
        if execution is not None:
            end(ctx, session, execution, "cancelled",
                              error={"code": "CANCELLED", "message": "cancelled on request"})
    return {"stop": "cancelled"}


def _fail(ctx: AppContext, loaded: Loaded, code: str, message: str) -> dict[str, Any]:
    fail_execution(ctx, loaded.execution.id, code, message, request=loaded.request)
    return {"stop": "failed", "error": {"code": code, "message": message}}


def fail_execution(ctx: AppContext, execution_id: str, code: str, message: str,
                   request: sync.SyncRequest | None = None) -> bool:
    """End an execution as failed (dropping its staging table); False if it had ended."""
    if request is None:
        loaded = load(ctx, execution_id)
        request = loaded.request if loaded else None
    if request is not None:
        try:
            sync.abort(request, None)
        except Exception as exc:
            log.warning("staging not dropped: %s", type(exc).__name__,
                        extra={"execution_id": execution_id})
    with ctx.db.session() as session:
        execution = executions.get(session, execution_id)
        if execution is None:
            return False
        return end(ctx, session, execution, "failed",
                                 error={"code": code, "message": message})


def _jsonable(chunk: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in chunk.items()}
