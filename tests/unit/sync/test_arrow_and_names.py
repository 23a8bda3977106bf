"""Arrow typing, widening, identifiers, cursor values, and the read-ahead helper."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncjobs.sync.batches import max_cursor, prepare, split_keyless
from syncjobs.sync.destinations.base import last_per_key
from syncjobs.sync.destinations.naming import (
    column_names,
    normalize_name,
    quote,
    staging_name,
    staging_tag,
)
from syncjobs.sync.prefetch import prefetch
from syncjobs.sync.schema import LOGICAL, normalize, records_to_batch, widen
from syncjobs.sync.sources.http import _retry_after, dig
from syncjobs.sync.values import later, parse_instant, to_json

kinds = st.sampled_from([k for k in LOGICAL if k != "null"])


@given(kinds, kinds, kinds)
def test_widen_is_a_join(a: str, b: str, c: str) -> None:
    assert widen(a, b) == widen(b, a)
    assert widen(a, a) == a and widen(a, "null") == a
    assert widen(widen(a, b), c) == widen(a, widen(b, c))
    assert widen(a, widen(a, b)) == widen(a, b)


def test_records_to_batch_types_and_json() -> None:
    batch = records_to_batch([
        {"id": 1, "n": {"a": [1]}, "tags": ["x"], "s": "t", "f": 1},
        {"id": 2, "f": 2.5, "late": True},
    ])
    ready, kinds_ = normalize(batch)
    assert kinds_ == {"id": "int", "n": "json", "tags": "json", "s": "string", "f": "float",
                      "late": "bool"}
    assert ready.column("n").storage.to_pylist() == ['{"a":[1]}', None]
    mixed = records_to_batch([{"v": 1}, {"v": "x"}, {"v": {"k": 1}}, {"v": 2**70}])
    assert mixed.column("v").to_pylist() == ["1", "x", '{"k":1}', str(2**70)]
    with pytest.raises(TypeError):
        records_to_batch([1, 2])  # type: ignore[list-item]


def test_prepare_names_and_metadata_columns() -> None:
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    batch, names = prepare(records_to_batch([{"userId": 1, "a b": 2, "a_b": 3}]), now, "ex")
    assert names == {"userId": "user_id", "a b": "a_b", "a_b": "a_b_2"}
    assert batch.schema.names == ["user_id", "a_b", "a_b_2", "_synced_at", "_execution_id"]
    assert batch.column("_synced_at")[0].as_py() == now


def test_identifiers() -> None:
    assert normalize_name("Order Items") == "order_items"
    assert normalize_name("1st") == "_1st"
    assert quote('a"b') == '"a""b"'
    long = normalize_name("x" * 200)
    assert len(long) == 63 and long != normalize_name("x" * 199)
    name = staging_name("orders", "exec-1")
    assert staging_tag(name) is not None and staging_tag("orders") is None
    assert column_names(["_synced_at"]) == {"_synced_at": "synced_at"}


def test_keys_and_cursors() -> None:
    batch = records_to_batch([{"id": 1, "u": "2024-01-02T00:00:00Z"}, {"id": None, "u": None},
                              {"id": 1, "u": "2024-01-03T00:00:00Z"}])
    kept, failed = split_keyless(batch, ["id"])
    assert (kept.num_rows, failed) == (2, 1)
    assert split_keyless(batch, ["missing"])[1] == 3
    assert max_cursor(kept, "u") == "2024-01-03T00:00:00Z"
    assert last_per_key(kept, ["id"]).column("u").to_pylist() == ["2024-01-03T00:00:00Z"]


def test_values() -> None:
    assert to_json(dt.date(2024, 1, 2)) == "2024-01-02"
    assert parse_instant(0) == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    assert parse_instant("2024-01-01T00:00:00Z") == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert later("2024-01-01T00:00:00.5+00:00", "2024-01-01T00:00:00+00:00").endswith(".5+00:00")
    assert later(None, 3) == 3 and later(5, 3) == 5


def test_http_helpers() -> None:
    assert dig({"a": {"b": [1, {"c": 2}]}}, "a.b.-1.c") == 2
    assert dig({"a": 1}, "a.b") is None

    class R:
        headers = {"Retry-After": "3"}

    assert _retry_after(R()) == 3.0  # type: ignore[arg-type]
    R.headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    assert _retry_after(R()) == 0.0  # type: ignore[arg-type]


def test_prefetch_keeps_order_errors_and_stops_early() -> None:
    assert list(prefetch(iter(range(5)))) == [0, 1, 2, 3, 4]

    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        list(prefetch(failing()))

    produced: list[int] = []
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    gen = prefetch(endless())
    assert next(gen) == 0
    gen.close()
    assert closed.wait(2) and len(produced) <= 4  # bounded read-ahead


def test_arrow_batch_with_no_records() -> None:
    assert records_to_batch([]).num_rows == 0
    assert isinstance(normalize(pa.RecordBatch.from_pylist([{"a": None}]))[0], pa.RecordBatch)
