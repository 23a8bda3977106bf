"""Secrets in configs: masking for responses, values for log redaction, write-only merging."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, SecretStr
from pydantic_core import to_jsonable_python

MASK = "********"
_SECRET_NAME = re.compile(r"auth|token|key|secret|cookie|password|session", re.I)


def is_secret_name(name: str) -> bool:
    """A header, query parameter or field name whose value is taken for a credential."""
    return bool(_SECRET_NAME.search(name))


def url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def url_query_secrets(url: str) -> dict[str, str]:
    """Credential-looking query parameters of a URL (`?password=` is accepted by libpq)."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return {}
    return {k: v for k, v in parse_qsl(query, keep_blank_values=True)
            if v and is_secret_name(k)}


def replace_url_query_secrets(url: str, values: dict[str, str]) -> str:
    """The URL with the named query parameters set to `values` (other parameters untouched)."""
    parts = urlsplit(url)
    pairs = [(k, values.get(k, v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="*")))


def mask_url(url: str) -> str:
    """Password and credential-looking query parameters replaced by the mask."""
    masked = replace_url_password(url, MASK)
    secrets = url_query_secrets(masked)
    return replace_url_query_secrets(masked, dict.fromkeys(secrets, MASK)) if secrets else masked


def replace_url_password(url: str, password: str) -> str:
    """`scheme://user:pw@host/db` with `pw` replaced; URLs without a password are unchanged."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{hostinfo}"))


def redact_url(url: str) -> str:
    """The URL as it may appear in a message: password masked, query string dropped."""
    try:
        parts = urlsplit(replace_url_password(url, "***"))
    except ValueError:
        return "<unparseable url>"
    return urlunsplit(parts._replace(query="", fragment=""))


def _extra(model: BaseModel, name: str) -> dict[str, Any]:
    extra = type(model).model_fields[name].json_schema_extra
    return extra if isinstance(extra, dict) else {}


def _key(model: BaseModel, name: str) -> str:
    return type(model).model_fields[name].alias or name


def _mask(value: Any, extra: dict[str, Any]) -> Any:
    if isinstance(value, BaseModel):
        return mask_config(value, keep_type=True)
    if isinstance(value, SecretStr):
        return MASK
    if isinstance(value, list):
        return [_mask(v, {}) for v in value]
    if isinstance(value, str) and extra.get("secret_url"):
        return mask_url(value)
    if isinstance(value, dict) and extra.get("secret_by_name"):
        return {k: MASK if is_secret_name(k) and isinstance(v, str) else to_jsonable_python(v)
                for k, v in value.items()}
    if isinstance(value, dict):
        return {k: _mask(v, {}) for k, v in value.items()}
    return to_jsonable_python(value)


def mask_config(model: BaseModel, *, keep_type: bool = False) -> dict[str, Any]:
    """JSON-able config with every secret replaced by the mask (the top-level `type` left out)."""
    out: dict[str, Any] = {}
    for name in type(model).model_fields:
        if name == "type" and not keep_type:
            continue
        out[_key(model, name)] = _mask(getattr(model, name), _extra(model, name))
    return out


Leaf = tuple[tuple[Any, ...], str, str]


def _secret_leaves(model: BaseModel, path: tuple[Any, ...]) -> Iterator[Leaf]:
    """(path of the raw-dict key, kind, secret value) for every secret in the model."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        extra = _extra(model, name)
        key = (*path, _key(model, name))
        if isinstance(value, SecretStr):
            yield key, "secret", value.get_secret_value()
        elif isinstance(value, str) and extra.get("secret_url"):
            yield from _url_leaves(key, value)
        elif isinstance(value, dict) and extra.get("secret_by_name"):
            for name_, v in value.items():
                if is_secret_name(name_) and isinstance(v, str):
                    yield (*key, name_), "named", v
        elif isinstance(value, BaseModel):
            yield from _secret_leaves(value, key)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _secret_leaves(item, (*key, i))


def _url_leaves(key: tuple[Any, ...], url: str) -> Iterator[Leaf]:
    pw = url_password(url)
    if pw:
        yield key, "url", pw
    for param, secret in url_query_secrets(url).items():
        yield key, f"url_query:{param}", secret


def secret_values(model: BaseModel) -> list[str]:
    """Every secret string in the config (URL passwords too), for redacting logs by value."""
    return sorted({v for _, _, v in _secret_leaves(model, ()) if v}, key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    for value in secrets:
        if len(value) >= 3:
            text = text.replace(value, MASK)
    return text


def merge_masked(new_raw: dict[str, Any], old_model: BaseModel) -> dict[str, Any]:
    """Keep old secrets where the client sent the mask back or omitted a secret field.

    A nested object (e.g. `auth`) only inherits when it is present and keeps its `type`:
    switching auth type must not carry a token over. Secrets under credential-looking names
    (headers, query parameters) are kept only when sent back masked (omitting one removes it).
    """
    merged: dict[str, Any] = _deep_copy(new_raw)
    for path, kind, old_value in _secret_leaves(old_model, ()):
        parent = _parent(merged, path, old_model)
        if parent is None:
            continue
        key = path[-1]
        current = parent.get(key)
        if kind == "url":
            if isinstance(current, str) and url_password(current) == MASK:
                parent[key] = replace_url_password(current, old_value)
        elif kind.startswith("url_query:"):
            param = kind.split(":", 1)[1]
            if isinstance(current, str) and url_query_secrets(current).get(param) == MASK:
                parent[key] = replace_url_query_secrets(current, {param: old_value})
        elif kind == "named":
            if current == MASK:
                parent[key] = old_value
        elif current is None or current == MASK:
            parent[key] = old_value
    return merged


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _parent(raw: Any, path: tuple[Any, ...], old: Any) -> dict[str, Any] | None:
    node, old_node = raw, old
    for step in path[:-1]:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return None
            node, old_node = node[step], old_node[step]
        else:
            if not isinstance(node, dict) or step not in node:
                return None
            node = node[step]
            old_node = old_node[step] if isinstance(old_node, dict) else getattr(
                old_node, _attr(old_node, step), None
            )
        if isinstance(old_node, BaseModel) and "type" in type(old_node).model_fields:
            old_type = getattr(old_node, "type", None)
            if not isinstance(node, dict) or node.get("type", old_type) != old_type:
                return None
    return node if isinstance(node, dict) else None


def _attr(model: Any, key: str) -> str:
    fields: dict[str, Any] = type(model).model_fields
    for name, info in fields.items():
        if (info.alias or name) == key:
            return name
    return key


def stored_form(model: BaseModel) -> dict[str, Any]:
    """The config as it is to be stored (encrypted): JSON with secrets revealed, not masked.

    pydantic's own JSON dump masks SecretStr, which would store the mask itself.
    """
    return dict(_reveal(model.model_dump(mode="python", by_alias=True)))


def _reveal(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_reveal(v) for v in value]
    return to_jsonable_python(value)
