"""What is encrypted at rest is the config itself, secrets included, not their masks."""

from __future__ import annotations

from typing import Any

import pytest

from syncjobs import sync
from syncjobs.sync import stored_form

SECRET = "s3cr3t-value-42"

SOURCES: list[tuple[str, dict[str, Any]]] = [
    ("sql", {"url": f"postgresql://u:{SECRET}@db/x"}),
    ("rest", {"base_url": "http://h/v1", "auth": {"type": "bearer", "token": SECRET},
              "headers": {"X-Api-Key": SECRET}, "entities": [{"name": "a", "path": "/a"}]}),
    ("rest", {"base_url": "http://h/v1", "auth": {"type": "basic", "username": "u",
                                                  "password": SECRET},
              "entities": [{"name": "a", "path": "/a"}]}),
    ("stripe", {"api_key": SECRET}),
    ("close", {"api_key": SECRET}),
    ("graphql", {"endpoint": "http://h/gql", "auth": {"type": "bearer", "token": SECRET},
                 "queries": [{"name": "q", "query": "{ a }", "data_path": "data.a"}]}),
]
DESTINATIONS: list[tuple[str, dict[str, Any]]] = [
    ("postgresql", {"url": f"postgresql://u:{SECRET}@db/x", "schema": "public"}),
    ("duckdb", {"path": "/tmp/w.duckdb", "schema": "main"}),
    ("sqlite", {"path": "/tmp/w.db"}),
]


@pytest.mark.parametrize(("type_", "raw"), SOURCES)
def test_source_configs_round_trip_with_their_secrets(type_: str, raw: dict[str, Any]) -> None:
    model = sync.parse_source_config(type_, raw)
    stored = stored_form(model)
    assert sync.parse_source_config(type_, stored) == model
    assert SECRET in sync.secret_values(sync.parse_source_config(type_, stored))
    assert SECRET not in str(sync.mask_config(model))


@pytest.mark.parametrize(("type_", "raw"), DESTINATIONS)
def test_destination_configs_round_trip(type_: str, raw: dict[str, Any]) -> None:
    model = sync.parse_destination_config(type_, raw)
    assert sync.parse_destination_config(type_, stored_form(model)) == model
