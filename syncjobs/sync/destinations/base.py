"""What every destination does, in SQL shared by all three engines; engines fill the hooks."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from syncjobs.errors import ConnectorError
from syncjobs.sync.destinations.naming import EXECUTION_ID, SYNCED_AT, quote, staging_tag
from syncjobs.sync.schema import LOGICAL_KEY, widen


@dataclass
class SwapCounts:
    created: int
    updated: int
    deleted: int


class Destination(ABC):
    """One open connection to a destination; not thread-safe, one per chunk."""

    kind = "destination"
    #: Exceptions of the driver that `classify` turns into our error tree.
    driver_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, schema: str | None) -> None:
        self.schema = schema
        self._known: dict[str, dict[str, str]] = {}  # columns of tables this session shaped

    # -- engine hooks -----------------------------------------------------------------
    @abstractmethod
    def execute(self, sql: str) -> int:
        """Run one statement; the affected row count (or -1)."""

    @abstractmethod
    def scalar(self, sql: str) -> Any: ...

    @abstractmethod
    def columns(self, table: str) -> dict[str, str] | None:
        """Logical type per column, or None when the table does not exist."""

    @abstractmethod
    def tables(self) -> list[str]: ...

    @abstractmethod
    def sql_type(self, logical: str) -> str: ...

    @abstractmethod
    def insert(self, table: str, batch: pa.RecordBatch, columns: dict[str, str]) -> None:
        """Bulk-append a batch whose columns all exist in `table` (types may be wider)."""

    @abstractmethod
    def delete_keys(self, table: str, keys: pa.RecordBatch, columns: dict[str, str]) -> int:
        """Delete rows whose key equals a row of `keys`; the number deleted."""

    @abstractmethod
    def alter_type(self, table: str, column: str, old: str, logical: str) -> None: ...

    @abstractmethod
    def begin(self) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    def rollback(self) -> None:
        self._known.clear()  # rolled-back DDL: what this session knew may be wrong now
        self._rollback()

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def classify(self, exc: BaseException) -> ConnectorError:
        """The one place this engine's driver errors become transient or terminal."""

    def dedupe(self, table: str, key: list[str]) -> None:  # noqa: B027 - optional hook
        """Keep one row per key (the last loaded); engines override when they can."""

    def prepare_key(self, table: str, key: list[str]) -> None:  # noqa: B027 - optional hook
        """Index the key of a live table so upserts find rows fast (engine-specific)."""

    def literal_ts(self, value: datetime) -> str:
        return f"CAST('{value.isoformat()}' AS {self.sql_type('timestamp')})"

    # -- shared SQL ------------------------------------------------------------------
    def q(self, table: str) -> str:
        return f"{quote(self.schema)}.{quote(table)}" if self.schema else quote(table)

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Translate driver errors raised inside into the error tree."""
        try:
            yield
        except ConnectorError:
            raise
        except self.driver_errors as exc:
            raise self.classify(exc) from exc

    def check(self) -> dict[str, Any]:
        with self.guard():
            self.scalar("SELECT 1")
        return {"ok": True}

    def ensure_schema(self) -> None:
        if self.schema:
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(self.schema)}")

    def create_table(self, table: str, columns: dict[str, str]) -> None:
        body = ", ".join(f"{quote(c)} {self.sql_type(t)}" for c, t in columns.items())
        self.execute(f"CREATE TABLE {self.q(table)} ({body})")

    def drop_table(self, table: str) -> None:
        self._known.pop(table, None)
        self.execute(f"DROP TABLE IF EXISTS {self.q(table)}")

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {self.q(table)}"))

    def evolve(self, table: str, batch: pa.RecordBatch) -> dict[str, str]:
        """Create or widen the table so every column of the batch fits; its new columns."""
        wanted = {f.name: (f.metadata or {})[LOGICAL_KEY].decode() for f in batch.schema}
        known = self._known.get(table)
        if known is not None and all(known.get(n) == k for n, k in wanted.items()):
            return known  # the usual case: same columns as the previous page
        current = self.columns(table)
        if current is None:
            self.create_table(table, wanted)
            self._known[table] = dict(wanted)
            return self._known[table]
        self._known[table] = current
        for name, kind in wanted.items():
            if name not in current:
                self.execute(
                    f"ALTER TABLE {self.q(table)} ADD COLUMN {quote(name)} {self.sql_type(kind)}"
                )
                current[name] = kind
            elif (wide := widen(current[name], kind)) != current[name]:
                self.alter_type(table, name, current[name], wide)
                current[name] = wide
        return current

    def append(self, table: str, batch: pa.RecordBatch) -> None:
        columns = self.evolve(table, batch)
        self.insert(table, batch, columns)

    def upsert(self, table: str, batch: pa.RecordBatch, key: list[str]) -> tuple[int, int]:
        """Replace rows by key, insert the rest; (created, updated)."""
        batch = last_per_key(batch, key)
        new_table = self.columns(table) is None
        columns = self.evolve(table, batch)
        if new_table:
            self.prepare_key(table, key)
        updated = self.delete_keys(table, batch.select(key), columns)
        self.insert(table, batch, columns)
        return batch.num_rows - updated, updated

    def delete_synced_after(self, table: str, after: datetime | None) -> int:
        """Idempotent staging: drop rows a crashed attempt of this chunk had committed."""
        if self.columns(table) is None:
            return 0
        where = f" WHERE {quote(SYNCED_AT)} > {self.literal_ts(after)}" if after else ""
        return self.execute(f"DELETE FROM {self.q(table)}{where}")

    def swap(self, live: str, staging: str, key: list[str] | None) -> SwapCounts:
        """Replace `live` by `staging` in one transaction; counts against the old rows."""
        if key:
            self.dedupe(staging, key)
        new = self.count(staging)
        old_columns = self.columns(live)
        old = self.count(live) if old_columns is not None else 0
        if key and old_columns is not None and all(k in old_columns for k in key):
            on = " AND ".join(f"s.{quote(k)} = l.{quote(k)}" for k in key)
            matched = int(
                self.scalar(
                    f"SELECT count(*) FROM {self.q(staging)} s JOIN {self.q(live)} l ON {on}"
                )
            )
        else:
            matched = min(old, new)
        if key:
            self.prepare_key(staging, key)
        self.drop_table(live)
        self.rename(staging, live)
        return SwapCounts(created=new - matched, updated=matched, deleted=old - matched)

    def holds_execution(self, table: str, execution_id: str) -> bool:
        """Whether `table` has rows written by this execution (a swap already done)."""
        if self.columns(table) is None:
            return False
        literal = "'" + execution_id.replace("'", "''") + "'"
        found = self.scalar(
            f"SELECT 1 FROM {self.q(table)} WHERE {quote(EXECUTION_ID)} = {literal} LIMIT 1"
        )
        return found is not None

    def read_progress(self, marker: str) -> int | None:
        """Chunks committed to a staging table, from its marker table (None: no marker)."""
        if self.columns(marker) is None:
            return None
        value = self.scalar(f"SELECT max(n) FROM {self.q(marker)}")
        return None if value is None else int(value)

    def write_progress(self, marker: str, chunks: int) -> None:
        if self.columns(marker) is None:
            self.create_table(marker, {"n": "int"})
        self.execute(f"DELETE FROM {self.q(marker)}")
        self.execute(f"INSERT INTO {self.q(marker)} VALUES ({int(chunks)})")

    def rename(self, table: str, new_name: str) -> None:
        self._known.pop(table, None)
        self._known.pop(new_name, None)
        self.execute(f"ALTER TABLE {self.q(table)} RENAME TO {quote(new_name)}")

    def staging_tables(self) -> list[str]:
        return [t for t in self.tables() if staging_tag(t)]


def last_per_key(batch: pa.RecordBatch, key: list[str]) -> pa.RecordBatch:
    """One row per key, the last one in the batch (the newest version the source sent)."""
    if batch.num_rows < 2:
        return batch
    table = pa.Table.from_batches([batch]).append_column(
        "__sj_row", pa.array(range(batch.num_rows), pa.int64())
    )
    keys = table.select(key)
    if keys.group_by(key).aggregate([]).num_rows == batch.num_rows:
        return batch
    last = table.group_by(key, use_threads=False).aggregate([("__sj_row", "max")])
    rows = last.column("__sj_row_max").combine_chunks()
    return batch.take(pc.take(rows, pc.sort_indices(rows)))
