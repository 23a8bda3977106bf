"""Fixtures of the engine's integration tests: a harness per test on a fresh database."""

from __future__ import annotations

import pytest

from syncjobs.engine.testing import EngineHarness


@pytest.fixture
def harness(sqlite_url: str) -> EngineHarness:
    """An in-process app + engine on a SQLite file of its own."""
    return EngineHarness(sqlite_url)
