"""DuckDB destination: Arrow batches inserted through DuckDB's zero-copy Arrow scan."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from syncjobs.errors import ConnectorError, TerminalError, TransientError
from syncjobs.sync.configs import DuckDBDestinationConfig
from syncjobs.sync.destinations.base import Destination
from syncjobs.sync.destinations.naming import quote

_TYPES = {
    "bool": "BOOLEAN",
    "int": "BIGINT",
    "float": "DOUBLE",
    "decimal": "DECIMAL(38, 12)",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
    "string": "VARCHAR",
    "json": "JSON",
    "binary": "BLOB",
}
_FROM_SQL = {
    "BOOLEAN": "bool",
    "BIGINT": "int",
    "INTEGER": "int",
    "SMALLINT": "int",
    "TINYINT": "int",
    "HUGEINT": "decimal",
    "DOUBLE": "float",
    "FLOAT": "float",
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    "TIMESTAMP": "timestamp",
    "VARCHAR": "string",
    "JSON": "json",
    "BLOB": "binary",
}


def warehouse_path(config: DuckDBDestinationConfig) -> Path:
    """The configured file, or the embedded warehouse in SYNCJOBS_HOME."""
    if config.path:
        return Path(config.path)
    return Path(os.environ.get("SYNCJOBS_HOME", ".syncjobs")) / "warehouse.duckdb"


class DuckDBDestination(Destination):
    kind = "duckdb"
    driver_errors = (duckdb.Error, OSError)

    def __init__(self, config: DuckDBDestinationConfig) -> None:
        super().__init__(config.schema_)
        self.path = warehouse_path(config)
        with self.guard():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path))
            self.ensure_schema()
        self._views = 0

    def classify(self, exc: BaseException) -> ConnectorError:
        where = f"DuckDB file {self.path}"
        text = str(exc).splitlines()[0][:300]
        if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
            return TransientError(f"{where} is locked by another process: {text}", retry_after=5)
        if isinstance(exc, duckdb.IOException | duckdb.TransactionException):
            return TransientError(f"{where}: {text}")
        return TerminalError(f"{where}: {text}", hint="check the destination's schema and disk")

    def execute(self, sql: str) -> int:
        rel = self.con.execute(sql)
        if sql.lstrip().upper().startswith(("DELETE", "UPDATE", "INSERT")):
            row = rel.fetchone()
            return int(row[0]) if row else 0
        return -1

    def scalar(self, sql: str) -> Any:
        row = self.con.execute(sql).fetchone()
        return row[0] if row else None

    def columns(self, table: str) -> dict[str, str] | None:
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [self.schema, table],
        ).fetchall()
        if not rows:
            return None
        return {name: _FROM_SQL.get(t, "decimal" if t.startswith("DECIMAL") else "string")
                for name, t in rows}

    def tables(self) -> list[str]:
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            [self.schema],
        ).fetchall()
        return [r[0] for r in rows]

    def sql_type(self, logical: str) -> str:
        return _TYPES[logical]

    def _register(self, batch: pa.RecordBatch) -> str:
        self._views += 1
        name = f"_sj_page_{self._views}"
        # JSON extension columns are handed over as their text; the INSERT casts them.
        plain = pa.RecordBatch.from_arrays(
            [c.storage if isinstance(c, pa.ExtensionArray) else c for c in batch.columns],
            names=batch.schema.names,
        )
        self.con.register(name, pa.Table.from_batches([plain]))
        return name

    def insert(self, table: str, batch: pa.RecordBatch, columns: dict[str, str]) -> None:
        view = self._register(batch)
        try:
            names = batch.schema.names
            cols = ", ".join(quote(c) for c in names)
            exprs = ", ".join(f"CAST({quote(c)} AS {_TYPES[columns[c]]})" for c in names)
            self.con.execute(f"INSERT INTO {self.q(table)} ({cols}) SELECT {exprs} FROM {view}")
        finally:
            self.con.unregister(view)

    def delete_keys(self, table: str, keys: pa.RecordBatch, columns: dict[str, str]) -> int:
        view = self._register(keys)
        try:
            on = " AND ".join(
                f"t.{quote(k)} = CAST(k.{quote(k)} AS {_TYPES[columns[k]]})"
                for k in keys.schema.names
            )
            return self.execute(f"DELETE FROM {self.q(table)} t USING {view} k WHERE {on}")
        finally:
            self.con.unregister(view)

    def alter_type(self, table: str, column: str, old: str, logical: str) -> None:
        self.con.execute(
            f"ALTER TABLE {self.q(table)} ALTER {quote(column)} SET DATA TYPE {_TYPES[logical]}"
            f" USING CAST({quote(column)} AS {_TYPES[logical]})"
        )

    def dedupe(self, table: str, key: list[str]) -> None:
        cols = ", ".join(quote(k) for k in key)
        dupes = self.scalar(
            f"SELECT count(*) - count(DISTINCT ({cols})) FROM {self.q(table)}"
        )
        if dupes:
            # rowid grows with insertion order: keep each key's last-loaded row.
            self.con.execute(
                f"DELETE FROM {self.q(table)} WHERE rowid NOT IN"
                f" (SELECT max(rowid) FROM {self.q(table)} GROUP BY {cols})"
            )

    def begin(self) -> None:
        self.con.begin()

    def commit(self) -> None:
        self.con.commit()

    def _rollback(self) -> None:
        try:
            self.con.rollback()
        except duckdb.Error:
            pass  # no transaction open

    def close(self) -> None:
        self.con.close()
