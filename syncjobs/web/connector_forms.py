"""Forms for sources and destinations: a type, an input per simple field, the JSON config.

The JSON is what is posted; the field inputs edit it in the browser. Secrets are
write-only.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError

from syncjobs import sync
from syncjobs.api.schemas import ConnectorIn, ConnectorOut, ConnectorPatch
from syncjobs.errors import ConfigError, ConflictError, NotFoundError
from syncjobs.sync.secrets import MASK, is_secret_name, replace_url_password, url_password
from syncjobs.web.auth import Current, Guarded, ctx_of
from syncjobs.web.feeds import connector_endpoint
from syncjobs.web.pages import notice
from syncjobs.web.security import DashboardRoute
from syncjobs.web.views import render

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)
REGISTRY: dict[str, dict[str, type[BaseModel]]] = {
    "sources": sync.SOURCE_TYPES, "destinations": sync.DESTINATION_TYPES}
SINGULAR = {"sources": "source", "destinations": "destination"}
# Starting points a person can edit; the other types start from their schema's defaults.
EXAMPLES: dict[str, dict[str, Any]] = {
    "rest": {"base_url": "https://api.example.com/v1", "auth": {"type": "bearer", "token": ""},
             "entities": [{"name": "users", "path": "/users", "data_path": "data",
                           "pagination": {"type": "offset", "limit": 100,
                                          "has_more_path": "has_more"}}]},
    "sql": {"url": "postgresql://user:password@127.0.0.1:5432/db", "schema": "public"},
    "postgresql": {"url": "postgresql://user:password@127.0.0.1:5432/warehouse",
                   "schema": "public"},
    "sqlite": {"path": "/var/lib/syncjobs/warehouse.db"},
}


# The input a scalar field gets on the form; lists and objects are edited in the JSON.
INPUTS = {"string": "text", "integer": "number", "number": "number", "boolean": "checkbox"}


def fields(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The type's top-level fields: one input each for scalars, the JSON for the rest."""
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        if name == "type":
            continue
        write_only = bool(prop.get("secret") or prop.get("writeOnly"))
        variants = prop.get("anyOf", [prop])
        kinds = [p.get("type") or p.get("$ref", "object").rsplit("/", 1)[-1] for p in variants]
        scalar = [k for k in kinds if k != "null"]
        single = variants[kinds.index(scalar[0])] if len(scalar) == 1 else {}
        field_input = INPUTS.get(scalar[0]) if len(scalar) == 1 else None
        if field_input == "text" and write_only:
            field_input = "password"
        out.append({"name": name, "required": name in required,
                    "secret": write_only or bool(prop.get("secret_url")),
                    "secret_url": bool(prop.get("secret_url")),
                    "kind": " | ".join(str(k) for k in kinds if k),
                    "input": field_input, "integer": scalar == ["integer"],
                    "min": single.get("minimum"), "max": single.get("maximum"),
                    "default": prop.get("default"),
                    "description": prop.get("description", "")})
    return out


def template(type_: str, model: type[BaseModel]) -> dict[str, Any]:
    if type_ in EXAMPLES:
        return EXAMPLES[type_]
    schema = model.model_json_schema()
    blank: dict[str, Any] = {"string": "", "array": [], "object": {}, "integer": 0}
    out: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        if name == "type":
            continue
        if prop.get("default") is not None:
            out[name] = prop["default"]
        elif name in schema.get("required", []):
            out[name] = blank.get(str(prop.get("type", "string")), "")
    return out


def mask_raw(value: Any) -> Any:
    """Best-effort masking of a config that failed validation, before showing it again.

    By name, as a stored config is masked, plus `value` (an api_key auth's secret).
    """
    if isinstance(value, dict):
        return {k: (MASK if isinstance(v, str) and v and (is_secret_name(k) or k == "value")
                    else mask_raw(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_raw(v) for v in value]
    if isinstance(value, str) and url_password(value):
        return replace_url_password(value, MASK)
    return value


def form_values(kind: str, item: ConnectorOut | None = None) -> dict[str, Any]:
    types = REGISTRY[kind]
    return {
        "kind": kind, "singular": SINGULAR[kind], "item": item,
        "types": {t: {"fields": fields(m), "template": json.dumps(template(t, m), indent=2)}
                  for t, m in sorted(types.items())},
        "name": item.name if item else "", "type": item.type if item else sorted(types)[0],
        # A stored config comes back masked: its secrets are never rendered.
        "config": json.dumps(item.config, indent=2) if item else "",
    }


@router.get("/connections")
async def connections(request: Request, web: Current) -> Response:
    ctx = ctx_of(request)

    def load() -> dict[str, Any]:
        with ctx.db.session() as session:
            return {kind: connector_endpoint(kind, "list_connectors")(
                ws=web.workspace_id, session=session, ctx=ctx) for kind in REGISTRY}

    values = await run_in_threadpool(load)
    return render(request, "connections.html", {**values, "notice": notice(request)})


def _kind(kind: str) -> str:
    if kind not in REGISTRY:
        raise NotFoundError(f"no such page: /{kind}")
    return kind


@router.get("/{kind}/new")
async def new_form(kind: str, request: Request, web: Current) -> Response:
    return render(request, "connector_form.html", form_values(_kind(kind)))


@router.get("/{kind}/{item_id}/edit")
async def edit_form(kind: str, item_id: str, request: Request, web: Current) -> Response:
    ctx = ctx_of(request)

    def load() -> ConnectorOut:
        with ctx.db.session() as session:
            answer: ConnectorOut = connector_endpoint(_kind(kind), "get_connector")(
                item_id=item_id, ws=web.workspace_id, session=session, ctx=ctx)
            return answer

    item = await run_in_threadpool(load)
    return render(request, "connector_form.html", form_values(kind, item))


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors(include_input=False, include_url=False)[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(exc)


@router.post("/{kind}/new")
@router.post("/{kind}/{item_id}/edit")
async def save(kind: str, request: Request, web: Guarded, item_id: str | None = None) -> Response:
    ctx = ctx_of(request)
    _kind(kind)
    form = await request.form()
    name, type_, text = (str(form.get(k) or "") for k in ("name", "type", "config"))

    def store() -> None:
        config = json.loads(text or "{}")
        if not isinstance(config, dict):
            raise ConfigError("the config must be a JSON object", field="config")
        with ctx.db.session() as session:
            if item_id is None:
                connector_endpoint(kind, "create_connector")(
                    body=ConnectorIn(name=name, type=type_, config=config),
                    ws=web.workspace_id, session=session, ctx=ctx)
            else:
                connector_endpoint(kind, "update_connector")(
                    item_id=item_id, body=ConnectorPatch(name=name, config=config),
                    ws=web.workspace_id, session=session, ctx=ctx)

    try:
        await run_in_threadpool(store)
    except (ConfigError, ConflictError, ValidationError, json.JSONDecodeError) as exc:
        values = form_values(kind)
        if item_id is not None:
            values["item"] = {"id": item_id}
        try:
            shown = json.dumps(mask_raw(json.loads(text)), indent=2)
        except ValueError:
            shown = ""  # unparseable text may hold a secret: do not echo it
        values.update(name=name, type=type_, config=shown, error=_error_text(exc))
        return render(request, "connector_form.html", values, status_code=422)
    return RedirectResponse("/connections?notice=saved", status_code=303)


@router.post("/{kind}/{item_id}/delete")
async def delete(kind: str, item_id: str, request: Request, web: Guarded) -> Response:
    ctx = ctx_of(request)

    def remove() -> None:
        with ctx.db.session() as session:
            connector_endpoint(_kind(kind), "delete_connector")(
                item_id=item_id, ws=web.workspace_id, session=session)

    try:
        await run_in_threadpool(remove)
    except ConflictError:
        return RedirectResponse("/connections?notice=in-use", status_code=303)
    return RedirectResponse("/connections?notice=deleted", status_code=303)
