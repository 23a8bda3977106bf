"""`migrate(url_or_engine)`: bring the engine's tables to the latest revision."""

from __future__ import annotations

import pathlib

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from .db import create_db_engine

_SCRIPTS = pathlib.Path(__file__).parent / "migrations"


def _config(conn: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.attributes["connection"] = conn
    return cfg


def migrate(url_or_engine: str | sa.Engine) -> None:
    """Create or upgrade the `engine_*` tables; safe to call on every start."""
    engine = create_db_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), "head")
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def autogenerate(url: str, message: str) -> None:
    """Developer helper: write a new revision from the difference with `schema.py`."""
    engine = create_db_engine(url)
    with engine.begin() as conn:
        command.revision(_config(conn), message=message, autogenerate=True)
    engine.dispose()
