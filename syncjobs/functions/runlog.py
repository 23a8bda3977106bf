"""An execution's log as the sync sees it: redacted by value, buffered, written in batches."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from syncjobs.store import Database
from syncjobs.store import logs as log_rows

log = logging.getLogger(__name__)
MASK = "********"


class Redactor:
    """Replaces every known secret value in text and JSON-able data."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first so a secret containing another is masked whole; very
        # short values would mask ordinary words and protect nothing.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value

    def data(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value


class RunLog:
    """Buffers lines and flushes them every second or 200 lines, so a follower sees them live."""

    def __init__(self, db: Database, execution_id: str, redactor: Redactor, max_lines: int,
                 job_id: str | None = None) -> None:
        self._db = db
        self._execution_id = execution_id
        self._job_id = job_id
        self._redact = redactor
        self._max_lines = max_lines
        self._lines: list[tuple[str, str, dict[str, Any] | None]] = []
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def __call__(self, level: str, message: str, data: dict[str, Any] | None = None) -> None:
        level = level.lower() if level.lower() in log_rows.LEVELS else "info"
        line = (level, self._redact.text(message), self._redact.data(data) if data else None)
        log.log(logging.getLevelName(level.upper()), "%s", line[1],
                extra={"job_id": self._job_id, "execution_id": self._execution_id})
        with self._lock:
            self._lines.append(line)
            due = len(self._lines) >= 200 or time.monotonic() - self._last_flush > 1.0
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            lines, self._lines = self._lines, []
            self._last_flush = time.monotonic()
        if lines:
            with self._db.session() as session:
                log_rows.append(session, self._execution_id, lines, max_lines=self._max_lines)


def log_line(db: Database, execution_id: str, level: str, message: str, *, max_lines: int,
             data: dict[str, Any] | None = None) -> None:
    """One line outside a chunk (start, finish); its text holds no secret by construction."""
    with db.session() as session:
        log_rows.append(session, execution_id, [(level, message, data)], max_lines=max_lines)
