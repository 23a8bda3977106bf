"""A small process-wide pool of driver connections, reused across chunks of a sync.

Opening an ADBC PostgreSQL connection costs ~50 ms (it loads the server's type catalog);
a sync of 1M rows runs 20 chunks against two databases, so reuse matters. Idle
connections are closed after `IDLE_SECONDS`; a connection is handed to one user at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

IDLE_SECONDS = 60.0
MAX_IDLE_PER_KEY = 4


class ConnectionPool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[str, list[tuple[float, Any]]] = {}

    def get(self, key: str, connect: Callable[[], Any]) -> Any:
        """An idle connection that still answers, else a new one."""
        self._expire()
        while True:
            with self._lock:
                idle = self._idle.get(key)
                conn = idle.pop()[1] if idle else None
            if conn is None:
                return connect()
            if _alive(conn):
                return conn
            _close(conn)

    def put(self, key: str, conn: Any) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < MAX_IDLE_PER_KEY:
                idle.append((time.monotonic(), conn))
                return
        _close(conn)

    def discard(self, conn: Any) -> None:
        _close(conn)

    def _expire(self) -> None:
        now = time.monotonic()
        stale = []
        with self._lock:
            for key, idle in self._idle.items():
                keep = [(t, c) for t, c in idle if now - t < IDLE_SECONDS]
                stale += [c for t, c in idle if now - t >= IDLE_SECONDS]
                self._idle[key] = keep
        for conn in stale:
            _close(conn)

    def clear(self) -> None:
        with self._lock:
            conns = [c for idle in self._idle.values() for _, c in idle]
            self._idle.clear()
        for conn in conns:
            _close(conn)


def _alive(conn: Any) -> bool:
    # The server may have restarted or dropped the database since the connection idled.
    try:
        cur = conn.cursor()
        try:
            cur.execute("SELECT 1")
            cur.fetchall()
        finally:
            cur.close()
        conn.rollback()
        return True
    except Exception:
        return False


def _close(conn: Any) -> None:
    try:
        conn.close()
    except Exception:  # noqa: S110 - closing a broken connection may fail; nothing to do
        pass


ADBC_POOL = ConnectionPool()
