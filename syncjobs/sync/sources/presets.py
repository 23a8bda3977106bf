"""HTTP sources by config type, with Stripe and Close as presets of the REST source."""

from __future__ import annotations

from typing import Any

from syncjobs.sync.configs import (
    CLOSE_ENTITIES,
    STRIPE_ENTITIES,
    BasicAuth,
    BearerAuth,
    CloseSourceConfig,
    GraphQLSourceConfig,
    RestSourceConfig,
    SourceConfig,
    StripeSourceConfig,
)
from syncjobs.sync.sources.base import Source

# Stripe lists: cursor pages (starting_after = last id, has_more); `created[gte]` is the only
# time filter a list accepts, so incremental catches new objects, not later edits.
_STRIPE_EXTRA: dict[str, dict[str, Any]] = {"subscriptions": {"status": "all"}}

# Close: _skip/_limit pages with has_more. Leads filter by update time through the search
# `query` parameter; opportunities by date_updated__gte; the others are re-read whole.
_CLOSE: dict[str, dict[str, Any]] = {
    "leads": {"path": "/lead/", "incremental": {
        "cursor_field": "date_updated", "param": "query",
        "value_template": 'date_updated >= "{value}" sort:date_updated'}},
    "opportunities": {"path": "/opportunity/", "incremental": {
        "cursor_field": "date_updated", "param": "date_updated__gte"}},
    "activities": {"path": "/activity/", "incremental": {"cursor_field": "date_updated"}},
    "contacts": {"path": "/contact/", "incremental": {"cursor_field": "date_updated"}},
    "users": {"path": "/user/", "incremental": {"cursor_field": "date_updated"}},
}


def stripe_rest_config(config: StripeSourceConfig) -> RestSourceConfig:
    names: list[str] = list(config.entities or STRIPE_ENTITIES)
    return RestSourceConfig.model_validate({
        "base_url": config.base_url,
        "auth": BearerAuth(token=config.api_key),
        "headers": {"Stripe-Version": "2024-06-20"},
        "requests_per_second": config.requests_per_second,
        "entities": [
            {
                "name": name, "path": f"/{name}", "data_path": "data",
                "params": _STRIPE_EXTRA.get(name, {}),
                "pagination": {"type": "cursor", "cursor_param": "starting_after",
                               "cursor_record_field": "id", "has_more_path": "has_more",
                               "size_param": "limit", "page_size": 100},
                "incremental": {"cursor_field": "created", "param": "created[gte]",
                                "format": "unix"},
            }
            for name in names
        ],
    })


def close_rest_config(config: CloseSourceConfig) -> RestSourceConfig:
    names: list[str] = list(config.entities or CLOSE_ENTITIES)
    return RestSourceConfig.model_validate({
        "base_url": config.base_url,
        # Close takes the API key as the basic-auth user name, with an empty password.
        "auth": BasicAuth(username=config.api_key.get_secret_value()),
        "requests_per_second": config.requests_per_second,
        "entities": [
            {
                "name": name, "data_path": "data", **_CLOSE[name],
                "pagination": {"type": "offset", "limit_param": "_limit",
                               "offset_param": "_skip", "limit": 100,
                               "has_more_path": "has_more"},
            }
            for name in names
        ],
    })


def open_http_source(config: SourceConfig) -> Source:
    from syncjobs.sync.sources.rest import RestSource

    if isinstance(config, RestSourceConfig):
        return RestSource(config)
    if isinstance(config, StripeSourceConfig):
        return RestSource(stripe_rest_config(config), name="Stripe")
    if isinstance(config, CloseSourceConfig):
        key = config.api_key.get_secret_value()
        return RestSource(close_rest_config(config), name="Close", extra_secrets=[key])
    assert isinstance(config, GraphQLSourceConfig)
    from syncjobs.sync.sources.graphql import GraphQLSource

    return GraphQLSource(config)
