"""Property: random inserts, updates and deletes in a PostgreSQL source, with full and
incremental syncs (some chunks replayed as after a crash) in between."""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sync_helpers import rows

from syncjobs.sync.configs import parse_destination_config, parse_source_config
from syncjobs.sync.executor import run_chunk
from syncjobs.sync.request import SyncRequest

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

ids = st.integers(min_value=1, max_value=30)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), st.lists(ids, min_size=1, max_size=6),
                  st.text(max_size=8)),
        st.tuples(st.just("delete"), st.lists(ids, min_size=1, max_size=4), st.just("")),
        st.tuples(st.just("sync"), st.sampled_from(["full", "incremental"]), st.booleans()),
    ),
    min_size=1, max_size=8,
)


def _sync(req: SyncRequest, replay_first: bool) -> dict[str, Any]:
    state, cursors = None, {}
    for n in range(1000):
        result = run_chunk(req, state)
        if replay_first and n == 0:
            result = run_chunk(req, state)  # committed, state lost, chunk run again
        cursors.update(result.committed_cursors)
        state = result.state
        if result.done:
            return cursors
    raise AssertionError("never done")


@pytest.mark.parametrize("kind", ["duckdb", "postgresql"])
def test_destination_tracks_source(pg_url: str, kind: str) -> None:
    plain = pg_url.replace("+psycopg", "")

    # No shrinking phase: each example runs real syncs, and a failure prints its program.
    @settings(max_examples=20, deadline=None, derandomize=True,
              phases=[Phase.explicit, Phase.reuse, Phase.generate],
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(steps)
    def run(program: list[tuple[str, Any, Any]]) -> None:
        table = f"p_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(plain, autocommit=True) as con:
            con.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, name text, v int,"  # type: ignore[arg-type]
                        " updated_at timestamptz NOT NULL)")
        source = parse_source_config("sql", {
            "url": pg_url, "entities": {table: {"cursor_field": "updated_at"}}})
        with tempfile.TemporaryDirectory() as tmp:
            dest = (parse_destination_config("duckdb", {"path": f"{tmp}/d.duckdb"})
                    if kind == "duckdb" else
                    parse_destination_config("postgresql", {"url": pg_url, "schema": "dst"}))
            model: dict[int, tuple[str, int]] = {}
            cursors: dict[str, Any] = {}
            clock = 0
            for op, arg, extra in program:
                with psycopg.connect(plain, autocommit=True) as con:
                    if op == "upsert":
                        clock += 1  # one statement, one timestamp: rows share the boundary
                        for i in arg:
                            version = model.get(i, ("", 0))[1] + 1
                            model[i] = (extra, version)
                            con.execute(  # type: ignore[arg-type]
                                f"INSERT INTO {table} VALUES (%s, %s, %s, %s) ON CONFLICT (id)"
                                " DO UPDATE SET name = excluded.name, v = excluded.v,"
                                " updated_at = excluded.updated_at",
                                (i, extra, version, T0 + dt.timedelta(seconds=clock)))
                    elif op == "delete":
                        for i in arg:
                            model.pop(i, None)
                        con.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", (arg,))  # type: ignore[arg-type]
                if op != "sync":
                    continue
                req = SyncRequest(source=source, destination=dest, entities=[table], mode=arg,
                                  table_prefix="", execution_id=uuid.uuid4().hex,
                                  cursors=dict(cursors), chunk_records=3)
                cursors.update(_sync(req, replay_first=extra))
                got = rows(dest, table)
                got_ids = [r["id"] for r in got]
                assert len(got_ids) == len(set(got_ids)), "a row is present twice"
                found = {r["id"]: (r["name"], r["v"]) for r in got}
                if arg == "full":
                    assert found == model, program
                else:
                    assert {i: found.get(i) for i in model} == model, program

    run()
