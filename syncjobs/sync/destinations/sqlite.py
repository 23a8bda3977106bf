"""SQLite destination: each page goes in as one executemany inside the chunk's transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from syncjobs.errors import ConnectorError, TerminalError, TransientError
from syncjobs.sync.configs import SqliteDestinationConfig
from syncjobs.sync.destinations.base import Destination
from syncjobs.sync.destinations.naming import quote

# Declared types chosen for their SQLite affinity: everything textual contains "TEXT" (and
# no "INT"), so JSON or decimal text is never coerced to a number.
_TYPES = {
    "bool": "BOOLEAN",
    "int": "INTEGER",
    "float": "REAL",
    "decimal": "DECIMAL_TEXT",
    "date": "DATE_TEXT",
    "timestamp": "TIMESTAMP_TEXT",
    "string": "TEXT",
    "json": "JSON_TEXT",
    "binary": "BLOB",
}
_FROM_SQL = {v: k for k, v in _TYPES.items()}


class SqliteDestination(Destination):
    kind = "sqlite"
    driver_errors = (sqlite3.Error, OSError)

    def __init__(self, config: SqliteDestinationConfig) -> None:
        super().__init__(None)
        self.path = Path(config.path)
        with self.guard():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            self.con.execute("PRAGMA journal_mode=WAL")

    def classify(self, exc: BaseException) -> ConnectorError:
        text = f"SQLite file {self.path}: {str(exc)[:300]}"
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return TransientError(text, retry_after=2)
        return TerminalError(text, hint="check the file path, permissions and disk")

    def execute(self, sql: str) -> int:
        return self.con.execute(sql).rowcount

    def scalar(self, sql: str) -> Any:
        row = self.con.execute(sql).fetchone()
        return row[0] if row else None

    def columns(self, table: str) -> dict[str, str] | None:
        rows = self.con.execute("SELECT name, type FROM pragma_table_info(?)", (table,)).fetchall()
        if not rows:
            return None
        return {name: _FROM_SQL.get(decl.upper(), "string") for name, decl in rows}

    def tables(self) -> list[str]:
        rows = self.con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return [r[0] for r in rows]

    def sql_type(self, logical: str) -> str:
        return _TYPES[logical]

    def literal_ts(self, value: Any) -> str:
        return f"'{_iso(pa.array([value], pa.timestamp('us', tz='UTC')))[0]}'"

    def insert(self, table: str, batch: pa.RecordBatch, columns: dict[str, str]) -> None:
        names = batch.schema.names
        cols = ", ".join(quote(c) for c in names)
        marks = ", ".join("?" for _ in names)
        data = [_python_column(batch.column(i)) for i in range(batch.num_columns)]
        self.con.executemany(
            f"INSERT INTO {self.q(table)} ({cols}) VALUES ({marks})", zip(*data, strict=True)
        )

    def delete_keys(self, table: str, keys: pa.RecordBatch, columns: dict[str, str]) -> int:
        where = " AND ".join(f"{quote(k)} = ?" for k in keys.schema.names)
        data = [_python_column(keys.column(i)) for i in range(keys.num_columns)]
        before = self.con.total_changes
        self.con.executemany(f"DELETE FROM {self.q(table)} WHERE {where}", zip(*data, strict=True))
        return self.con.total_changes - before

    def alter_type(self, table: str, column: str, old: str, logical: str) -> None:
        # SQLite cannot change a declared type: copy into a new column, swap names.
        tmp = quote(f"{column}__sj_widen")
        t = self.q(table)
        self.execute(f"ALTER TABLE {t} ADD COLUMN {tmp} {_TYPES[logical]}")
        self.execute(f"UPDATE {t} SET {tmp} = {quote(column)}")
        self.execute(f"ALTER TABLE {t} DROP COLUMN {quote(column)}")
        self.execute(f"ALTER TABLE {t} RENAME COLUMN {tmp} TO {quote(column)}")

    def dedupe(self, table: str, key: list[str]) -> None:
        cols = ", ".join(quote(k) for k in key)
        self.execute(
            f"DELETE FROM {self.q(table)} WHERE rowid NOT IN"
            f" (SELECT max(rowid) FROM {self.q(table)} GROUP BY {cols})"
        )

    def prepare_key(self, table: str, key: list[str]) -> None:
        cols = ", ".join(quote(k) for k in key)
        index = quote(f"{table}__sj_key")
        self.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {self.q(table)} ({cols})")

    def begin(self) -> None:
        if not self.con.in_transaction:
            self.con.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.con.in_transaction:
            self.con.execute("COMMIT")

    def _rollback(self) -> None:
        if self.con.in_transaction:
            self.con.execute("ROLLBACK")

    def close(self) -> None:
        self.con.close()


def _iso(arr: pa.Array) -> list[str | None]:
    return pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S+00:00").to_pylist()  # type: ignore[no-any-return]


def _python_column(arr: pa.Array) -> list[Any]:
    """Values SQLite stores natively: ISO text for dates and instants, 0/1 for booleans."""
    if isinstance(arr, pa.ExtensionArray):
        arr = arr.storage
    t = arr.type
    if pa.types.is_timestamp(t):
        return _iso(arr.cast(pa.timestamp("us", tz="UTC")))
    if pa.types.is_date(t):
        return pc.strftime(arr, format="%Y-%m-%d").to_pylist()  # type: ignore[no-any-return]
    if pa.types.is_boolean(t):
        return arr.cast(pa.int8()).to_pylist()  # type: ignore[no-any-return]
    return arr.to_pylist()  # type: ignore[no-any-return]
