"""The private PostgreSQL fixture itself: it starts, stops, restarts and keeps its data."""

from __future__ import annotations

import psycopg
import pytest

from tests.faults.pgserver import PrivatePostgres


def test_private_postgres_stops_and_restarts_keeping_data(private_pg: PrivatePostgres) -> None:
    private_pg.execute("CREATE TABLE t (id int)")
    private_pg.execute("INSERT INTO t VALUES (1), (2)")
    private_pg.stop("immediate")
    with pytest.raises(psycopg.OperationalError):
        private_pg.execute("SELECT 1")
    private_pg.start()
    assert private_pg.execute("SELECT count(*) FROM t") == [(2,)]
