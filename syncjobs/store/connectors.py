"""Sources and destinations: rows whose config is encrypted as one document."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from syncjobs.errors import ConflictError, NotFoundError
from syncjobs.store.crypto import Cipher
from syncjobs.store.models import Destination, Source, SyncJob, new_id

Connector = Source | Destination
Kind = type[Source] | type[Destination]

_KIND = {Source: "source", Destination: "destination"}
_PREFIX = {Source: "src", Destination: "dst"}


def create(
    session: Session, model: Kind, cipher: Cipher, workspace_id: str,
    name: str, type_: str, config: dict[str, Any],
) -> Connector:
    row: Connector = model(
        id=new_id(_PREFIX[model]), workspace_id=workspace_id, name=name, type=type_,
        config_encrypted=cipher.encrypt(config),
    )
    session.add(row)
    _flush_unique(session, model, name)
    return row


def get(session: Session, model: Kind, workspace_id: str, id_: str) -> Connector:
    """The row, if it belongs to this workspace; otherwise NotFound, as if it did not exist."""
    row = cast(Connector | None, session.get(model, id_))
    if row is None or row.workspace_id != workspace_id:
        raise NotFoundError(f"{_KIND[model]} {id_!r} not found in this workspace")
    return row


def list_(session: Session, model: Kind, workspace_id: str) -> list[Connector]:
    query = sa.select(model).where(model.workspace_id == workspace_id).order_by(model.created_at)
    return list(session.scalars(query))


def list_all(session: Session, model: Kind) -> list[Connector]:
    return list(session.scalars(sa.select(model)))


def update(
    session: Session, row: Connector, cipher: Cipher, *,
    name: str | None = None, config: dict[str, Any] | None = None,
) -> Connector:
    if name is not None:
        row.name = name
    if config is not None:
        row.config_encrypted = cipher.encrypt(config)
    _flush_unique(session, type(row), row.name)
    return row


def delete(session: Session, row: Source | Destination) -> None:
    column = SyncJob.source_id if isinstance(row, Source) else SyncJob.destination_id
    users = session.scalars(sa.select(SyncJob.name).where(column == row.id)).all()
    if users:
        raise ConflictError(
            f"{_KIND[type(row)]} {row.name!r} is used by sync jobs: {', '.join(sorted(users))}",
            hint="delete those jobs or point them elsewhere first",
        )
    session.delete(row)
    session.flush()


def config_of(row: Source | Destination, cipher: Cipher) -> dict[str, Any]:
    return cipher.decrypt(row.config_encrypted)


def _flush_unique(session: Session, model: Kind, name: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ConflictError(
            f"a {_KIND[model]} named {name!r} already exists in this workspace",
            hint="choose another name",
        ) from None


def rotate_all(session: Session, cipher: Cipher) -> int:
    """Re-encrypt every stored config under the first key; returns how many."""
    rows: list[Connector] = [*session.scalars(sa.select(Source)),
                             *session.scalars(sa.select(Destination))]
    for row in rows:
        row.config_encrypted = cipher.rotate(row.config_encrypted)
    session.flush()
    return len(rows)
