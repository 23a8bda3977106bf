"""Source and destination configs: one pydantic model per type, a registry, and parsing."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from syncjobs.errors import ConfigError
from syncjobs.sync.configs.destinations import (
    DuckDBDestinationConfig,
    PostgresDestinationConfig,
    SqliteDestinationConfig,
)
from syncjobs.sync.configs.http import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    CursorPagination,
    GraphQLQuery,
    GraphQLSourceConfig,
    Incremental,
    LinkHeaderPagination,
    NextUrlPagination,
    NoAuth,
    NoPagination,
    OffsetPagination,
    PagePagination,
    RestEntity,
    RestSourceConfig,
)
from syncjobs.sync.configs.sources import (
    CLOSE_ENTITIES,
    STRIPE_ENTITIES,
    CloseSourceConfig,
    SqlSourceConfig,
    SqlTableOptions,
    StripeSourceConfig,
)

SourceConfig = (
    SqlSourceConfig | RestSourceConfig | StripeSourceConfig | CloseSourceConfig
    | GraphQLSourceConfig
)
DestinationConfig = PostgresDestinationConfig | DuckDBDestinationConfig | SqliteDestinationConfig

SOURCE_TYPES: dict[str, type[BaseModel]] = {
    "close": CloseSourceConfig,
    "graphql": GraphQLSourceConfig,
    "rest": RestSourceConfig,
    "sql": SqlSourceConfig,
    "stripe": StripeSourceConfig,
}
DESTINATION_TYPES: dict[str, type[BaseModel]] = {
    "duckdb": DuckDBDestinationConfig,
    "postgresql": PostgresDestinationConfig,
    "sqlite": SqliteDestinationConfig,
}


def parse_source_config(type: str, config: dict[str, Any]) -> SourceConfig:
    """Validate a source config; a ConfigError names the bad field and how to fix it."""
    model = _parse("source", SOURCE_TYPES, type, config)
    assert isinstance(model, SourceConfig)
    return model


def parse_destination_config(type: str, config: dict[str, Any]) -> DestinationConfig:
    """Validate a destination config; a ConfigError names the bad field and how to fix it."""
    model = _parse("destination", DESTINATION_TYPES, type, config)
    assert isinstance(model, DestinationConfig)
    return model


def _parse(
    kind: str, registry: dict[str, type[BaseModel]], type_: str, config: dict[str, Any]
) -> BaseModel:
    model_cls = registry.get(type_)
    if model_cls is None:
        known = ", ".join(sorted(registry))
        raise ConfigError(
            f"unknown {kind} type {type_!r}; known types: {known}",
            field="type",
            hint=f"set type to one of: {known}",
        )
    if not isinstance(config, dict):
        raise ConfigError(f"{kind} config must be a JSON object", field="config")
    body = dict(config)
    if body.setdefault("type", type_) != type_:
        raise ConfigError(
            f"config.type {body['type']!r} contradicts the {kind} type {type_!r}",
            field="config.type",
            hint="omit config.type or make it match",
        )
    try:
        return model_cls.model_validate(body)
    except ValidationError as exc:
        raise _config_error(kind, type_, model_cls, exc) from None


def _config_error(
    kind: str, type_: str, model_cls: type[BaseModel], exc: ValidationError
) -> ConfigError:
    # Only the first error: one clear message beats a wall of them. Input values are
    # never echoed, since the field may be a secret.
    err = exc.errors(include_input=False, include_url=False)[0]
    loc = ".".join(str(p) for p in err["loc"])
    field = f"config.{loc}" if loc else "config"
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(sorted(f.alias or n for n, f in model_cls.model_fields.items()))
        hint = "remove it" + (f" (top-level fields: {allowed})" if "." not in loc else "")
        message = f"unknown field {field} in {type_} {kind} config"
        return ConfigError(message, field=field, hint=hint)
    if err["type"] == "missing":
        return ConfigError(
            f"{field} is required in a {type_} {kind} config",
            field=field,
            hint="add it; see the type's JSON schema for its meaning",
        )
    return ConfigError(
        f"{field} is invalid in {type_} {kind} config: {err['msg']}",
        field=field,
        hint="fix the value; see the type's JSON schema",
    )


__all__ = [
    "CLOSE_ENTITIES",
    "DESTINATION_TYPES",
    "SOURCE_TYPES",
    "STRIPE_ENTITIES",
    "ApiKeyAuth",
    "BasicAuth",
    "BearerAuth",
    "CloseSourceConfig",
    "CursorPagination",
    "DestinationConfig",
    "DuckDBDestinationConfig",
    "GraphQLQuery",
    "GraphQLSourceConfig",
    "Incremental",
    "LinkHeaderPagination",
    "NextUrlPagination",
    "NoAuth",
    "NoPagination",
    "OffsetPagination",
    "PagePagination",
    "PostgresDestinationConfig",
    "RestEntity",
    "RestSourceConfig",
    "SourceConfig",
    "SqlSourceConfig",
    "SqlTableOptions",
    "SqliteDestinationConfig",
    "StripeSourceConfig",
    "parse_destination_config",
    "parse_source_config",
]
