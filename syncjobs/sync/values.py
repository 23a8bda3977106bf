"""JSON round-trips of cursor and keyset values, so state stays plain JSON."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any


def to_json(value: Any) -> Any:
    """A JSON-able form of a database or Arrow value (datetimes as ISO-8601)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def parse_instant(value: Any) -> dt.datetime | None:
    """An aware datetime from ISO-8601 text or Unix seconds; naive input is taken as UTC."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def later(a: Any, b: Any) -> Any:
    """The larger of two JSON cursor values (instants compared as instants)."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, str) and isinstance(b, str):
        ia, ib = parse_instant(a), parse_instant(b)
        if ia is not None and ib is not None:
            return a if ia >= ib else b
    try:
        return a if a >= b else b
    except TypeError:
        return b
