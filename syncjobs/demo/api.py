"""A demo JSON API whose data changes over time, so incremental runs have updates to find.

`GET /demo-api/v1/{customers|orders}?limit=&offset=&updated_since=` answers
`{"data": [...], "has_more": bool}`, records sorted by (updated_at, id). The
data is a pure function of the clock: customer `i` changes every
`5 + i % 7` minutes, a new customer appears every minute of the hour (the
count falls back at the top of the hour, so full refreshes see deletions).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

router = APIRouter(prefix="/demo-api/v1", tags=["demo"], include_in_schema=False)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
CITIES = ("Berlin", "Lisbon", "Osaka", "Lima", "Oslo", "Austin", "Nairobi", "Hobart")
PLANS = ("free", "team", "business")


def _changed_at(i: int, period_min: int, now: datetime) -> tuple[datetime, int]:
    """The last time record i changed, and how many times it has changed since EPOCH."""
    offset = timedelta(seconds=(i * 37) % (period_min * 60))
    version = int((now - EPOCH - offset) / timedelta(minutes=period_min))
    return EPOCH + offset + version * timedelta(minutes=period_min), version


def customers(now: datetime) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, 121 + now.minute):
        changed, version = _changed_at(i, 5 + i % 7, now)
        rows.append({
            "id": i, "name": f"Customer {i}", "email": f"customer{i}@example.test",
            "city": CITIES[i % len(CITIES)], "plan": PLANS[(i + version) % len(PLANS)],
            "balance": round(((i * 7919 + version * 104729) % 100000) / 100, 2),
            "tags": [PLANS[i % 3], CITIES[version % len(CITIES)].lower()],
            "address": {"street": f"{i} Main St", "zip": f"{10000 + i}"},
            "updated_at": changed.isoformat().replace("+00:00", "Z"),
        })
    return rows


def orders(now: datetime) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, 301 + 3 * now.minute):
        changed, version = _changed_at(i, 11 + i % 5, now)
        rows.append({
            "id": i, "customer_id": 1 + (i * 13) % 120,
            "status": ("placed", "paid", "shipped", "delivered")[min(version % 9, 3)],
            "total": round(((i * 271 + 1) % 50000) / 100, 2),
            "items": [{"sku": f"SKU-{(i + k) % 40}", "qty": 1 + k} for k in range(i % 3 + 1)],
            "updated_at": changed.isoformat().replace("+00:00", "Z"),
        })
    return rows


ENTITIES = {"customers": customers, "orders": orders}


@router.get("/{entity}")
def list_records(
    entity: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    updated_since: str | None = None,
) -> dict[str, Any]:
    if entity not in ENTITIES:
        raise HTTPException(404, f"no entity {entity!r}; try one of: {', '.join(ENTITIES)}")
    rows = ENTITIES[entity](datetime.now(UTC))
    if updated_since:
        try:
            since = datetime.fromisoformat(updated_since.replace("Z", "+00:00"))
        except ValueError:
            raise HTTPException(400, "updated_since must be an ISO-8601 time") from None
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        rows = [r for r in rows if datetime.fromisoformat(r["updated_at"].replace("Z", "+00:00"))
                >= since]
    rows.sort(key=lambda r: (r["updated_at"], r["id"]))
    return {"data": rows[offset:offset + limit], "has_more": offset + limit < len(rows)}
