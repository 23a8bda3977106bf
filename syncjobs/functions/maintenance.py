"""`cancel-sync-job` and `cleanup-abandoned-jobs`: ending what should end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import inngest

from syncjobs.context import AppContext
from syncjobs.functions import events, lifecycle, sweep

CANCEL_BATCH = 1000


def make_cancel(client: inngest.Inngest, ctx: AppContext) -> inngest.Function[Any]:
    @client.create_function(
        fn_id="cancel-sync-job", name="Cancel sync job",
        trigger=inngest.TriggerEvent(event=events.CANCEL), retries=3,
    )
    def cancel(ictx: inngest.ContextSync) -> dict[str, Any]:
        data: dict[str, Any] = dict(ictx.event.data or {})
        execution_id = str(data["execution_id"])
        # The running chunk sees the flag between pages and ends the execution
        # itself; a run stopped between steps is ended here after the grace.
        out = ictx.step.run("request-cancel", lifecycle.request_cancel, ctx, execution_id)
        if out["status"] != "running":
            return out
        ictx.step.sleep("grace", timedelta(seconds=ctx.settings.cancel_grace_seconds))
        return ictx.step.run("finalize", lifecycle.finalize_cancel, ctx, execution_id)

    return cancel


def make_cleanup(client: inngest.Inngest, ctx: AppContext) -> inngest.Function[Any]:
    @client.create_function(
        fn_id="cleanup-abandoned-jobs", name="Clean up abandoned jobs",
        trigger=inngest.TriggerCron(cron="*/5 * * * *"), retries=2,
    )
    def cleanup(ictx: inngest.ContextSync) -> dict[str, Any]:
        swept = ictx.step.run("abandon-stale", sweep.abandon_stale, ctx)
        ended: list[dict[str, str]] = swept["abandoned"]
        for number, first in enumerate(range(0, len(ended), CANCEL_BATCH)):
            ictx.step.send_event(f"cancel-runs-{number}", [
                events.cancel_event(job_id=row["job_id"], workspace_id=row["workspace_id"],
                                    execution_id=row["execution_id"], reason="abandoned")
                for row in ended[first:first + CANCEL_BATCH]
            ])
        staging = ictx.step.run("drop-staging", sweep.drop_staging, ctx)
        return {"abandoned": len(ended), "locks_dropped": swept["locks_dropped"], **staging}

    return cleanup
