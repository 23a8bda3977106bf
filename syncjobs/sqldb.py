"""SQLAlchemy engines for the metadata DB, shared by the store and the embedded engine.

SQLite gets WAL, a busy timeout, foreign keys and `BEGIN IMMEDIATE` (a
deferred transaction that later writes can deadlock with another writer and
fail at once; taking the write lock up front just waits). PostgreSQL URLs
without a driver get psycopg 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` URLs (SQLAlchemy defaults to psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# More connections than the server has worker threads (anyio's 40): a sync route's
# session is closed by its dependency's teardown, which itself needs a worker
# thread; with fewer connections than threads, threads waiting for a connection
# can starve the teardowns that would return them, and the server stops.
POOL_SIZE, MAX_OVERFLOW = 10, 40


def create_engine(url: str, *, pool_size: int = POOL_SIZE, max_overflow: int = MAX_OVERFLOW,
                  **kwargs: Any) -> sa.Engine:
    url = normalize_url(url)
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True, pool_size=pool_size,
                                max_overflow=max_overflow, **kwargs)
    path = sa.make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                              poolclass=sa.pool.QueuePool, pool_size=pool_size,
                              max_overflow=max_overflow, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


def _begin(conn: sa.Connection) -> None:
    # Read-only work (execution option `sqlite_read_only`) takes no write lock: in
    # WAL mode a deferred transaction reads a snapshot, never blocked by the writer.
    read_only = conn.get_execution_options().get("sqlite_read_only")
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # let the "begin" listener issue BEGIN
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
