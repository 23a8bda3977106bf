"""SQL source: any SQLAlchemy URL; tables read by keyset pages on (cursor, key), never OFFSET."""

from __future__ import annotations

import datetime as dt
import decimal
import time
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from syncjobs.errors import ConfigError, ConnectorError, TerminalError, TransientError
from syncjobs.sqldb import normalize_url as normalize_db_url
from syncjobs.sync.configs import SqlSourceConfig
from syncjobs.sync.destinations.postgres import libpq_url
from syncjobs.sync.pool import ADBC_POOL
from syncjobs.sync.request import EntityInfo
from syncjobs.sync.schema import json_array
from syncjobs.sync.secrets import redact, redact_url, secret_values
from syncjobs.sync.sources.base import Page, ReadPlan, Source
from syncjobs.sync.values import parse_instant, to_json

try:  # ADBC reads PostgreSQL by binary COPY straight into Arrow
    import adbc_driver_manager
    import adbc_driver_postgresql.dbapi as adbc_pg
except ImportError:  # pragma: no cover
    adbc_pg = None

# Column types ADBC turns into Arrow natively; anything else is read as text.
_ADBC_NATIVE = (sa.Integer, sa.Float, sa.Numeric, sa.Boolean, sa.String, sa.DateTime, sa.Date,
                sa.JSON, sa.LargeBinary)
_CURSOR_TYPES = (sa.DateTime, sa.Date, sa.Integer, sa.Numeric)
# Reflected tables by (execution, url, schema, table): reflection costs ~60 ms per chunk.
_REFLECTED: dict[tuple[str | None, str, str | None, str], tuple[float, sa.Table]] = {}
_REFLECT_TTL = 600.0


class SqlSource(Source):
    kind = "sql"
    driver_errors = (sa.exc.SQLAlchemyError,) + (
        (adbc_driver_manager.Error,) if adbc_pg is not None else ()
    )

    def __init__(self, config: SqlSourceConfig) -> None:
        self.config = config
        self.where = redact_url(config.url)
        self.secrets = secret_values(config)
        try:
            self.engine = sa.create_engine(
                normalize_db_url(config.url), poolclass=sa.pool.NullPool
            )
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise ConfigError(
                f"cannot use the SQL source URL {self.where}: {type(exc).__name__}",
                field="config.url",
                hint="use a SQLAlchemy URL such as postgresql://user:pw@host/db",
            ) from None
        self.schema = config.schema_
        self._tables: dict[str, sa.Table] = {}
        self._adbc: Any = None

    def classify(self, exc: BaseException) -> ConnectorError:
        if adbc_pg is not None and isinstance(exc, adbc_driver_manager.Error) and self._adbc:
            ADBC_POOL.discard(self._adbc)  # never hand a failed connection to the next chunk
            self._adbc = None
        orig = getattr(exc, "orig", exc)
        first = redact(str(orig).splitlines()[0][:300] if str(orig) else "", self.secrets)
        text = f"SQL source {self.where}: {type(orig).__name__}: {first}"
        network = sa.exc.OperationalError | sa.exc.TimeoutError | sa.exc.DisconnectionError
        if isinstance(exc, network):
            return TransientError(text)
        if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
            return TransientError(text)
        if adbc_pg is not None and isinstance(exc, adbc_driver_manager.OperationalError):
            return TransientError(text)
        return TerminalError(text, hint="check the URL, credentials, table and column names")

    def close(self) -> None:
        if self._adbc is not None:
            try:
                self._adbc.rollback()
                ADBC_POOL.put(libpq_url(self.config.url), self._adbc)
            except adbc_driver_manager.Error:
                ADBC_POOL.discard(self._adbc)
            self._adbc = None
        self.engine.dispose()

    # -- entities --------------------------------------------------------------------
    def entities(self) -> list[EntityInfo]:
        with self.guard():
            inspector = sa.inspect(self.engine)
            out = []
            for name in sorted(inspector.get_table_names(schema=self.schema)):
                opts = self.config.entities.get(name)
                pk = inspector.get_pk_constraint(name, schema=self.schema).get(
                    "constrained_columns"
                )
                cols = inspector.get_columns(name, schema=self.schema)
                out.append(EntityInfo(
                    name=name,
                    primary_key=(opts.primary_key if opts and opts.primary_key else pk) or None,
                    cursor_candidates=[
                        c["name"] for c in cols if isinstance(c["type"], _CURSOR_TYPES)
                    ],
                    cursor_field=opts.cursor_field if opts else None,
                ))
            return out

    def entity_names(self) -> list[str]:
        with self.guard():
            return sorted(sa.inspect(self.engine).get_table_names(schema=self.schema))

    def _table(self, name: str) -> sa.Table:
        if name not in self._tables:
            # Within one execution the reflected table is reused by every chunk.
            key = (self.scope, self.config.url, self.schema, name)
            cached = _REFLECTED.get(key) if self.scope else None
            if cached is not None and time.monotonic() - cached[0] < _REFLECT_TTL:
                self._tables[name] = cached[1]
                return cached[1]
            try:
                self._tables[name] = sa.Table(
                    name, sa.MetaData(), schema=self.schema, autoload_with=self.engine
                )
                if self.scope:
                    if len(_REFLECTED) > 256:
                        _REFLECTED.clear()
                    _REFLECTED[key] = (time.monotonic(), self._tables[name])
            except sa.exc.NoSuchTableError:
                raise ConfigError(
                    f"unknown entity {name!r}: no such table in the SQL source {self.where}",
                    field="entities",
                    hint="list the source's entities and pick from them",
                ) from None
        return self._tables[name]

    def plan(self, entity: str, incremental: bool) -> ReadPlan:
        with self.guard():
            table = self._table(entity)
        opts = self.config.entities.get(entity)
        key = (opts.primary_key if opts and opts.primary_key else None) or [
            c.name for c in table.primary_key.columns
        ]
        cursor = opts.cursor_field if opts else None
        for column, what in [(k, "primary_key") for k in key] + [(cursor, "cursor_field")]:
            if column is not None and column not in table.c:
                raise ConfigError(
                    f"{what} column {column!r} does not exist in table {entity!r}",
                    field=f"config.entities.{entity}.{what}",
                    hint=f"use one of: {', '.join(c.name for c in table.c)}",
                )
        return ReadPlan(entity, key or None, cursor, cursor_ordered=True, incremental=incremental)

    # -- reading ---------------------------------------------------------------------
    def read(
        self, plan: ReadPlan, *, position: dict[str, Any] | None, lower_bound: Any,
        page_rows: int,
    ) -> Iterator[Page]:
        table = self._table(plan.entity)
        page_rows = min(page_rows, self.config.batch_rows)
        by_cursor = plan.cursor_field if plan.incremental else None
        order = ([by_cursor] if by_cursor else []) + (plan.primary_key or [])
        base = sa.select(*self._select_columns(table))
        if by_cursor:
            cursor_col = table.c[by_cursor]
            base = base.where(cursor_col.is_not(None))
            if lower_bound is not None:
                base = base.where(cursor_col >= _typed(lower_bound, cursor_col))
        if not plan.primary_key:
            # No key to resume by: stream the table once, the executor finishes it in one go.
            for batch in self._stream(base.order_by(*[table.c[c] for c in order]), page_rows):
                yield Page(batch, None, resumable=False)
            return
        cols = [table.c[c] for c in order]
        after = position.get("after") if position else None
        while True:
            query = base
            if after is not None:
                values = [_typed(v, c) for v, c in zip(after, cols, strict=True)]
                query = query.where(sa.tuple_(*cols) > sa.tuple_(*values))
            with self.guard():
                batch = self._fetch(query.order_by(*cols).limit(page_rows))
            if batch.num_rows == 0:
                return
            after = [to_json(batch.column(c.name)[-1].as_py()) for c in cols]
            yield Page(batch, {"after": after})
            if batch.num_rows < page_rows:
                return

    def _select_columns(self, table: sa.Table) -> list[sa.ColumnElement[Any]]:
        if self.engine.dialect.name != "postgresql":
            return list(table.c)
        return [
            c
            if isinstance(c.type, _ADBC_NATIVE) and not isinstance(c.type, sa.Enum)
            else sa.cast(c, sa.Text).label(c.name)
            for c in table.c
        ]

    def _fetch(self, query: sa.Select[Any]) -> pa.RecordBatch:
        if self.engine.dialect.name == "postgresql" and adbc_pg is not None:
            sql = str(query.compile(dialect=self.engine.dialect,
                                    compile_kwargs={"literal_binds": True}))
            if self._adbc is None:
                url = libpq_url(self.config.url)
                self._adbc = ADBC_POOL.get(url, lambda: adbc_pg.connect(url))
            cur = self._adbc.cursor()
            try:
                cur.execute(sql)
                table = cur.fetch_arrow_table()
            finally:
                cur.close()
            self._adbc.rollback()  # end the read transaction: no snapshot held across pages
            return _one_batch(table)
        with self.engine.connect() as conn:
            result = conn.execute(query)
            rows = result.fetchall()
        return _rows_to_batch(query, rows)

    def _stream(self, query: sa.Select[Any], page_rows: int) -> Iterator[pa.RecordBatch]:
        with self.guard(), self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=page_rows).execute(query)
            for rows in result.partitions(page_rows):
                yield _rows_to_batch(query, rows)


def _one_batch(table: pa.Table) -> pa.RecordBatch:
    batches = table.combine_chunks().to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)


def _typed(value: Any, column: sa.ColumnElement[Any]) -> Any:
    """A JSON cursor/keyset value back in the column's Python type (instants in its zone)."""
    col_type = column.type
    if isinstance(col_type, sa.DateTime) and value is not None:
        instant = parse_instant(value)
        if instant is None:
            return value
        if not col_type.timezone:
            # Naive columns hold UTC wall time (that is how we read them, too).
            instant = instant.astimezone(dt.UTC).replace(tzinfo=None)
        return sa.literal(instant, col_type)
    if isinstance(col_type, sa.Date) and isinstance(value, str):
        return sa.literal(dt.date.fromisoformat(value[:10]), col_type)
    if isinstance(col_type, sa.Integer) and isinstance(value, str | int | float):
        return sa.literal(int(value), col_type)
    if isinstance(col_type, sa.Numeric) and not isinstance(col_type, sa.Float) and isinstance(
        value, str | int | float
    ):
        return sa.literal(decimal.Decimal(str(value)), col_type)
    return sa.literal(value, col_type)


def _arrow_type(col_type: sa.types.TypeEngine[Any]) -> pa.DataType | None:
    if isinstance(col_type, sa.Boolean):
        return pa.bool_()
    if isinstance(col_type, sa.Integer):
        return pa.int64()
    if isinstance(col_type, sa.Float):
        return pa.float64()
    if isinstance(col_type, sa.DateTime):
        return pa.timestamp("us", tz="UTC" if col_type.timezone else None)
    if isinstance(col_type, sa.Date):
        return pa.date32()
    if isinstance(col_type, sa.String):
        return pa.string()
    if isinstance(col_type, sa.LargeBinary):
        return pa.binary()
    return None


def _rows_to_batch(query: sa.Select[Any], rows: Any) -> pa.RecordBatch:
    columns = list(query.selected_columns)
    data = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    arrays = []
    for col, values in zip(columns, data, strict=True):
        arrays.append(_column_array(col.type, list(values)))
    return pa.RecordBatch.from_arrays(arrays, names=[c.name for c in columns])


def _column_array(col_type: sa.types.TypeEngine[Any], values: list[Any]) -> pa.Array:
    if isinstance(col_type, sa.JSON):
        return json_array(values)
    target = _arrow_type(col_type)
    if target is not None and pa.types.is_timestamp(target) and target.tz:
        values = [v if v is None or v.tzinfo else v.replace(tzinfo=dt.UTC) for v in values]
    try:
        return pa.array(values, type=target)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else str(to_json(v)) for v in values], pa.string())
