"""What a caller hands the executor (SyncRequest) and what one chunk gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from syncjobs.sync.configs import DestinationConfig, SourceConfig


@dataclass
class SyncRequest:
    """One execution of a job: what to copy where; `cursors` are the job's committed ones."""

    source: SourceConfig
    destination: DestinationConfig
    entities: list[str]
    mode: Literal["full", "incremental"]
    table_prefix: str
    execution_id: str
    cursors: dict[str, Any] = field(default_factory=dict)
    chunk_records: int = 50_000
    chunk_seconds: float = 30.0


@dataclass
class ChunkResult:
    """One chunk's outcome; `state` is small JSON to hand back to the next `run_chunk`."""

    state: dict[str, Any]
    done: bool
    cancelled: bool
    stats: dict[str, Any]
    committed_cursors: dict[str, Any]
    chunk: dict[str, Any]


@dataclass
class EntityInfo:
    """An entity a source offers; `cursor_candidates` are fields usable for incremental."""

    name: str
    primary_key: list[str] | None
    cursor_candidates: list[str] = field(default_factory=list)
    cursor_field: str | None = None


def empty_stats() -> dict[str, Any]:
    return {
        "records_processed": 0,
        "records_created": 0,
        "records_updated": 0,
        "records_deleted": 0,
        "records_failed": 0,
        "entities": {},
    }
