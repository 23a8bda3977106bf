"""Identifiers: every name from a source or a user is normalised, then always quoted."""

from __future__ import annotations

import hashlib
import re

MAX_IDENT = 63  # PostgreSQL's limit; the others allow more, so one rule serves all
STAGING_PREFIX = "_sj_staging_"
SYNCED_AT = "_synced_at"
EXECUTION_ID = "_execution_id"
RESERVED = (SYNCED_AT, EXECUTION_ID)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_UNSAFE = re.compile(r"[^a-z0-9_]+")


def normalize_name(name: str) -> str:
    """snake_case, ASCII letters/digits/underscore, not starting with a digit, ≤ 63 chars."""
    text = _UNSAFE.sub("_", _CAMEL.sub("_", name.strip()).lower()).strip("_") or "_"
    if text[0].isdigit():
        text = "_" + text
    return _fit(text, name)


def _fit(text: str, original: str) -> str:
    if len(text) <= MAX_IDENT:
        return text
    digest = hashlib.sha1(original.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{text[: MAX_IDENT - 9]}_{digest}"


def quote(name: str) -> str:
    """Double-quoted identifier (standard SQL: PostgreSQL, DuckDB and SQLite agree)."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str | None, name: str) -> str:
    return f"{quote(schema)}.{quote(name)}" if schema else quote(name)


def column_names(fields: list[str]) -> dict[str, str]:
    """Source field → column name, unique, never one of our own `_synced_at`/`_execution_id`."""
    taken = set(RESERVED)
    out: dict[str, str] = {}
    for field in fields:
        base = normalize_name(field)
        name, n = base, 1
        while name in taken:
            n += 1
            name = _fit(f"{base}_{n}", f"{field}#{n}")
        taken.add(name)
        out[field] = name
    return out


def table_name(prefix: str, entity: str) -> str:
    return normalize_name(f"{prefix}{entity}")


def execution_tag(execution_id: str) -> str:
    """Short stable tag of an execution id, used in staging table names."""
    return hashlib.sha1(execution_id.encode(), usedforsecurity=False).hexdigest()[:12]


def staging_name(table: str, execution_id: str) -> str:
    return _fit(f"{STAGING_PREFIX}{execution_tag(execution_id)}_{table}", table)


def staging_tag(name: str) -> str | None:
    """The execution tag in a staging table's name, or None if it is not one of ours."""
    if not name.startswith(STAGING_PREFIX):
        return None
    tag = name[len(STAGING_PREFIX) : len(STAGING_PREFIX) + 12]
    return tag if re.fullmatch(r"[0-9a-f]{12}", tag) else None
