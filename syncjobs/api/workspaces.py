"""POST /api/workspaces: the admin creates a workspace and gets its API key once."""

from __future__ import annotations

from fastapi import APIRouter, status

from syncjobs.api.deps import Admin, DbSession
from syncjobs.api.schemas import WorkspaceCreated, WorkspaceIn
from syncjobs.store import workspaces

router = APIRouter(prefix="/api/workspaces", tags=["workspaces"])


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[Admin])
def create_workspace(body: WorkspaceIn, session: DbSession) -> WorkspaceCreated:
    workspace, key = workspaces.create(session, body.name)
    return WorkspaceCreated(id=workspace.id, name=workspace.name, api_key=key)
