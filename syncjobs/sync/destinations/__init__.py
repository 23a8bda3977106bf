"""Destinations: each config type opens one Destination."""

from __future__ import annotations

from syncjobs.sync.configs import (
    DestinationConfig,
    DuckDBDestinationConfig,
    PostgresDestinationConfig,
)
from syncjobs.sync.destinations.base import Destination


def open_destination(config: DestinationConfig) -> Destination:
    if isinstance(config, PostgresDestinationConfig):
        from syncjobs.sync.destinations.postgres import PostgresDestination

        return PostgresDestination(config)
    if isinstance(config, DuckDBDestinationConfig):
        from syncjobs.sync.destinations.duckdb import DuckDBDestination

        return DuckDBDestination(config)
    from syncjobs.sync.destinations.sqlite import SqliteDestination

    return SqliteDestination(config)


__all__ = ["Destination", "open_destination"]
