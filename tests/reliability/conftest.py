"""The API without an engine, on a SQLite metadata DB, and the objects the reliability tests poke.

Events go to a loopback port nobody listens on (never to a default port where
another service might run), so a route that sends one meets an unreachable engine.
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from syncjobs.app import create_app
from syncjobs.settings import Settings
from tests.integration.api.conftest import ADMIN, Workspace, create_basics, make_workspace


def closed_port() -> int:
    """A loopback port with no listener (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(home: Path, database_url: str | None = None) -> Settings:
    return Settings(
        home=home, database_url=database_url or f"sqlite:///{home}/meta.db", admin_token=ADMIN,
        secret_keys=Fernet.generate_key().decode(), demo=False, port=closed_port(),
    )


def make_source_db(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, updated_at TEXT)")
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO customers VALUES (1, 'Ada', '2026-01-01T00:00:00Z')")
    return f"sqlite:///{path}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "home").mkdir()
    return make_settings(tmp_path / "home")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, start_engine=False)) as test_client:
        yield test_client


@pytest.fixture
def ws(client: TestClient) -> Workspace:
    return make_workspace(client, "acme")


@pytest.fixture
def other(client: TestClient) -> Workspace:
    return make_workspace(client, "globex")


@pytest.fixture
def source_db(tmp_path: Path) -> str:
    return make_source_db(tmp_path / "source.db")


@pytest.fixture
def ids(ws: Workspace, source_db: str, tmp_path: Path) -> tuple[str, str, str]:
    """(source id, destination id, job id) of a sql source, a sqlite destination, a job."""
    return create_basics(ws, source_db, tmp_path)
