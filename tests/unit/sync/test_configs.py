"""Config registry, parsing errors, and secret masking/merging."""

from __future__ import annotations

import json

import pytest

from syncjobs.errors import ConfigError
from syncjobs.sync import (
    DESTINATION_TYPES,
    SOURCE_TYPES,
    mask_config,
    merge_masked,
    parse_destination_config,
    parse_source_config,
    secret_values,
)

REST = {
    "base_url": "https://api.example.com/v1",
    "headers": {"X-Api-Token": "hdr-secret", "Accept": "application/json"},
    "auth": {"type": "bearer", "token": "tok-secret"},
    "entities": [
        {
            "name": "users",
            "path": "/users",
            "primary_key": "id",
            "pagination": {"type": "cursor", "cursor_path": "meta.next"},
            "incremental": {"cursor_field": "updated_at", "param": "since"},
        }
    ],
}


def test_unknown_type_lists_known_types() -> None:
    with pytest.raises(ConfigError) as err:
        parse_source_config("ftp", {})
    assert "known types: close, graphql, rest, sql, stripe" in str(err.value)
    with pytest.raises(ConfigError) as err:
        parse_destination_config("oracle", {})
    assert "duckdb, postgresql, sqlite" in str(err.value)


def test_unknown_field_is_named() -> None:
    bad = json.loads(json.dumps(REST))
    bad["entities"][0]["pagnation"] = {}
    with pytest.raises(ConfigError) as err:
        parse_source_config("rest", bad)
    assert err.value.field == "config.entities.0.pagnation"
    assert "remove it" in str(err.value)


def test_missing_and_invalid_fields_are_named_without_values() -> None:
    with pytest.raises(ConfigError) as err:
        parse_destination_config("postgresql", {"schema": "x"})
    assert err.value.field == "config.url"
    with pytest.raises(ConfigError) as err:
        parse_source_config("rest", {**REST, "timeout": "sk_live_abc"})
    assert err.value.field == "config.timeout"
    assert "sk_live_abc" not in str(err.value)


def test_every_type_has_a_schema_with_secrets_marked() -> None:
    for registry in (SOURCE_TYPES, DESTINATION_TYPES):
        for model in registry.values():
            assert model.model_json_schema()["properties"]
    stripe = json.dumps(SOURCE_TYPES["stripe"].model_json_schema())
    assert '"secret": true' in stripe


def test_mask_and_secret_values() -> None:
    rest = parse_source_config("rest", REST)
    masked = mask_config(rest)
    text = json.dumps(masked)
    assert "tok-secret" not in text and "hdr-secret" not in text
    assert masked["auth"] == {"type": "bearer", "token": "********"}
    assert masked["headers"]["Accept"] == "application/json"
    assert set(secret_values(rest)) == {"tok-secret", "hdr-secret"}

    pg = parse_destination_config("postgresql", {"url": "postgresql://bob:pw1@db:5432/x"})
    assert mask_config(pg) == {"url": "postgresql://bob:********@db:5432/x", "schema": "public"}
    assert secret_values(pg) == ["pw1"]
    assert "pw1" not in repr(pg)


def test_merge_masked_keeps_write_only_secrets() -> None:
    rest = parse_source_config("rest", REST)
    echoed = mask_config(rest)
    echoed["timeout"] = 10
    merged = merge_masked(echoed, rest)
    again = parse_source_config("rest", merged)
    assert secret_values(again) == secret_values(rest)
    assert again.timeout == 10  # type: ignore[union-attr]

    # Omitted secret keeps the old value; a changed auth type does not inherit it.
    omitted = mask_config(rest)
    del omitted["auth"]["token"]
    assert merge_masked(omitted, rest)["auth"]["token"] == "tok-secret"
    switched = mask_config(rest)
    switched["auth"] = {"type": "basic", "username": "u"}
    assert "token" not in merge_masked(switched, rest)["auth"]

    stripe = parse_source_config("stripe", {"api_key": "sk_test_1"})
    assert merge_masked({}, stripe)["api_key"] == "sk_test_1"
    assert merge_masked({"api_key": "sk_new"}, stripe)["api_key"] == "sk_new"

    pg = parse_destination_config("postgresql", {"url": "postgresql://bob:pw1@db/x"})
    assert merge_masked(mask_config(pg), pg)["url"] == "postgresql://bob:pw1@db/x"


def test_credentials_in_url_queries_and_user_info_are_secrets() -> None:
    from syncjobs.sync import mask_config, merge_masked, parse_source_config, secret_values

    sql = parse_source_config("sql", {"url": "postgresql://bob@db/shop?sslmode=require&password=p4ss"})
    masked = mask_config(sql)
    assert "p4ss" not in str(masked) and "sslmode=require" in masked["url"]
    assert "p4ss" in secret_values(sql)
    kept = parse_source_config("sql", merge_masked(masked, sql))
    assert kept.url == sql.url

    rest = parse_source_config("rest", {"base_url": "http://bob:hunter22@api/v1",
                                        "entities": [{"name": "u", "path": "/u"}]})
    assert "hunter22" not in str(mask_config(rest)) and "hunter22" in secret_values(rest)


def test_credentials_in_query_params_bodies_and_variables_are_secrets() -> None:
    # Many APIs take the key as a query parameter or in a token request's body; such a value
    # typed into `params`, `json_body` or GraphQL `variables` is a secret by its name.
    rest = parse_source_config("rest", {
        "base_url": "https://api.example.com/v1",
        "entities": [{"name": "users", "path": "/users", "method": "POST",
                      "params": {"api_key": "qp-secret", "limit": 50, "sort": "id"},
                      "json_body": {"client_secret": "body-secret", "page_size": 10}}],
    })
    masked = mask_config(rest)
    entity = masked["entities"][0]
    assert entity["params"] == {"api_key": "********", "limit": 50, "sort": "id"}
    assert entity["json_body"] == {"client_secret": "********", "page_size": 10}
    assert set(secret_values(rest)) == {"qp-secret", "body-secret"}
    kept = parse_source_config("rest", merge_masked(masked, rest))
    assert kept.entities[0].params["api_key"] == "qp-secret"  # type: ignore[union-attr]
    assert kept.entities[0].json_body == {  # type: ignore[union-attr]
        "client_secret": "body-secret", "page_size": 10}
    # Omitting a named secret removes it (as for headers): it is not carried over.
    masked["entities"][0]["params"] = {"limit": 50}
    assert "api_key" not in merge_masked(masked, rest)["entities"][0]["params"]

    graphql = parse_source_config("graphql", {
        "endpoint": "https://api.example.com/graphql",
        "queries": [{"name": "users", "query": "{ users { id } }", "data_path": "data.users",
                     "variables": {"accessToken": "var-secret", "first": 100}}],
    })
    shown = mask_config(graphql)["queries"][0]["variables"]
    assert shown == {"accessToken": "********", "first": 100}
    assert secret_values(graphql) == ["var-secret"]
