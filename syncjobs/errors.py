"""The one error tree of syncjobs.

    SyncJobsError                 code, message, hint; is_retriable
    ├── ConfigError               bad input: a field, what is wrong, how to fix it (422)
    ├── NotFoundError             no such object in this workspace (404)
    ├── ConflictError             the request clashes with the current state (409)
    ├── AuthError                 missing or wrong credentials (401)
    └── ConnectorError            a source or destination failed
        ├── TransientError        worth retrying: network, timeouts, 429, 5xx
        └── TerminalError         retrying will not help: bad credentials, 4xx, bad schema

Every error says what failed, on what, and what to do. Messages never contain
a secret: connectors build them from redacted URLs.
"""

from __future__ import annotations

from typing import Any


class SyncJobsError(Exception):
    """Base of every error syncjobs raises on purpose."""

    code = "ERROR"
    is_retriable = False

    def __init__(self, message: str, *, hint: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self)}
        if self.details:
            body["details"] = self.details
        return body


class ConfigError(SyncJobsError):
    """Input that cannot be accepted; `field` names where it is."""

    code = "INVALID_CONFIG"

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field


class NotFoundError(SyncJobsError):
    code = "NOT_FOUND"


class ConflictError(SyncJobsError):
    code = "CONFLICT"


class AuthError(SyncJobsError):
    code = "UNAUTHORIZED"


class ConnectorError(SyncJobsError):
    """A source or destination failed; subclasses say whether to retry."""

    code = "CONNECTOR_ERROR"


class TransientError(ConnectorError):
    code = "TRANSIENT"
    is_retriable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class TerminalError(ConnectorError):
    code = "TERMINAL"
