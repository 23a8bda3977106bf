"""PostgreSQL destination over ADBC: pages go in by binary COPY (`adbc_ingest`)."""

from __future__ import annotations

import hashlib
from typing import Any

import adbc_driver_manager
import adbc_driver_postgresql.dbapi as adbc_pg
import pyarrow as pa

from syncjobs.errors import ConnectorError, TerminalError, TransientError
from syncjobs.sync.configs import PostgresDestinationConfig
from syncjobs.sync.destinations.base import Destination
from syncjobs.sync.destinations.naming import SYNCED_AT, quote
from syncjobs.sync.pool import ADBC_POOL
from syncjobs.sync.schema import LOGICAL_KEY
from syncjobs.sync.secrets import redact, redact_url, secret_values

_TYPES = {
    "bool": "boolean",
    "int": "bigint",
    "float": "double precision",
    "decimal": "numeric",
    "date": "date",
    "timestamp": "timestamptz",
    "string": "text",
    "json": "jsonb",
    "binary": "bytea",
}
_FROM_SQL = {
    "boolean": "bool", "bigint": "int", "integer": "int", "smallint": "int",
    "double precision": "float", "real": "float", "numeric": "decimal", "date": "date",
    "timestamp with time zone": "timestamp", "timestamp without time zone": "timestamp",
    "text": "string", "character varying": "string", "jsonb": "json", "json": "json",
    "bytea": "binary",
}
# The Arrow type each column type receives unchanged through binary COPY.
_COPY_EXACT = {
    "bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"), "string": pa.string(),
    "json": pa.json_(pa.string()), "binary": pa.binary(),
}
# SQLSTATE classes worth a retry: connection, resources, serialization, lock, shutdown.
_TRANSIENT_STATES = ("08", "53", "57P", "40001", "40P01", "55P03")


def libpq_url(url: str) -> str:
    """A SQLAlchemy-style URL (postgresql+psycopg://) as libpq wants it (postgresql://)."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}" if sep else url


class PostgresDestination(Destination):
    kind = "postgresql"
    driver_errors = (adbc_driver_manager.Error,)

    def __init__(self, config: PostgresDestinationConfig) -> None:
        super().__init__(config.schema_)
        self.where = redact_url(config.url)
        self.secrets = secret_values(config)
        self._url = libpq_url(config.url)
        self._healthy = True
        with self.guard():
            self.con = ADBC_POOL.get(self._url, lambda: adbc_pg.connect(self._url))
            self.cur = self.con.cursor()
            try:
                self.ensure_schema()
                self.con.commit()
            except adbc_driver_manager.Error:
                self._healthy = False
                self.close()
                raise
        self._temp = 0

    def classify(self, exc: BaseException) -> ConnectorError:
        self._healthy = False  # a connection that failed is not handed to the next chunk
        state = str(getattr(exc, "sqlstate", "") or "")
        first = redact(str(exc).split("\n")[0][:300], self.secrets)
        text = f"PostgreSQL {self.where}: {first}"
        network = isinstance(exc, adbc_driver_manager.OperationalError)
        if state.startswith(_TRANSIENT_STATES) or network:
            return TransientError(text)
        return TerminalError(text, hint="check the destination URL, schema and permissions")

    def execute(self, sql: str) -> int:
        self.cur.execute(sql)
        return int(self.cur.rowcount)

    def scalar(self, sql: str) -> Any:
        self.cur.execute(sql)
        row = self.cur.fetchone()
        return row[0] if row else None

    def columns(self, table: str) -> dict[str, str] | None:
        self.cur.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
            parameters=(self.schema, table),
        )
        rows = self.cur.fetchall()
        if not rows:
            return None
        return {name: _FROM_SQL.get(t, "string") for name, t in rows}

    def tables(self) -> list[str]:
        self.cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1", parameters=(self.schema,)
        )
        return [r[0] for r in self.cur.fetchall()]

    def sql_type(self, logical: str) -> str:
        return _TYPES[logical]

    def _exact(self, batch: pa.RecordBatch, columns: dict[str, str]) -> bool:
        return all(
            f.type == _COPY_EXACT.get(columns[f.name]) for f in batch.schema
        )

    def _ingest_temp(self, batch: pa.RecordBatch) -> str:
        self._temp += 1
        name = f"_sj_page_{self._temp}"
        self.cur.adbc_ingest(name, batch, mode="create", temporary=True)
        return name

    def insert(self, table: str, batch: pa.RecordBatch, columns: dict[str, str]) -> None:
        if self._exact(batch, columns):
            # Fast path: binary COPY straight into the table.
            self.cur.adbc_ingest(table, batch, mode="append", db_schema_name=self.schema)
            return
        tmp = self._ingest_temp(batch)
        names = batch.schema.names
        cols = ", ".join(quote(c) for c in names)
        exprs = ", ".join(_cast(quote(c), columns[c], _logical(f)) for c, f in zip(
            names, batch.schema, strict=True))
        self.cur.execute(
            f"INSERT INTO {self.q(table)} ({cols}) SELECT {exprs} FROM pg_temp.{quote(tmp)}"
        )
        self.cur.execute(f"DROP TABLE pg_temp.{quote(tmp)}")

    def delete_keys(self, table: str, keys: pa.RecordBatch, columns: dict[str, str]) -> int:
        tmp = self._ingest_temp(keys)
        on = " AND ".join(
            f"t.{quote(k)} = {_cast('k.' + quote(k), columns[k], _logical(f))}"
            for k, f in zip(keys.schema.names, keys.schema, strict=True)
        )
        deleted = self.execute(
            f"DELETE FROM {self.q(table)} t USING pg_temp.{quote(tmp)} k WHERE {on}"
        )
        self.cur.execute(f"DROP TABLE pg_temp.{quote(tmp)}")
        return deleted

    def alter_type(self, table: str, column: str, old: str, logical: str) -> None:
        self.cur.execute(
            f"ALTER TABLE {self.q(table)} ALTER COLUMN {quote(column)} TYPE {_TYPES[logical]}"
            f" USING {_cast(quote(column), logical, old)}"
        )

    def dedupe(self, table: str, key: list[str]) -> None:
        # Building the unique key index is the duplicate check: one sort instead of two.
        # It runs in a transaction of its own (ADBC cannot roll back to a savepoint); that
        # is safe because staging is invisible and a retried chunk reloads its rows anyway.
        cols = ", ".join(quote(k) for k in key)
        t = self.q(table)
        index = quote(f"_sj_key_{execution_free_hash(table)}")
        self.con.commit()
        try:
            self.cur.execute(f"CREATE UNIQUE INDEX {index} ON {t} ({cols})")
            self.con.commit()
            return
        except adbc_driver_manager.IntegrityError:
            self.con.rollback()
        # Keep the last loaded: later chunks have a later _synced_at; within one chunk,
        # ctid order of freshly appended rows is load order.
        self.cur.execute(
            f"DELETE FROM {t} a USING {t} b WHERE ({', '.join('a.' + quote(k) for k in key)})"
            f" = ({', '.join('b.' + quote(k) for k in key)})"
            f" AND (a.{quote(SYNCED_AT)}, a.ctid) < (b.{quote(SYNCED_AT)}, b.ctid)"
        )
        self.cur.execute(f"CREATE UNIQUE INDEX {index} ON {t} ({cols})")

    def prepare_key(self, table: str, key: list[str]) -> None:
        cols = ", ".join(quote(k) for k in key)
        index = quote(f"_sj_key_{execution_free_hash(table)}")
        self.cur.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {index} ON {self.q(table)} ({cols})")

    def begin(self) -> None:
        pass  # ADBC runs every statement inside an implicit transaction until commit

    def commit(self) -> None:
        self.con.commit()

    def _rollback(self) -> None:
        try:
            self.con.rollback()
        except adbc_driver_manager.Error:
            pass

    def close(self) -> None:
        try:
            self.cur.close()
            self.con.rollback()
        except adbc_driver_manager.Error:
            self._healthy = False
        if self._healthy:
            ADBC_POOL.put(self._url, self.con)
        else:
            ADBC_POOL.discard(self.con)


def execution_free_hash(table: str) -> str:
    return hashlib.sha1(table.encode(), usedforsecurity=False).hexdigest()[:16]


def _logical(field: pa.Field) -> str:
    return str((field.metadata or {}).get(LOGICAL_KEY, b"string").decode())


def _cast(expr: str, logical: str, source: str) -> str:
    if logical == "json":
        return f"CAST({expr} AS text)::jsonb"
    if source == "bool" and logical in ("int", "float", "decimal"):
        expr = f"CAST({expr} AS integer)"  # PostgreSQL casts booleans to integer only
    return f"CAST({expr} AS {_TYPES[logical]})"
