"""Remembers which workspace an API key opens, for a few seconds, per process.

Every API request is authenticated; looking the key up in the database cost
each one a worker-thread hop and a transaction of its own. Keys cannot be
revoked through the API, and a key removed from the database stops working
within `ttl` seconds. Only keys that were found are remembered (a wrong guess
always reaches the database), by their SHA-256 digest, never in clear, and
only an answer from the database starts the `ttl`: using a key does not.
"""

from __future__ import annotations

import time

DEFAULT_TTL_SECONDS = 10.0
MAX_ENTRIES = 10_000


class KeyCache:
    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._found: dict[str, tuple[str, float]] = {}

    def get(self, digest: str) -> str | None:
        """The workspace the DB gave for `digest` within `ttl` seconds, else None (ask it)."""
        entry = self._found.get(digest)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, digest: str, workspace_id: str) -> None:
        """Remember what the database just answered for `digest` (`hash_key(key)`)."""
        if len(self._found) >= MAX_ENTRIES:
            self._found.clear()  # bounded; the next requests refill it from the DB
        self._found[digest] = (workspace_id, time.monotonic() + self.ttl)
