"""Database access: one SQLAlchemy engine, and a worker thread that runs the queries."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event

T = TypeVar("T")


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` URLs (SQLAlchemy defaults to psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_db_engine(url: str) -> sa.Engine:
    """An engine tuned for the metadata DB; SQLite gets WAL, a busy timeout and
    `BEGIN IMMEDIATE`, so two processes on one file wait instead of failing."""
    url = normalize_url(url)
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so BEGIN IMMEDIATE is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A deferred transaction that later writes can deadlock with another
        # writer and fail at once; taking the write lock up front just waits.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """Runs blocking DB work off the event loop.

    SQLite gets one thread (one writer at a time anyway, and no lock
    contention inside the process); PostgreSQL a few.
    """

    def __init__(self, url_or_engine: str | sa.Engine) -> None:
        if isinstance(url_or_engine, sa.Engine):
            self.engine = url_or_engine
            self._owns_engine = False
        else:
            self.engine = create_db_engine(url_or_engine)
            self._owns_engine = True
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1 if self.is_sqlite else 4, thread_name_prefix="engine-db"
        )

    async def run(self, fn: Callable[[sa.Connection], T]) -> T:
        """Run `fn(conn)` in one transaction on the DB thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.run_sync, fn)

    def run_sync(self, fn: Callable[[sa.Connection], T]) -> T:
        with self.engine.begin() as conn:
            return fn(conn)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._owns_engine:
            self.engine.dispose()
