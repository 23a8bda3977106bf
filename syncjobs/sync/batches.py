"""Per-page Arrow work: drop records without a key, name columns, add our own columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from syncjobs.sync.destinations.naming import EXECUTION_ID, SYNCED_AT, column_names
from syncjobs.sync.schema import LOGICAL_KEY, TIMESTAMP_TYPE, normalize
from syncjobs.sync.values import to_json


def split_keyless(batch: pa.RecordBatch, key: list[str] | None) -> tuple[pa.RecordBatch, int]:
    """The records that carry every key field, and how many did not (never merged)."""
    if not key or batch.num_rows == 0:
        return batch, 0
    if any(k not in batch.schema.names for k in key):
        return batch.slice(0, 0), batch.num_rows
    missing = None
    for k in key:
        nulls = pc.is_null(batch.column(k))
        missing = nulls if missing is None else pc.or_(missing, nulls)
    bad = pc.sum(missing).as_py() or 0
    if not bad:
        return batch, 0
    return batch.filter(pc.invert(missing)), int(bad)


def max_cursor(batch: pa.RecordBatch, field: str | None) -> Any:
    """The largest cursor value in the batch, as JSON (None when absent)."""
    if not field or field not in batch.schema.names or batch.num_rows == 0:
        return None
    column = batch.column(field)
    if isinstance(column, pa.ExtensionArray):
        column = column.storage
    if pa.types.is_timestamp(column.type) and column.type.tz is None:
        column = column.cast(pa.timestamp(column.type.unit, tz="UTC"))
    try:
        value = pc.max(column).as_py()
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return None
    return to_json(value)


def prepare(
    batch: pa.RecordBatch, synced_at: dt.datetime, execution_id: str
) -> tuple[pa.RecordBatch, dict[str, str]]:
    """Destination-ready batch (safe column names, canonical types, `_synced_at`,
    `_execution_id`) and the source-field → column-name mapping used."""
    names = column_names(batch.schema.names)
    renamed = batch.rename_columns([names[n] for n in batch.schema.names])
    ready, _ = normalize(renamed)
    n = ready.num_rows
    extra = [
        (SYNCED_AT, pa.repeat(pa.scalar(synced_at, TIMESTAMP_TYPE), n), "timestamp"),
        (EXECUTION_ID, pa.repeat(pa.scalar(execution_id, pa.string()), n), "string"),
    ]
    arrays = list(ready.columns)
    fields = list(ready.schema)
    for name, arr, kind in extra:
        arrays.append(arr)
        fields.append(pa.field(name, arr.type, metadata={LOGICAL_KEY: kind.encode()}))
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields)), names
