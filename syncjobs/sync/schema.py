"""Arrow typing: records to batches, canonical column types, and how a column widens."""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa

# Logical column types every destination maps to its own SQL types. "null" means no
# value seen yet: such a column is not created until a typed value arrives.
LOGICAL = (
    "null", "bool", "int", "decimal", "float", "date", "timestamp", "string", "json", "binary"
)
_NUMERIC_RANK = {"bool": 0, "int": 1, "decimal": 2, "float": 3}
JSON_TYPE = pa.json_(pa.string())
TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")
CANONICAL: dict[str, pa.DataType] = {
    "bool": pa.bool_(),
    "int": pa.int64(),
    "float": pa.float64(),
    "decimal": pa.string(),  # exact digits as text; destinations cast to NUMERIC
    "date": pa.date32(),
    "timestamp": TIMESTAMP_TYPE,
    "string": pa.string(),
    "json": JSON_TYPE,
    "binary": pa.binary(),
    "null": pa.null(),
}
LOGICAL_KEY = b"syncjobs.type"


def widen(a: str, b: str) -> str:
    """The narrowest type that holds every value of both `a` and `b`."""
    if a == b or b == "null":
        return a
    if a == "null":
        return b
    if a in _NUMERIC_RANK and b in _NUMERIC_RANK:
        return a if _NUMERIC_RANK[a] > _NUMERIC_RANK[b] else b
    if {a, b} == {"date", "timestamp"}:
        return "timestamp"
    return "string"


def logical_of(field: pa.Field) -> str:
    """Logical type of an Arrow field (metadata wins, so decimals carried as text stay exact)."""
    meta = field.metadata or {}
    if LOGICAL_KEY in meta:
        return str(meta[LOGICAL_KEY].decode())
    t = field.type
    if isinstance(t, pa.BaseExtensionType):
        if t.extension_name == "arrow.json":
            return "json"
        if "numeric" in str(t):  # ADBC's opaque PostgreSQL numeric
            return "decimal"
        t = t.storage_type
    return _logical_of_type(t)


def _logical_of_type(t: pa.DataType) -> str:
    checks = (
        (pa.types.is_null, "null"),
        (pa.types.is_boolean, "bool"),
        (pa.types.is_integer, "int"),
        (pa.types.is_floating, "float"),
        (pa.types.is_decimal, "decimal"),
        (pa.types.is_timestamp, "timestamp"),
        (pa.types.is_date, "date"),
        (lambda x: pa.types.is_binary(x) or pa.types.is_large_binary(x), "binary"),
        (lambda x: pa.types.is_nested(x), "json"),
    )
    for check, name in checks:
        if check(t):
            return name
    return "string"


def to_canonical(column: pa.Array | pa.ChunkedArray, logical: str) -> pa.Array:
    """Cast a column to the one Arrow type destinations expect for its logical type."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if isinstance(arr.type, pa.BaseExtensionType) and logical != "json":
        arr = arr.storage
    target = CANONICAL[logical]
    if arr.type == target:
        return arr
    if logical == "json":
        if pa.types.is_nested(arr.type):
            return json_array(arr.to_pylist())
        storage = arr.storage if isinstance(arr, pa.ExtensionArray) else arr
        return pa.ExtensionArray.from_storage(JSON_TYPE, storage.cast(pa.string()))
    if logical == "timestamp" and pa.types.is_timestamp(arr.type) and arr.type.tz is None:
        # Naive source timestamps are taken as UTC: we store aware instants only.
        arr = arr.cast(pa.timestamp(arr.type.unit)).cast(pa.timestamp(arr.type.unit, tz="UTC"))
    if logical == "decimal" and pa.types.is_decimal(arr.type):
        return arr.cast(pa.string())
    return arr.cast(target, safe=False)


def normalize(batch: pa.RecordBatch) -> tuple[pa.RecordBatch, dict[str, str]]:
    """Canonical Arrow types, columns that are all-null dropped, and their logical types."""
    arrays, fields, logical = [], [], {}
    for field, column in zip(batch.schema, batch.columns, strict=True):
        kind = logical_of(field)
        if kind == "null" or (column.null_count == len(column) and len(column)):
            continue
        arr = to_canonical(column, kind)
        arrays.append(arr)
        fields.append(pa.field(field.name, arr.type, metadata={LOGICAL_KEY: kind.encode()}))
        logical[field.name] = kind
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields)), logical


def json_array(values: list[Any]) -> pa.Array:
    texts = [None if v is None else orjson.dumps(v).decode() for v in values]
    return pa.ExtensionArray.from_storage(JSON_TYPE, pa.array(texts, pa.string()))


def records_to_batch(records: list[dict[str, Any]]) -> pa.RecordBatch:
    """Parsed JSON records to one batch: scalars typed, nested values as JSON text."""
    if not records:
        return pa.RecordBatch.from_pylist([])
    try:
        struct = pa.array(records)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return _records_by_column(records)
    if not pa.types.is_struct(struct.type):
        raise TypeError("records are not JSON objects")
    arrays, names = [], []
    for i, field in enumerate(struct.type):
        child = struct.field(i)
        if pa.types.is_nested(field.type):
            child = json_array([r.get(field.name) for r in records])
        arrays.append(child)
        names.append(field.name)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _records_by_column(records: list[dict[str, Any]]) -> pa.RecordBatch:
    # Slow path, only when one field mixes types: each such column becomes text.
    keys: dict[str, None] = {}
    for r in records:
        keys.update(dict.fromkeys(r))
    arrays = []
    for key in keys:
        values = [r.get(key) for r in records]
        if any(isinstance(v, dict | list) for v in values):
            if all(v is None or isinstance(v, dict | list) for v in values):
                arrays.append(json_array(values))
                continue
            arrays.append(pa.array([_text(v) for v in values], pa.string()))
            continue
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arrays.append(pa.array([_text(v) for v in values], pa.string()))
    return pa.RecordBatch.from_arrays(arrays, names=list(keys))


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # orjson refuses integers beyond 64 bits
    return orjson.dumps(value).decode()
