"""Named leases with an expiry: held while a chunk runs, dropped by the sweeper when stale."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from syncjobs.store.models import Lock


def acquire(session: Session, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease; False while someone else holds an unexpired one."""
    taken = session.execute(
        sa.update(Lock)
        .where(Lock.name == name, sa.or_(Lock.owner == owner, Lock.expires_at < now))
        .values(owner=owner, expires_at=now + ttl)
    ).rowcount  # type: ignore[attr-defined]
    if taken:
        return True
    try:
        with session.begin_nested():
            session.add(Lock(name=name, owner=owner, expires_at=now + ttl))
            session.flush()
    except IntegrityError:
        return False
    return True


def release(session: Session, name: str, owner: str) -> None:
    session.execute(sa.delete(Lock).where(Lock.name == name, Lock.owner == owner))


def drop_expired(session: Session, now: datetime) -> int:
    return int(session.execute(sa.delete(Lock).where(Lock.expires_at < now)).rowcount)  # type: ignore[attr-defined]


def holder(session: Session, name: str) -> Lock | None:
    return session.get(Lock, name)


def steal(session: Session, name: str, expected_owner: str, owner: str, now: datetime,
          ttl: timedelta) -> bool:
    """Take a lease from a holder known to be dead (compare-and-set on its owner)."""
    taken = session.execute(
        sa.update(Lock).where(Lock.name == name, Lock.owner == expected_owner)
        .values(owner=owner, expires_at=now + ttl)
    ).rowcount  # type: ignore[attr-defined]
    return bool(taken)
