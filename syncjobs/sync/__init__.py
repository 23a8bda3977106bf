"""The sync executor: configs, sources, destinations, and the chunk-by-chunk runner."""

from __future__ import annotations

from syncjobs.sync.configs import (
    DESTINATION_TYPES,
    SOURCE_TYPES,
    DestinationConfig,
    SourceConfig,
    parse_destination_config,
    parse_source_config,
)
from syncjobs.sync.secrets import mask_config, merge_masked, redact_url, secret_values

__all__ = [
    "DESTINATION_TYPES",
    "SOURCE_TYPES",
    "DestinationConfig",
    "SourceConfig",
    "mask_config",
    "merge_masked",
    "parse_destination_config",
    "parse_source_config",
    "redact_url",
    "secret_values",
]
