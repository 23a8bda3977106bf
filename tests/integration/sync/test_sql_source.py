"""The sql source against real PostgreSQL, MariaDB and SQLite: full, incremental, keyset chunks."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sync_helpers import rows, run_all, totals

from syncjobs.errors import ConfigError, TerminalError
from syncjobs.sync.configs import parse_destination_config, parse_source_config
from syncjobs.sync.executor import check_source, list_entities
from syncjobs.sync.request import SyncRequest

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def source_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/source.db"
    return str(request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url"))


def make_orders(url: str, n: int) -> tuple[sa.Engine, sa.Table]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    meta = sa.MetaData()
    orders = sa.Table(
        "orders", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer", sa.String(50)),
        sa.Column("amount", sa.Numeric(10, 2)),
        sa.Column("score", sa.Float),
        sa.Column("active", sa.Boolean),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("payload", sa.JSON),
    )
    sa.Table("notes", meta, sa.Column("body", sa.Text))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(orders.insert(), [row(i, 0) for i in range(1, n + 1)])
    return engine, orders


def row(i: int, version: int) -> dict[str, Any]:
    return {
        "id": i, "customer": f"c{i}'\"", "amount": decimal.Decimal(f"{i}.25"), "score": i / 4,
        "active": i % 2 == 0, "updated_at": (T0 + dt.timedelta(hours=i + 1000 * version)).replace(
            tzinfo=None), "payload": {"v": version, "tags": [i]},
    }


def test_full_then_incremental(source_url: str, tmp_path: Path) -> None:
    engine, orders = make_orders(source_url, 23)
    source = parse_source_config(
        "sql", {"url": source_url, "entities": {"orders": {"cursor_field": "updated_at"}}}
    )
    dest = parse_destination_config("duckdb", {"path": str(tmp_path / "w.duckdb")})
    req = SyncRequest(source=source, destination=dest, entities=["orders"], mode="full",
                      table_prefix="shop_", execution_id="e1", chunk_records=5)
    results = run_all(req)
    assert len(results) == 5  # 23 rows in keyset pages of 5
    assert totals(results)["records_created"] == 23
    got = rows(dest, "shop_orders")
    assert [r["id"] for r in got] == list(range(1, 24))
    first = got[0]
    assert first["customer"] == "c1'\"" and float(first["amount"]) == 1.25
    assert first["score"] == 0.25 and first["active"] in (False, 0)  # MySQL: tinyint
    assert first["updated_at"] == T0 + dt.timedelta(hours=1)
    assert '"tags"' in str(first["payload"])
    cursor = results[-1].committed_cursors["orders"]

    # Update 3 rows, add 2: incremental takes exactly those, and tells them apart.
    with engine.begin() as conn:
        for i in (2, 5, 9):
            conn.execute(orders.update().where(orders.c.id == i).values(**row(i, 1)))
        conn.execute(orders.insert(), [row(i, 1) for i in (24, 25)])
    inc = SyncRequest(source=source, destination=dest, entities=["orders"], mode="incremental",
                      table_prefix="shop_", execution_id="e2", chunk_records=2,
                      cursors={"orders": cursor})
    results = run_all(inc)
    t = totals(results)
    # The boundary row (>=) is fetched again; the upsert makes that harmless.
    assert t["records_created"] == 2 and t["records_updated"] == 4
    got = {r["id"]: r for r in rows(dest, "shop_orders")}
    assert len(got) == 25
    assert got[5]["updated_at"] == T0 + dt.timedelta(hours=1005)
    assert results[-1].committed_cursors["orders"].startswith("2024-02-12")
    engine.dispose()


def test_entities_check_and_errors(source_url: str) -> None:
    engine, _ = make_orders(source_url, 3)
    source = parse_source_config("sql", {"url": source_url})
    infos = {e.name: e for e in list_entities(source)}
    assert infos["orders"].primary_key == ["id"]
    assert "updated_at" in infos["orders"].cursor_candidates
    assert infos["notes"].primary_key is None
    assert check_source(source)["ok"] is True
    with pytest.raises(ConfigError):
        bad = parse_source_config("sql", {"url": source_url, "entities": {"orders": {
            "cursor_field": "nope"}}})
        from syncjobs.sync.sources.sql import SqlSource

        SqlSource(bad).plan("orders", incremental=True)
    engine.dispose()


def test_unreachable_source_is_classified_without_password() -> None:
    source = parse_source_config("sql", {"url": "postgresql://u:hunter2@127.0.0.1:1/x"})
    with pytest.raises(Exception) as err:
        check_source(source)
    assert "hunter2" not in str(err.value)
    assert err.value.is_retriable or isinstance(err.value, TerminalError)  # type: ignore[attr-defined]
