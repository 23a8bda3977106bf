"""Scratch PostgreSQL databases for the benchmarks: created before, dropped after.

The server is SYNCJOBS_BENCH_POSTGRES_URL, else SYNCJOBS_TEST_POSTGRES_URL (the
one the tests use), else the local one; a benchmark never touches an existing
database but the server's maintenance database, to create and drop its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

SERVER = (os.environ.get("SYNCJOBS_BENCH_POSTGRES_URL")
          or os.environ.get("SYNCJOBS_TEST_POSTGRES_URL")
          or "postgresql://postgres@127.0.0.1:5432/postgres")


def url_of(name: str) -> str:
    """The URL of database `name` on SERVER."""
    return SERVER.rsplit("/", 1)[0] + "/" + name


def create(name: str) -> str:
    """Create database `name` (dropping a leftover of that name first); its URL."""
    drop(name)
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url_of(name)


def drop(name: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_database(prefix: str = "sjbench") -> Iterator[str]:
    """A new, uniquely named database for the block; its URL. Dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = create(name)
    try:
        yield url
    finally:
        drop(name)
