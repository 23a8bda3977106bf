"""POST /api/workspaces: the admin creates a workspace and gets its API key once."""

from __future__ import annotations

from fastapi import APIRouter, status

from syncjobs.api.deps import Admin, Credentials, DbSession, reads
from syncjobs.api.schemas import WorkspaceCreated, WorkspaceIn, WorkspaceOut
from syncjobs.errors import AuthError
from syncjobs.store import workspaces

router = APIRouter(prefix="/api/workspaces", tags=["workspaces"])


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[Admin])
def create_workspace(body: WorkspaceIn, session: DbSession) -> WorkspaceCreated:
    workspace, key = workspaces.create(session, body.name)
    return WorkspaceCreated(id=workspace.id, name=workspace.name, api_key=key)


@reads(router.get("/me", response_model=WorkspaceOut))
def my_workspace(credentials: Credentials, session: DbSession) -> WorkspaceOut:
    """The workspace of the API key sent: how a client learns its workspace id."""
    if credentials is None or not credentials.credentials:
        raise AuthError("missing API key", hint="send `Authorization: Bearer <workspace API key>`")
    ws_id = workspaces.workspace_for_key(session, credentials.credentials)
    workspace = workspaces.get(session, ws_id) if ws_id else None
    if workspace is None:
        raise AuthError("invalid API key", hint="check the key; a workspace key is shown once")
    return WorkspaceOut(id=workspace.id, name=workspace.name)
