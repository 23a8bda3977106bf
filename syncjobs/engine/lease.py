"""The executor lease: one engine per database executes; the others stand by."""

from __future__ import annotations

import time

import sqlalchemy as sa

from syncjobs.liveness import dead_here

from . import schema as t

NAME = "executor"


class LeaseLost(Exception):
    """This engine no longer holds the lease: another one may be executing."""


def wall_ms() -> int:
    # Leases measure real liveness, so they use the wall clock even when tests
    # inject a clock for schedules.
    return int(time.time() * 1000)


def try_acquire(conn: sa.Connection, holder: str, lease_ms: int) -> bool:
    """Take or renew the lease; True when `holder` has it until now + lease_ms."""
    now = wall_ms()
    row = conn.execute(sa.select(t.lease).where(t.lease.c.name == NAME)).first()
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(
                    t.lease.insert().values(name=NAME, holder=holder, expires_at=now + lease_ms)
                )
        except sa.exc.IntegrityError:
            return False
        return True
    if row.holder != holder and row.expires_at >= now and not dead_here(row.holder):
        # Held and alive (or on another host, where only expiry can tell).
        return False
    if row.holder == holder:
        # A renewal: only a takeover (below, by another engine) changes the holder.
        where = [t.lease.c.name == NAME, t.lease.c.holder == holder]
    else:
        # Compare-and-set: engines taking the lapsed lease at once win or lose whole.
        where = [t.lease.c.name == NAME, t.lease.c.holder == row.holder,
                 t.lease.c.expires_at == row.expires_at]
    updated = conn.execute(
        t.lease.update().where(*where).values(holder=holder, expires_at=now + lease_ms)
    ).rowcount
    return bool(updated == 1)


def check(conn: sa.Connection, holder: str) -> None:
    """Fence a write: raise `LeaseLost` unless `holder` still holds a live lease."""
    row = conn.execute(sa.select(t.lease).where(t.lease.c.name == NAME)).first()
    if row is None or row.holder != holder or row.expires_at < wall_ms():
        raise LeaseLost(f"engine {holder} lost the executor lease")


def release(conn: sa.Connection, holder: str) -> None:
    """Give the lease up at once so a standby takes over without waiting it out."""
    conn.execute(
        t.lease.update()
        .where(t.lease.c.name == NAME, t.lease.c.holder == holder)
        .values(expires_at=0)
    )


def holder(conn: sa.Connection) -> str | None:
    row = conn.execute(sa.select(t.lease).where(t.lease.c.name == NAME)).first()
    return None if row is None or row.expires_at < wall_ms() else str(row.holder)
