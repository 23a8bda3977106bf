"""Job state: the committed incremental cursor per job and entity."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from syncjobs.store.models import JobState
from syncjobs.store.types import utcnow


def cursors(session: Session, job_id: str) -> dict[str, Any]:
    rows = session.scalars(sa.select(JobState).where(JobState.job_id == job_id))
    return {row.entity: row.cursor for row in rows if row.cursor is not None}


def save_cursors(session: Session, job_id: str, values: dict[str, Any]) -> None:
    for entity, cursor in values.items():
        row = session.get(JobState, (job_id, entity))
        if row is None:
            session.add(JobState(job_id=job_id, entity=entity, cursor=cursor, updated_at=utcnow()))
        else:
            row.cursor = cursor
    session.flush()


def reset(session: Session, job_id: str) -> None:
    session.execute(sa.delete(JobState).where(JobState.job_id == job_id))
