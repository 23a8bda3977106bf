"""Remembers which workspace an API key opens, for a few seconds, per process.

Every API request is authenticated; looking the key up in the database cost
each one a worker-thread hop and a transaction of its own. Keys cannot be
revoked through the API, and a key removed from the database stops working
within `ttl` seconds. Only keys that were found are remembered (a wrong guess
always reaches the database), by their SHA-256 digest, never in clear.
"""

from __future__ import annotations

import time

from syncjobs.store.workspaces import hash_key

DEFAULT_TTL_SECONDS = 10.0
MAX_ENTRIES = 10_000


class KeyCache:
    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._found: dict[str, tuple[str, float]] = {}

    def get(self, key: str) -> str | None:
        """The workspace id of a key seen within `ttl` seconds, else None (ask the DB)."""
        entry = self._found.get(hash_key(key))
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, key: str, workspace_id: str) -> None:
        if len(self._found) >= MAX_ENTRIES:
            self._found.clear()  # bounded; the next requests refill it from the DB
        self._found[hash_key(key)] = (workspace_id, time.monotonic() + self.ttl)
