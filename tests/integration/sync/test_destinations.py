"""Every destination against its real engine: swap, upsert, evolution, crashes, cancel."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sync_helpers import rows, run_all, tables, totals

from syncjobs.errors import SyncJobsError
from syncjobs.sync.batches import prepare
from syncjobs.sync.configs import DestinationConfig, SourceConfig, parse_source_config
from syncjobs.sync.destinations import open_destination
from syncjobs.sync.executor import abort, check_destination, drop_stale_staging, run_chunk
from syncjobs.sync.request import SyncRequest
from syncjobs.sync.schema import records_to_batch


def make_source(path: Path, ids: list[int], version: int = 0) -> SourceConfig:
    """A SQLite source file with `items` (keyed, with a cursor) and `loose` (no key)."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT, v INTEGER,"
                " updated_at TIMESTAMP)")
    con.execute("CREATE TABLE IF NOT EXISTS loose (code TEXT, qty INTEGER)")
    for i in ids:
        con.execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?)",
                    (i, f"item {i}", version, f"2024-01-01 00:00:{version:02d}.000000"))
    con.commit()
    con.close()
    return parse_source_config("sql", {
        "url": f"sqlite:///{path}", "batch_rows": 100,
        "entities": {"items": {"cursor_field": "updated_at"}, "loose": {"primary_key": "code"}},
    })


def request(source: SourceConfig, dest: DestinationConfig, mode: str = "full", **kw: Any
            ) -> SyncRequest:
    base: dict[str, Any] = {"entities": ["items"], "table_prefix": "t_", "execution_id": "x1",
                            "chunk_records": 5}
    base.update(kw)
    return SyncRequest(source=source, destination=dest, mode=mode, **base)  # type: ignore[arg-type]


def source_rows(path: Path) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT id, name, v FROM items ORDER BY id").fetchall()
    finally:
        con.close()


def dest_rows(dest: DestinationConfig) -> list[tuple[Any, ...]]:
    return [(r["id"], r["name"], r["v"]) for r in rows(dest, "t_items")]


def test_full_refresh_swaps_and_counts(destination: DestinationConfig, tmp_path: Path) -> None:
    src_path = tmp_path / "src.db"
    source = make_source(src_path, list(range(1, 31)))
    first = run_all(request(source, destination))
    assert totals(first)["records_created"] == 30
    assert dest_rows(destination) == source_rows(src_path)

    con = sqlite3.connect(src_path)
    con.execute("DELETE FROM items WHERE id <= 5")
    con.commit()
    con.close()
    make_source(src_path, [6, 7, 31, 32, 33], version=1)
    second = run_all(request(source, destination, execution_id="x2"))
    t = totals(second)
    assert (t["records_deleted"], t["records_created"], t["records_updated"]) == (5, 3, 25)
    assert dest_rows(destination) == source_rows(src_path)
    assert tables(destination) == ["t_items"]  # no staging left behind
    assert check_destination(destination)["writable"] is True


def test_incremental_upserts(destination: DestinationConfig, tmp_path: Path) -> None:
    src_path = tmp_path / "src.db"
    source = make_source(src_path, list(range(1, 11)))
    first = run_all(request(source, destination, mode="incremental"))
    assert totals(first)["records_created"] == 10
    cursor = first[-1].committed_cursors["items"]
    make_source(src_path, [3, 4, 11], version=1)
    second = run_all(request(source, destination, mode="incremental", execution_id="x2",
                             cursors={"items": cursor}))
    t = totals(second)
    assert t["records_created"] == 1 and t["records_updated"] >= 2
    assert dest_rows(destination) == source_rows(src_path)


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_crash_between_commit_and_state_write(
    destination: DestinationConfig, tmp_path: Path, mode: str
) -> None:
    src_path = tmp_path / "src.db"
    source = make_source(src_path, list(range(1, 24)))
    req = request(source, destination, mode=mode)
    state = run_chunk(req, None).state
    run_chunk(req, state)  # committed, but the caller "crashed" before saving its state
    run_all(req, state)  # the re-run starts again from the saved state
    assert dest_rows(destination) == source_rows(src_path)

    # A crash after the final chunk's swap: the re-run finds the swap done.
    req3 = request(source, destination, mode=mode, execution_id="x3")
    states = [None]
    while True:
        result = run_chunk(req3, states[-1])
        if result.done:
            break
        states.append(result.state)
    again = run_chunk(req3, states[-1])
    assert again.done and dest_rows(destination) == source_rows(src_path)

    # A crash on the very first chunk (no state saved at all) is a fresh start.
    req2 = request(source, destination, mode=mode, execution_id="x2")
    run_chunk(req2, None)
    run_all(req2, None)
    assert dest_rows(destination) == source_rows(src_path)


def test_staging_that_fails_midway_leaves_live_unchanged(
    destination: DestinationConfig, tmp_path: Path
) -> None:
    src_path = tmp_path / "src.db"
    source = make_source(src_path, list(range(1, 21)))
    run_all(request(source, destination))
    before = dest_rows(destination)
    make_source(src_path, list(range(1, 21)), version=2)
    req = request(source, destination, execution_id="x2")
    state = run_chunk(req, None).state  # one chunk staged
    con = sqlite3.connect(src_path)
    con.execute("ALTER TABLE items RENAME TO gone")  # the source breaks midway
    con.commit()
    con.close()
    with pytest.raises(SyncJobsError):
        run_chunk(req, state)
    assert dest_rows(destination) == before
    assert any(t.startswith("_sj_staging_") for t in tables(destination))
    abort(req, state)
    assert tables(destination) == ["t_items"]
    assert dest_rows(destination) == before


def test_cancel_full_drops_staging(destination: DestinationConfig, tmp_path: Path) -> None:
    src_path = tmp_path / "src.db"
    source = make_source(src_path, list(range(1, 21)))
    run_all(request(source, destination))
    before = dest_rows(destination)
    make_source(src_path, list(range(1, 250)), version=3)  # three pages of 100
    beats: list[int] = []
    result = run_chunk(request(source, destination, execution_id="x2", chunk_records=1000),
                       None, should_cancel=lambda: len(beats) >= 2,
                       heartbeat=lambda: beats.append(1))
    assert result.cancelled and result.done
    assert dest_rows(destination) == before
    assert tables(destination) == ["t_items"]


def test_drop_stale_staging(destination: DestinationConfig, tmp_path: Path) -> None:
    source = make_source(tmp_path / "src.db", list(range(1, 21)))
    for ex in ("keep-me", "stale"):
        run_chunk(request(source, destination, execution_id=ex), None)
    assert len(tables(destination)) == 4  # staging and its progress marker, twice
    dropped = drop_stale_staging(destination, {"keep-me"})
    assert len(dropped) == 2 and any(d.endswith("t_items") for d in dropped)
    assert len(tables(destination)) == 2


def test_records_without_key_are_failed_not_merged(
    destination: DestinationConfig, tmp_path: Path
) -> None:
    src_path = tmp_path / "src.db"
    source = make_source(src_path, [])
    con = sqlite3.connect(src_path)
    con.executemany("INSERT INTO loose VALUES (?, ?)", [("a", 1), (None, 2), (None, 3), ("b", 4)])
    con.commit()
    con.close()
    logs: list[tuple[str, str]] = []
    results = run_all(request(source, destination, mode="incremental", entities=["loose"]),
                      log=lambda level, msg, data: logs.append((level, msg)))
    t = totals(results)
    assert t["records_failed"] == 2 and t["records_created"] == 2
    assert [r["code"] for r in rows(destination, "t_loose", order="code")] == ["a", "b"]
    assert any(level == "warning" and "without primary key" in msg for level, msg in logs)


def test_schema_evolution(destination: DestinationConfig) -> None:
    now = dt.datetime.now(dt.UTC)
    dest = open_destination(destination)

    def load(records: list[dict[str, Any]]) -> None:
        batch, _ = prepare(records_to_batch(records), now, "x")
        dest.begin()
        dest.upsert("evolve", batch, ["id"])
        dest.commit()

    try:
        load([{"id": 1, "a": 1, "flag": True}])
        load([{"id": 2, "a": 2.5, "b": "new", "nested": {"k": [1, 2]}}])  # int→float, new columns
        load([{"id": 3, "a": "text", "flag": 7}])  # float→text, bool→int
        cols = dest.columns("evolve")
        assert cols is not None
        assert (cols["a"], cols["flag"], cols["b"], cols["nested"]) == ("string", "int", "string",
                                                                      "json")
    finally:
        dest.close()
    got = {r["id"]: r for r in rows(destination, "evolve")}
    assert [float(got[1]["a"]), float(got[2]["a"]), got[3]["a"]] == [1.0, 2.5, "text"]
    assert (got[1]["flag"], got[3]["flag"]) == (1, 7)
    assert got[1]["b"] is None and got[3]["nested"] is None
    assert "[1, 2]" in str(got[2]["nested"]).replace(",", ", ").replace(",  ", ", ")


def test_many_columns_and_odd_names(destination: DestinationConfig) -> None:
    now = dt.datetime.now(dt.UTC)
    dest = open_destination(destination)
    try:
        records = [{"id": 1, 'we"ird; DROP TABLE x': 1, "camelCase": 2, "_synced_at": "mine"}]
        batch, _ = prepare(records_to_batch(records), now, "x")
        dest.begin()
        dest.append('t"; DROP', batch)
        dest.commit()
        assert set(dest.columns('t"; DROP') or {}) == {
            "id", "we_ird_drop_table_x", "camel_case", "synced_at", "_synced_at",
            "_execution_id"}
        assert pa.types.is_int64(batch.schema.field("id").type)
    finally:
        dest.close()


def test_duplicate_keys_keep_the_last_version(destination: DestinationConfig) -> None:
    now = dt.datetime.now(dt.UTC)
    dest = open_destination(destination)

    def batch(records: list[dict[str, Any]]) -> pa.RecordBatch:
        return prepare(records_to_batch(records), now, "x")[0]

    try:
        dest.begin()
        created, updated = dest.upsert("dups", batch([{"id": 1, "v": "a"}, {"id": 1, "v": "b"},
                                                      {"id": 2, "v": "c"}]), ["id"])
        assert (created, updated) == (2, 0)
        assert dest.upsert("dups", batch([{"id": 2, "v": "d"}]), ["id"]) == (0, 1)
        # Full refresh: pages overlapping by key (offset drift) collapse at the swap.
        dest.append("stage", batch([{"id": 1, "v": "x"}, {"id": 3, "v": "y"}]))
        dest.append("stage", batch([{"id": 3, "v": "z"}]))
        counts = dest.swap("dups", "stage", ["id"])
        dest.commit()
        assert (counts.created, counts.updated, counts.deleted) == (1, 1, 1)
    finally:
        dest.close()
    assert [(r["id"], r["v"]) for r in rows(destination, "dups")] == [(1, "x"), (3, "z")]


def test_cancel_incremental_keeps_what_it_loaded(
    destination: DestinationConfig, tmp_path: Path
) -> None:
    source = make_source(tmp_path / "src.db", list(range(1, 250)))
    beats: list[int] = []
    req = request(source, destination, mode="incremental", chunk_records=1000)
    result = run_chunk(req, None, should_cancel=lambda: len(beats) >= 1,
                       heartbeat=lambda: beats.append(1))
    assert result.cancelled and result.done
    loaded = len(rows(destination, "t_items"))
    assert 0 < loaded < 249 and loaded == result.stats["records_created"]
    assert result.committed_cursors["items"]  # SQL pages are in cursor order
    with pytest.raises(SyncJobsError, match="another execution"):
        run_chunk(request(source, destination, execution_id="other"), result.state)


def test_unreachable_destination_is_transient_without_password(tmp_path: Path) -> None:
    from syncjobs.errors import TerminalError, TransientError
    from syncjobs.sync.configs import parse_destination_config

    pg = parse_destination_config("postgresql", {"url": "postgresql://u:hunter2@127.0.0.1:1/x"})
    with pytest.raises(TransientError) as err:
        check_destination(pg)
    assert "hunter2" not in str(err.value) and "u:***@127.0.0.1:1" in str(err.value)
    blocked = tmp_path / "file"
    blocked.write_text("")
    sqlite = parse_destination_config("sqlite", {"path": str(blocked / "sub" / "d.db")})
    with pytest.raises(TerminalError):
        check_destination(sqlite)


def test_chunk_seconds_bounds_a_chunk(tmp_path: Path) -> None:
    from syncjobs.sync.configs import parse_destination_config

    source = make_source(tmp_path / "src.db", list(range(1, 301)))
    dest = parse_destination_config("sqlite", {"path": str(tmp_path / "d.db")})
    results = run_all(request(source, dest, chunk_records=10_000, chunk_seconds=0.000_001))
    # Pages of 100 rows, one page per chunk; a full last page cannot tell it was the last,
    # so a fourth chunk reads nothing and swaps.
    assert [r.chunk["records"] for r in results] == [100, 100, 100, 0]
    assert len(rows(dest, "t_items")) == 300
