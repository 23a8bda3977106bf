"""Fixtures of the fault tests: a private PostgreSQL server, service settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.pgserver import PgUnavailable, PrivatePostgres


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    """A running PostgreSQL of this test's own (stop/start it freely); removed after."""
    try:
        server = PrivatePostgres()
    except PgUnavailable as exc:
        pytest.skip(f"private PostgreSQL unavailable: {exc}")
    except OSError as exc:  # runuser missing, permissions
        pytest.skip(f"private PostgreSQL unavailable: {type(exc).__name__}: {exc}")
    try:
        server.start()
        yield server
    finally:
        server.close()
