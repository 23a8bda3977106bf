"""Workspaces and their API keys (stored as SHA-256 digests, compared in constant time)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from syncjobs.store.models import ApiKey, Workspace, new_id

KEY_PREFIX = "sjk_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(session: Session, name: str) -> tuple[Workspace, str]:
    """A new workspace and its first API key; the key is returned once, never stored."""
    workspace = Workspace(id=new_id("ws"), name=name)
    session.add(workspace)
    session.flush()
    return workspace, add_key(session, workspace.id)


def add_key(session: Session, workspace_id: str) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiKey(id=new_id("key"), workspace_id=workspace_id, key_hash=hash_key(key), prefix=key[:10])
    )
    session.flush()
    return key


def workspace_for_key(session: Session, key: str) -> str | None:
    """The workspace id a key belongs to, or None."""
    return workspace_for_digest(session, hash_key(key))


def workspace_for_digest(session: Session, digest: str) -> str | None:
    """The workspace id of the key whose `hash_key` is `digest`, or None."""
    row = session.execute(
        sa.select(ApiKey.key_hash, ApiKey.workspace_id).where(ApiKey.key_hash == digest)
    ).first()
    # The lookup is by digest; compare again in constant time so that no
    # timing difference depends on how much of a guess was right.
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        return None
    return str(row.workspace_id)


def get(session: Session, workspace_id: str) -> Workspace | None:
    return session.get(Workspace, workspace_id)


def get_by_name(session: Session, name: str) -> Workspace | None:
    return session.scalars(sa.select(Workspace).where(Workspace.name == name)).first()


def count(session: Session) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(Workspace)) or 0)
