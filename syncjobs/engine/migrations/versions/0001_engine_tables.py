"""engine tables

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engine_cron_ticks",
        sa.Column("function_id", sa.String(length=255), nullable=False),
        sa.Column("tick_at", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("function_id", "tick_at"),
    )
    op.create_table(
        "engine_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("processed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("engine_events", schema=None) as batch_op:
        batch_op.create_index("ix_engine_events_pending", ["processed", "seq"], unique=False)

    op.create_table(
        "engine_functions",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("app_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("engine_functions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engine_functions_app_id"), ["app_id"], unique=False)

    op.create_table(
        "engine_idempotency",
        sa.Column("function_id", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("function_id", "key"),
    )
    op.create_table(
        "engine_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "engine_queue",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("step_id", sa.String(length=64), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("available_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("engine_queue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engine_queue_available_at"), ["available_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_engine_queue_run_id"), ["run_id"], unique=False)

    op.create_table(
        "engine_runs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("function_id", sa.String(length=255), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("disable_immediate", sa.Boolean(), nullable=False),
        sa.Column("stack", sa.Text(), nullable=False),
        sa.Column("step_count", sa.Integer(), nullable=False),
        sa.Column("concurrency", sa.Text(), nullable=False),
        sa.Column("singleton_key", sa.String(length=512), nullable=True),
        sa.Column("parent_run_id", sa.String(length=64), nullable=True),
        sa.Column("parent_step_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("function_id", "event_id", name="uq_engine_runs_fn_event"),
    )
    with op.batch_alter_table("engine_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_engine_runs_fn_created", ["function_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_engine_runs_status", ["status", "created_at"], unique=False)

    op.create_table(
        "engine_steps",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("step_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("op", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.Column("output_size", sa.Integer(), nullable=True),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "step_id"),
    )
    op.create_table(
        "engine_waits",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("step_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("event_name", sa.String(length=255), nullable=True),
        sa.Column("expression", sa.Text(), nullable=True),
        sa.Column("child_run_id", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "step_id"),
    )
    with op.batch_alter_table("engine_waits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engine_waits_child_run_id"), ["child_run_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_engine_waits_event_name"), ["event_name"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("engine_waits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engine_waits_event_name"))
        batch_op.drop_index(batch_op.f("ix_engine_waits_child_run_id"))

    op.drop_table("engine_waits")
    op.drop_table("engine_steps")
    with op.batch_alter_table("engine_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_engine_runs_status")
        batch_op.drop_index("ix_engine_runs_fn_created")

    op.drop_table("engine_runs")
    with op.batch_alter_table("engine_queue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engine_queue_run_id"))
        batch_op.drop_index(batch_op.f("ix_engine_queue_available_at"))

    op.drop_table("engine_queue")
    op.drop_table("engine_lease")
    op.drop_table("engine_idempotency")
    with op.batch_alter_table("engine_functions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engine_functions_app_id"))

    op.drop_table("engine_functions")
    with op.batch_alter_table("engine_events", schema=None) as batch_op:
        batch_op.drop_index("ix_engine_events_pending")

    op.drop_table("engine_events")
    op.drop_table("engine_cron_ticks")
