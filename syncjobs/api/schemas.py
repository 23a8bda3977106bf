"""Request and response bodies of the API (snake_case; unknown fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# No NUL character: PostgreSQL text (and JSONB) cannot store one, so it would end as a 500.
NO_NUL = r"^[^\x00]*$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200,
                                        pattern=NO_NUL)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]
Entity = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkspaceIn(In):
    name: Name


class WorkspaceOut(BaseModel):
    id: str
    name: str


class WorkspaceCreated(BaseModel):
    id: str
    name: str
    api_key: str = Field(description="shown once; store it now")


class ConnectorIn(In):
    name: Name
    type: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    config: dict[str, Any] = Field(default_factory=dict)


class ConnectorPatch(In):
    name: Name | None = None
    config: dict[str, Any] | None = Field(
        None, description="a masked secret sent back unchanged keeps the stored one"
    )


class ConnectorOut(BaseModel):
    id: str
    name: str
    type: str
    config: dict[str, Any] = Field(description="secret fields masked")
    created_at: datetime
    updated_at: datetime


class CheckOut(BaseModel):
    ok: bool
    message: str
    code: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class EntityOut(BaseModel):
    name: str
    primary_key: list[str] | None = None


class Schedule(In):
    cron: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100,
                                           pattern=NO_NUL)]
    timezone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64,
                                               pattern=NO_NUL)] = "UTC"


SyncMode = Literal["full", "incremental"]
MissedRuns = Literal["run_once", "skip"]
Prefix = Annotated[str, StringConstraints(max_length=60, pattern=r"^[A-Za-z0-9_]*$")]


class JobIn(In):
    name: Name
    source_id: Id
    destination_id: Id
    entities: list[Entity] = Field(default_factory=list, max_length=1000,
                                   description="empty means all")
    sync_mode: SyncMode = "full"
    schedule: Schedule | None = None
    enabled: bool = True
    missed_runs: MissedRuns = "run_once"
    table_prefix: Prefix | None = Field(None, description="defaults to the source's name")


class JobPatch(In):
    name: Name | None = None
    source_id: Id | None = None
    destination_id: Id | None = None
    entities: list[Entity] | None = Field(None, max_length=1000)
    sync_mode: SyncMode | None = None
    schedule: Schedule | None = None
    enabled: bool | None = None
    missed_runs: MissedRuns | None = None
    table_prefix: Prefix | None = None


class ScheduleOut(BaseModel):
    cron: str
    timezone: str
    description: str | None = None


class ErrorInfo(BaseModel):
    code: str
    message: str


class JobOut(BaseModel):
    id: str
    name: str
    source_id: str
    destination_id: str
    entities: list[str]
    sync_mode: str
    table_prefix: str | None
    schedule: ScheduleOut | None
    enabled: bool
    missed_runs: str
    next_run_at: datetime | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error: ErrorInfo | None
    run_count: int
    created_at: datetime
    updated_at: datetime
    last_execution: dict[str, Any] | None = None


class FireTime(BaseModel):
    utc: datetime
    local: datetime


class ScheduleTimes(BaseModel):
    cron: str
    timezone: str
    description: str | None
    enabled: bool
    next: list[FireTime]


class ExecutionOut(BaseModel):
    id: str
    job_id: str
    trigger: str
    status: str
    scheduled_for: datetime | None
    queued_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    last_heartbeat: datetime | None
    duration_ms: int | None
    attempt: int
    error: dict[str, Any] | None
    context: dict[str, Any]
    stats: dict[str, Any]
    system: dict[str, Any]
    progress: dict[str, Any]
    cancel_requested: bool
    event_id: str | None
    run_id: str | None


class RunAccepted(BaseModel):
    execution_id: str
    event_id: str | None
    status: str
    message: str | None = None


class CancelIn(In):
    execution_id: Id | None = None


class CancelAccepted(BaseModel):
    execution_id: str
    status: str
    message: str | None = None


class JobStatus(BaseModel):
    is_running: bool
    execution: ExecutionOut | None


class History(BaseModel):
    items: list[ExecutionOut]
    total: int
    limit: int
    offset: int


class LogLine(BaseModel):
    seq: int
    ts: datetime
    level: str
    message: str
    data: dict[str, Any] | None


class LogPage(BaseModel):
    items: list[LogLine]
    next_after: int
    status: str
