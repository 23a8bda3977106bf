"""Shared fixtures: real PostgreSQL and MariaDB databases, one per test.

`SYNCJOBS_TEST_POSTGRES_URL` / `SYNCJOBS_TEST_MYSQL_URL` name a server (CI sets
both); each test that asks for `pg_url` / `mysql_url` gets a database of its
own, created for it and dropped after. Unset or unreachable: those tests skip
and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from syncjobs.sqldb import normalize_url as normalize_db_url


def _server_url(var: str) -> str:
    url = os.environ.get(var)
    if not url:
        pytest.skip(f"{var} is not set: no database server to test against")
    return normalize_db_url(url)


def _admin_engine(url: str) -> sa.Engine:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        pytest.skip(f"database server unreachable ({type(exc).__name__}): {url.split('@')[-1]}")
    return engine


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    server = _server_url("SYNCJOBS_TEST_POSTGRES_URL")
    admin = _admin_engine(server)
    name = f"sjtest_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """URL of a fresh, empty MariaDB/MySQL database, dropped after the test."""
    server = _server_url("SYNCJOBS_TEST_MYSQL_URL")
    admin = _admin_engine(server)
    name = f"sjtest_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}`"))
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    return f"sqlite:///{tmp_path}/meta.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def metadata_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))
