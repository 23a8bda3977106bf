"""Sources and destinations: CRUD, connection check, and the source's entity list.

One router factory serves both kinds: they differ only in the config models and
the check they run. Configs are validated by the sync layer's models, stored
encrypted, and answered masked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from syncjobs import sync
from syncjobs.api.deps import Ctx, DbSession, WorkspaceId, in_session, reads
from syncjobs.api.schemas import CheckOut, ConnectorIn, ConnectorOut, ConnectorPatch, EntityOut
from syncjobs.context import AppContext
from syncjobs.errors import ConnectorError
from syncjobs.store import connectors
from syncjobs.store.crypto import Cipher
from syncjobs.store.models import Destination, Source

Parse = Callable[[str, dict[str, Any]], BaseModel]


def to_out(row: Source | Destination, model: BaseModel) -> ConnectorOut:
    return ConnectorOut(
        id=row.id, name=row.name, type=row.type, config=sync.mask_config(model),
        created_at=row.created_at, updated_at=row.updated_at,
    )


def load(row: Source | Destination, cipher: Cipher, parse: Parse) -> BaseModel:
    return parse(row.type, connectors.config_of(row, cipher))


def _check(run: Callable[[Any], dict[str, Any]], model: BaseModel) -> CheckOut:
    try:
        details = run(model)
    except ConnectorError as exc:
        return CheckOut(ok=False, message=str(exc), code=exc.code)
    return CheckOut(ok=True, message="connected", details=details or {})


def _with_defaults(ctx: AppContext, type_: str, raw: dict[str, Any]) -> dict[str, Any]:
    if type_ == "duckdb" and not raw.get("path"):
        # The embedded warehouse, written down so that the config says where it is.
        return {**raw, "path": str(ctx.settings.warehouse_path.resolve())}
    return raw


def make_router(kind: str) -> APIRouter:
    model: connectors.Kind = Source if kind == "sources" else Destination
    parse: Parse = sync.parse_source_config if kind == "sources" else sync.parse_destination_config
    check: Callable[[Any], dict[str, Any]] = (
        sync.check_source if kind == "sources" else sync.check_destination
    )
    router = APIRouter(prefix="/api/workspaces/{ws}/" + kind, tags=[kind])

    @reads(router.get(""))
    def list_connectors(ws: WorkspaceId, session: DbSession, ctx: Ctx) -> list[ConnectorOut]:
        rows = connectors.list_(session, model, ws)
        return [to_out(row, load(row, ctx.cipher, parse)) for row in rows]

    @router.post("", status_code=status.HTTP_201_CREATED)
    def create_connector(
        body: ConnectorIn, ws: WorkspaceId, session: DbSession, ctx: Ctx
    ) -> ConnectorOut:
        config = parse(body.type, _with_defaults(ctx, body.type, body.config))
        row = connectors.create(
            session, model, ctx.cipher, ws, body.name, body.type, sync.stored_form(config)
        )
        return to_out(row, config)

    @reads(router.get("/{item_id}"))
    def get_connector(item_id: str, ws: WorkspaceId, session: DbSession, ctx: Ctx) -> ConnectorOut:
        row = connectors.get(session, model, ws, item_id)
        return to_out(row, load(row, ctx.cipher, parse))

    @router.patch("/{item_id}")
    def update_connector(
        item_id: str, body: ConnectorPatch, ws: WorkspaceId, session: DbSession, ctx: Ctx
    ) -> ConnectorOut:
        row = connectors.get(session, model, ws, item_id)
        current = load(row, ctx.cipher, parse)
        config = current
        if body.config is not None:
            config = parse(row.type, sync.merge_masked(body.config, current))
        connectors.update(
            session, row, ctx.cipher, name=body.name,
            config=sync.stored_form(config) if body.config is not None else None,
        )
        return to_out(row, config)

    @router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
    def delete_connector(item_id: str, ws: WorkspaceId, session: DbSession) -> Response:
        connectors.delete(session, connectors.get(session, model, ws, item_id))
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.post("/{item_id}/check")
    async def check_connector(item_id: str, ws: WorkspaceId, ctx: Ctx) -> CheckOut:
        config = await in_session(ctx, lambda session: load(
            connectors.get(session, model, ws, item_id), ctx.cipher, parse))
        return await run_in_threadpool(_check, check, config)

    if kind == "sources":

        @router.get("/{item_id}/entities")
        async def list_entities(item_id: str, ws: WorkspaceId, ctx: Ctx) -> list[EntityOut]:
            config = await in_session(ctx, lambda session: load(
                connectors.get(session, model, ws, item_id), ctx.cipher, parse))
            found = await run_in_threadpool(sync.list_entities, config)  # type: ignore[arg-type]
            return [EntityOut(name=e.name, primary_key=e.primary_key) for e in found]

    return router


sources_router = make_router("sources")
destinations_router = make_router("destinations")
