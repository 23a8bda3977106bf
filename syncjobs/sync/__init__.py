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
from syncjobs.sync.executor import (
    abort,
    check_destination,
    check_source,
    drop_stale_staging,
    list_entities,
    run_chunk,
)
from syncjobs.sync.request import ChunkResult, EntityInfo, SyncRequest
from syncjobs.sync.secrets import (
    mask_config,
    merge_masked,
    redact_url,
    secret_values,
    stored_form,
)

__all__ = [
    "DESTINATION_TYPES",
    "SOURCE_TYPES",
    "ChunkResult",
    "DestinationConfig",
    "EntityInfo",
    "SourceConfig",
    "SyncRequest",
    "abort",
    "check_destination",
    "check_source",
    "drop_stale_staging",
    "list_entities",
    "mask_config",
    "merge_masked",
    "parse_destination_config",
    "parse_source_config",
    "redact_url",
    "run_chunk",
    "secret_values",
    "stored_form",
]
