"""Sources: each config type opens one Source."""

from __future__ import annotations

from syncjobs.sync.configs import SourceConfig, SqlSourceConfig
from syncjobs.sync.sources.base import Page, ReadPlan, Source


def open_source(config: SourceConfig) -> Source:
    """The Source for a config (HTTP sources import httpx only when used)."""
    if isinstance(config, SqlSourceConfig):
        from syncjobs.sync.sources.sql import SqlSource

        return SqlSource(config)
    from syncjobs.sync.sources.presets import open_http_source

    return open_http_source(config)


__all__ = ["Page", "ReadPlan", "Source", "open_source"]
