"""Adding up chunk stats into an execution's stats, per entity too."""

from __future__ import annotations

from typing import Any

COUNTERS = ("records_processed", "records_created", "records_updated", "records_deleted",
            "records_failed")


def add_stats(total: dict[str, Any], chunk: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {k: int(total.get(k, 0)) + int(chunk.get(k, 0)) for k in COUNTERS}
    entities: dict[str, Any] = {name: dict(v) for name, v in (total.get("entities") or {}).items()}
    for name, counts in (chunk.get("entities") or {}).items():
        mine = entities.setdefault(name, {})
        for key, value in counts.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                mine[key] = mine.get(key, 0) + value
            else:
                mine[key] = value
    result["entities"] = entities
    return result
