"""Creating the demo workspace: the demo API as a source, DuckDB as destination, a job a minute."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syncjobs import schedule, sync
from syncjobs.context import AppContext
from syncjobs.store import connectors, jobs, workspaces
from syncjobs.store.models import Destination, Source

NAME = "demo"


@dataclass
class DemoInfo:
    workspace_id: str
    api_key: str
    job_id: str
    created: bool


def source_config(app_url: str) -> dict[str, Any]:
    def entity(name: str) -> dict[str, Any]:
        return {
            "name": name, "path": f"/{name}", "data_path": "data",
            "pagination": {"type": "offset", "limit": 100, "has_more_path": "has_more"},
            "incremental": {"cursor_field": "updated_at", "param": "updated_since"},
        }

    return {"base_url": f"{app_url}/demo-api/v1", "entities": [entity("customers"),
                                                              entity("orders")]}


def ensure_demo(ctx: AppContext, app_url: str, *, only_if_empty: bool) -> DemoInfo | None:
    """Create the demo workspace (or, when it exists, a new key for it).

    With `only_if_empty`, do nothing on a database that has any workspace: the
    demo is for the first run, not for a service already in use.
    """
    with ctx.db.session() as session:
        if only_if_empty and workspaces.count(session) > 0:
            return None
        existing = workspaces.get_by_name(session, NAME)
        if existing is not None:
            key = workspaces.add_key(session, existing.id)
            demo_jobs = jobs.list_(session, existing.id)
            return DemoInfo(existing.id, key, demo_jobs[0].id if demo_jobs else "", False)
        ws, key = workspaces.create(session, NAME)
        src = sync.parse_source_config("rest", source_config(app_url))
        dst = sync.parse_destination_config("duckdb", {
            "path": str(ctx.settings.warehouse_path.resolve()), "schema": "demo"})
        source = connectors.create(session, Source, ctx.cipher, ws.id, "demo-api", "rest",
                                   sync.stored_form(src))
        destination = connectors.create(session, Destination, ctx.cipher, ws.id, "warehouse",
                                        "duckdb", sync.stored_form(dst))
        job = jobs.create(
            session, ws.id, name="demo: api to duckdb", source_id=source.id,
            destination_id=destination.id, entities=[], sync_mode="incremental",
            table_prefix="demo_", cron="* * * * *", timezone="UTC", enabled=True,
            missed_runs="skip",
            next_run_at=schedule.next_run_after("* * * * *", "UTC", ctx.clock()),
        )
        return DemoInfo(ws.id, key, job.id, True)
