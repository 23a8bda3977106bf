"""Fixtures for sync tests: a destination of each engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncjobs.sync.configs import DestinationConfig, parse_destination_config


@pytest.fixture(params=["sqlite", "duckdb", "postgresql"])
def destination(request: pytest.FixtureRequest, tmp_path: Path) -> DestinationConfig:
    """The same test against every destination engine."""
    kind = request.param
    if kind == "sqlite":
        return parse_destination_config("sqlite", {"path": str(tmp_path / "dest.sqlite")})
    if kind == "duckdb":
        return parse_destination_config("duckdb", {"path": str(tmp_path / "dest.duckdb")})
    url = request.getfixturevalue("pg_url")
    return parse_destination_config("postgresql", {"url": url, "schema": "sync"})


