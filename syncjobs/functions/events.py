"""Event names and payloads: ids only, never a credential."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import inngest

EXECUTE = "sync/job.execute"
MANUAL = "sync/job.manual"
CANCEL = "sync/job.cancel"


def job_event(
    name: str, *, job_id: str, workspace_id: str, execution_id: str, trigger: str,
    scheduled_for: datetime | None = None, **extra: Any,
) -> inngest.Event:
    data: dict[str, Any] = {
        "job_id": job_id, "workspace_id": workspace_id, "execution_id": execution_id,
        "trigger": trigger,
        "scheduled_for": scheduled_for.isoformat() if scheduled_for else None,
    }
    data.update(extra)
    return inngest.Event(name=name, data=data)


def cancel_event(*, job_id: str, workspace_id: str, execution_id: str,
                 reason: str = "cancelled by user") -> inngest.Event:
    return inngest.Event(name=CANCEL, data={
        "job_id": job_id, "workspace_id": workspace_id, "execution_id": execution_id,
        "reason": reason,
    })
