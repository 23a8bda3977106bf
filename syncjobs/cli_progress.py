"""`jobs run --wait`: a progress bar with entity, records and records per second."""

from __future__ import annotations

import time
from typing import Any

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from syncjobs.apiclient import ApiClient

ACTIVE = ("queued", "running")


def follow(api: ApiClient, job_id: str, execution_id: str, poll: float = 0.5) -> dict[str, Any]:
    """Poll the execution until it ends; returns its final state."""
    path = api.ws(f"/sync-jobs/{job_id}/executions/{execution_id}")
    started = time.monotonic()
    columns = (SpinnerColumn(), TextColumn("{task.fields[status]:<9}"),
               TextColumn("[bold]{task.fields[entity]}"), BarColumn(),
               TextColumn("{task.completed:,.0f} records"),
               TextColumn("{task.fields[rate]:,.0f} rec/s"), TimeElapsedColumn())
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task("sync", total=None, status="queued", entity="-", rate=0.0)
        while True:
            execution: dict[str, Any] = api.get(path)
            records = int((execution.get("stats") or {}).get("records_processed", 0))
            elapsed = max(time.monotonic() - started, 1e-6)
            progress.update(task, completed=records, status=execution["status"],
                            entity=(execution.get("progress") or {}).get("entity") or "-",
                            rate=records / elapsed)
            if execution["status"] not in ACTIVE:
                progress.update(task, total=max(records, 1), completed=max(records, 1)
                                if execution["status"] == "completed" else records)
                return execution
            time.sleep(poll)
