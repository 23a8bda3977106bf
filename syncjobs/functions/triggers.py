"""`scheduled-sync-jobs` and `manual-sync-job`: the two ways a `sync/job.execute` is born."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import inngest

from syncjobs.context import AppContext
from syncjobs.functions import due, events

# Events per send_event step: 10,000 due jobs are 10 steps, far inside 1,000.
SEND_BATCH = 1000


def make_scheduled(client: inngest.Inngest, ctx: AppContext) -> inngest.Function[Any]:
    def claim() -> dict[str, Any]:
        with ctx.db.session() as session:
            return due.claim_due(session, ctx.clock())

    @client.create_function(
        fn_id="scheduled-sync-jobs", name="Scheduled sync jobs",
        trigger=inngest.TriggerCron(cron="* * * * *"), retries=2,
    )
    def scheduled(ictx: inngest.ContextSync) -> dict[str, Any]:
        claimed = ictx.step.run("claim-due", claim)
        rows: list[list[str]] = claimed["start"]
        for number, first in enumerate(range(0, len(rows), SEND_BATCH)):
            batch = [
                events.job_event(events.EXECUTE, job_id=job_id, workspace_id=ws,
                                 execution_id=execution_id, trigger="scheduled",
                                 scheduled_for=datetime.fromisoformat(slot))
                for job_id, ws, execution_id, slot in rows[first:first + SEND_BATCH]
            ]
            ictx.step.send_event(f"start-{number}", batch)
        return {"started": len(rows), "skipped": claimed["skipped"], "missed": claimed["missed"]}

    return scheduled


def make_manual(client: inngest.Inngest, _ctx: AppContext) -> inngest.Function[Any]:
    @client.create_function(
        fn_id="manual-sync-job", name="Manual sync job",
        trigger=inngest.TriggerEvent(event=events.MANUAL), retries=2,
    )
    def manual(ictx: inngest.ContextSync) -> dict[str, Any]:
        data: dict[str, Any] = dict(ictx.event.data or {})
        ids = ictx.step.send_event("execute", events.job_event(
            events.EXECUTE, job_id=str(data["job_id"]), workspace_id=str(data["workspace_id"]),
            execution_id=str(data["execution_id"]), trigger="manual",
        ))
        return {"event_ids": ids}

    return manual
