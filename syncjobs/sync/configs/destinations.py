"""Config models of the destinations: PostgreSQL, DuckDB, SQLite."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from syncjobs.sync.configs.base import StrictModel, url_field


class PostgresDestinationConfig(StrictModel):
    type: Literal["postgresql"] = "postgresql"
    url: str = url_field("PostgreSQL URL: postgresql://user:pw@host:5432/db")
    schema_: str = Field("public", alias="schema", description="schema the tables go to")


class DuckDBDestinationConfig(StrictModel):
    type: Literal["duckdb"] = "duckdb"
    path: str | None = Field(
        None, description="DuckDB file (None: the embedded SYNCJOBS_HOME/warehouse.duckdb)"
    )
    schema_: str = Field("main", alias="schema", description="schema the tables go to")


class SqliteDestinationConfig(StrictModel):
    type: Literal["sqlite"] = "sqlite"
    path: str = Field(description="SQLite database file")
