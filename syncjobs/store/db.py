"""Database: one SQLAlchemy engine and session factory per metadata URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from syncjobs.sqldb import create_engine, normalize_url


class Database:
    """The metadata DB: an engine and short-lived sessions."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalize_url(url)
        self.engine = create_engine(self.url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(sqlite_read_only=True), expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it takes no write lock (WAL snapshot).

        Readers then neither wait for the engine's writes nor make writers wait.
        Writing in it may fail with "database is locked": use `session()` to write.
        """
        # Lazy like `session()`: no connection until the first query, so a request
        # holding one while it waits for another cannot drain the pool.
        with self._read_sessions() as session, session.begin():
            yield session

    def begin(self, *, read_only: bool = False) -> Session:
        """A session with its transaction begun but no connection yet: no I/O here.

        For callers that cannot use a `with` block in one thread (an async
        request dependency): end it with `end(session, ok)`, which does the I/O.
        """
        session = (self._read_sessions if read_only else self._sessions)()
        session.begin()
        return session

    @staticmethod
    def end(session: Session, ok: bool) -> None:
        """Commit (`ok`) or roll back the transaction `begin()` opened, then close."""
        try:
            if ok:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
