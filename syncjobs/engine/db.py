"""Database access: one SQLAlchemy engine, and a worker thread that runs the queries."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from syncjobs.sqldb import create_engine

T = TypeVar("T")


def create_db_engine(url: str) -> sa.Engine:
    """The metadata DB's engine: SQLite tuned for one writer at a time, PostgreSQL pooled."""
    return create_engine(url, pool_size=8, max_overflow=8)


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
