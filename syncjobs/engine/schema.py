"""The engine's tables (all prefixed `engine_`); times are epoch milliseconds, UTC."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

functions = sa.Table(
    "engine_functions",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("app_id", sa.String(255), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("config", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("registered_at", sa.BigInteger, nullable=False),
)

events = sa.Table(
    "engine_events",
    metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("ts", sa.BigInteger, nullable=False),
    sa.Column("received_at", sa.BigInteger, nullable=False),
    sa.Column("processed", sa.Boolean, nullable=False, default=False),
    sa.Index("ix_engine_events_pending", "processed", "seq"),
    # Never reuse a deleted id: in-flight bookkeeping keys on it.
    sqlite_autoincrement=True,
)

runs = sa.Table(
    "engine_runs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("function_id", sa.String(255), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("trigger", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("started_at", sa.BigInteger),
    sa.Column("ended_at", sa.BigInteger),
    sa.Column("output", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("disable_immediate", sa.Boolean, nullable=False, default=False),
    sa.Column("stack", sa.Text, nullable=False, default="[]"),
    sa.Column("step_count", sa.Integer, nullable=False, default=0),
    # JSON list of [slot key, limit]: the concurrency slots each call of this run takes.
    sa.Column("concurrency", sa.Text, nullable=False, default="[]"),
    sa.Column("singleton_key", sa.String(512)),
    sa.Column("parent_run_id", sa.String(64)),
    sa.Column("parent_step_id", sa.String(64)),
    # One run per function per event: a replayed event never starts a second run.
    sa.UniqueConstraint("function_id", "event_id", name="uq_engine_runs_fn_event"),
    sa.Index("ix_engine_runs_fn_created", "function_id", "created_at"),
    sa.Index("ix_engine_runs_status", "status", "created_at"),
)

steps = sa.Table(
    "engine_steps",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("step_id", sa.String(64), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("op", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False, default=0),
    sa.Column("started_at", sa.BigInteger),
    sa.Column("ended_at", sa.BigInteger),
    sa.Column("output_size", sa.Integer),
    # JSON text of the memo handed back to the SDK; NULL until the step is done.
    sa.Column("memo", sa.Text),
    sa.Column("error", sa.Text),
)

queue = sa.Table(
    "engine_queue",
    metadata,
    sa.Column("id", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(64), nullable=False, index=True),
    # call: POST /api/inngest; sleep: a durable timer; timeout: a wait that may lapse.
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("step_id", sa.String(64)),
    sa.Column("attempt", sa.Integer, nullable=False, default=0),
    sa.Column("available_at", sa.BigInteger, nullable=False, index=True),
    sqlite_autoincrement=True,
)

waits = sa.Table(
    "engine_waits",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("step_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("event_name", sa.String(255), index=True),
    sa.Column("expression", sa.Text),
    sa.Column("child_run_id", sa.String(64), index=True),
    sa.Column("expires_at", sa.BigInteger),
)

idempotency = sa.Table(
    "engine_idempotency",
    metadata,
    sa.Column("function_id", sa.String(255), primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)

cron_ticks = sa.Table(
    "engine_cron_ticks",
    metadata,
    sa.Column("function_id", sa.String(255), primary_key=True),
    sa.Column("tick_at", sa.BigInteger, primary_key=True),
    sa.Column("run_id", sa.String(64), nullable=False),
)

lease = sa.Table(
    "engine_lease",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(255), nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)

TERMINAL = frozenset({"completed", "failed", "cancelled"})
