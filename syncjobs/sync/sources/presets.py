"""HTTP sources by config type (REST, GraphQL, and the Stripe and Close presets)."""

from __future__ import annotations

from syncjobs.errors import ConfigError
from syncjobs.sync.configs import SourceConfig
from syncjobs.sync.sources.base import Source


def open_http_source(config: SourceConfig) -> Source:
    raise ConfigError(f"source type {config.type!r} is not available yet", field="type")
