"""The executor's resumable state: small JSON, no record data, and per-chunk stats."""

from __future__ import annotations

import datetime as dt
from typing import Any

STATE_VERSION = 1
COUNTERS = ("records_processed", "records_created", "records_updated", "records_deleted",
            "records_failed")


def initial_state(execution_id: str, mode: str, entities: list[str]) -> dict[str, Any]:
    return {
        "v": STATE_VERSION,
        "execution_id": execution_id,
        "mode": mode,
        "entities": entities,
        "index": 0,  # the entity in progress; == len(entities) when done
        "entity": None,  # progress inside it, see `entity_state`
        "chunks": 0,
    }


def entity_state(name: str, lower_bound: Any) -> dict[str, Any]:
    return {
        "name": name,
        "position": None,  # where the source resumes (keyset, page, cursor, next URL)
        "lower_bound": lower_bound,  # fixed for the whole execution: the filter never drifts
        "max_cursor": None,  # largest cursor committed so far in this execution
        "staged_through": None,  # full refresh: _synced_at of the last committed chunk
        "staged_chunks": 0,  # full refresh: chunks committed to staging (marker table agrees)
        "records": 0,
        "failed": 0,
    }


class Stats:
    """Counters of one chunk, overall and per entity."""

    def __init__(self) -> None:
        self.total = dict.fromkeys(COUNTERS, 0)
        self.entities: dict[str, dict[str, int]] = {}

    def add(self, entity: str, **counts: int) -> None:
        per = self.entities.setdefault(entity, dict.fromkeys(COUNTERS, 0))
        for key, value in counts.items():
            name = f"records_{key}"
            self.total[name] += value
            per[name] += value

    def as_dict(self) -> dict[str, Any]:
        return {**self.total, "entities": self.entities}


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
