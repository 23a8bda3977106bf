"""SQLAlchemy models of the metadata store."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from syncjobs.store.types import JSONType, UTCDateTime, utcnow

ACTIVE_STATUSES = ("queued", "running")
TERMINAL_STATUSES = ("completed", "failed", "cancelled", "abandoned", "skipped")
EXECUTION_STATUSES = ACTIVE_STATUSES + TERMINAL_STATUSES

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id(prefix: str) -> str:
    """Readable, unguessable ids: `job_3f9a...` says what it names."""
    return f"{prefix}_{secrets.token_hex(10)}"


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApiKey(Base):
    """Workspace API keys, stored as SHA-256 digests; the key itself is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class _Connector:
    """Columns shared by sources and destinations; `config` is encrypted as a whole."""

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    type: Mapped[str] = mapped_column(sa.String(40))
    config_encrypted: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Source(_Connector, Base):
    __tablename__ = "sources"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )


class Destination(_Connector, Base):
    __tablename__ = "destinations"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )


class SyncJob(Base):
    __tablename__ = "sync_jobs"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "name"),
        # The scheduler's query: enabled jobs whose next_run_at has come.
        sa.Index("ix_sync_jobs_due", "enabled", "next_run_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    source_id: Mapped[str] = mapped_column(sa.ForeignKey("sources.id"), index=True)
    destination_id: Mapped[str] = mapped_column(sa.ForeignKey("destinations.id"), index=True)
    entities: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sync_mode: Mapped[str] = mapped_column(sa.String(20), default="full")
    table_prefix: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    cron: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    timezone: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    missed_runs: Mapped[str] = mapped_column(sa.String(20), default="run_once")
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    run_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Execution(Base):
    __tablename__ = "executions"
    __table_args__ = (
        # Invariant 1: at most one queued-or-running execution per job, enforced
        # by the database whatever the engine or the API does.
        sa.Index(
            "uq_executions_one_active_per_job",
            "job_id",
            unique=True,
            postgresql_where=sa.text("status IN ('queued', 'running')"),
            sqlite_where=sa.text("status IN ('queued', 'running')"),
        ),
        # Invariant 2: a scheduled slot fires at most once (NULLs, manual runs, never clash).
        sa.UniqueConstraint("job_id", "scheduled_for"),
        sa.Index("ix_executions_job_queued", "job_id", "queued_at"),
        sa.Index("ix_executions_status_heartbeat", "status", "last_heartbeat"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    job_id: Mapped[str] = mapped_column(sa.ForeignKey("sync_jobs.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    trigger: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_heartbeat: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    attempt: Mapped[int] = mapped_column(sa.Integer, default=0)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    system: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    progress: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    cancel_requested: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    event_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    run_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    log_seq: Mapped[int] = mapped_column(sa.Integer, default=0)


class ExecutionLog(Base):
    """One row per log line: logs are paged and trimmed, never one growing document."""

    __tablename__ = "execution_logs"
    __table_args__ = (sa.UniqueConstraint("execution_id", "seq"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    execution_id: Mapped[str] = mapped_column(
        sa.ForeignKey("executions.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(sa.Integer)
    ts: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    level: Mapped[str] = mapped_column(sa.String(10))
    message: Mapped[str] = mapped_column(sa.Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)


class JobState(Base):
    """Per job and entity: the committed incremental cursor and resumable fetch state."""

    __tablename__ = "job_state"

    job_id: Mapped[str] = mapped_column(
        sa.ForeignKey("sync_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    entity: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    cursor: Mapped[Any] = mapped_column(JSONType, nullable=True)
    state: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Lock(Base):
    """Named leases with an expiry (job locks, scheduler); the sweeper drops expired ones."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    owner: Mapped[str] = mapped_column(sa.String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
