"""`sync-job`: one execution of one job, claim → start → chunk steps → finish."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import inngest

from syncjobs.context import AppContext
from syncjobs.functions import events, lifecycle
from syncjobs.functions.chunks import fail_execution, run_chunk

# Steps per run stay far inside Inngest's 1,000: past this many chunks the
# execution continues in a follow-up run that carries the resumable state.
MAX_CHUNKS_PER_RUN = 900


def make(client: inngest.Inngest, ctx: AppContext) -> inngest.Function[Any]:
    settings = ctx.settings

    def on_failure(ictx: inngest.ContextSync) -> None:
        # The run failed for good outside a chunk (a bug, a DB outage through
        # every retry): the execution must still end, not stay `running`.
        failed: dict[str, Any] = dict(ictx.event.data or {})
        original: dict[str, Any] = failed.get("event") or {}
        execution_id = (original.get("data") or {}).get("execution_id")
        error: dict[str, Any] = failed.get("error") or {}
        if execution_id:
            fail_execution(ctx, str(execution_id), "RUN_FAILED",
                           str(error.get("message") or "the run failed"))

    @client.create_function(
        fn_id="sync-job",
        name="Sync job",
        trigger=inngest.TriggerEvent(event=events.EXECUTE),
        concurrency=[
            inngest.Concurrency(limit=1, key="event.data.job_id"),
            inngest.Concurrency(limit=settings.max_concurrent_syncs),
        ],
        retries=settings.sync_retries,
        cancel=[inngest.Cancel(event=events.CANCEL,
                               if_exp="event.data.execution_id == async.data.execution_id")],
        on_failure=on_failure,
    )
    def sync_job(ictx: inngest.ContextSync) -> dict[str, Any]:
        data: dict[str, Any] = dict(ictx.event.data or {})
        execution_id = str(data["execution_id"])
        resume = data.get("resume_state") is not None
        delay = lifecycle.jitter_seconds(execution_id, settings.schedule_jitter_seconds)
        if data.get("trigger") == "scheduled" and delay and not resume:
            ictx.step.sleep("jitter", timedelta(seconds=delay))
        claimed = ictx.step.run("claim", lifecycle.claim, ctx, execution_id, ictx.run_id,
                                ictx.attempt, resume)
        if claimed.get("stop"):
            return {"status": claimed["stop"]}
        if not resume:
            ictx.step.run("start-job", lifecycle.mark_job_started, ctx, execution_id)
        state: dict[str, Any] | None = data.get("resume_state")
        index = int(data.get("chunk_offset") or 0)
        for _ in range(MAX_CHUNKS_PER_RUN):
            try:
                out = ictx.step.run(f"chunk-{index}", run_chunk, ctx, execution_id, index, state,
                                    ictx.attempt)
            except inngest.StepError as err:
                ictx.step.run("fail", fail_execution, ctx, execution_id, "SYNC_FAILED",
                              err.message)
                return {"status": "failed", "error": err.message}
            if out.get("stop"):
                return {"status": out["stop"], "error": out.get("error")}
            state, index = out["state"], index + 1
            if out["done"]:
                return ictx.step.run("finish", lifecycle.finish, ctx, execution_id)
        ictx.step.send_event("continue", events.job_event(
            events.EXECUTE, job_id=str(data["job_id"]), workspace_id=str(data["workspace_id"]),
            execution_id=execution_id, trigger=str(data.get("trigger") or "manual"),
            resume_state=state, chunk_offset=index,
        ))
        return {"status": "continued", "chunks": index}

    return sync_job
