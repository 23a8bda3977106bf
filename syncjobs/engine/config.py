"""The engine's own configuration: the app maps its settings onto `EngineConfig`."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from syncjobs.liveness import owner_id


def _default_worker_id() -> str:
    # host:pid first, so a restart on this host can tell that a holder is dead.
    return owner_id(uuid.uuid4().hex[:6])


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True)
class EngineConfig:
    """Everything the embedded engine needs; nothing here is specific to sync jobs.

    `app_url` is the origin the app is reachable at (the Inngest client's
    `api_base_url` and `event_api_base_url` must point there, see
    `EmbeddedEngine.client_kwargs`). When the engine is given the ASGI app, it
    calls `serve_path` in-process and `app_url` only names the host.
    """

    database_url: str
    app_url: str = "http://127.0.0.1:8080"
    serve_path: str = "/api/inngest"
    # 1.0 = Inngest's own retry schedule (15 s, 30 s, 1 min...); tests use ~0.001.
    backoff_scale: float = 1.0
    # How often the queue is polled when nothing woke the engine up.
    poll_interval: float = 0.25
    # A standby engine takes over once the holder has not renewed for this long.
    lease_seconds: float = 15.0
    worker_id: str = dataclasses.field(default_factory=_default_worker_id)
    # Calls to /api/inngest in flight at once.
    max_inflight: int = 32
    # Seconds one call to /api/inngest may take.
    request_timeout: float = 600.0
    # Set when the app's client runs in cloud mode: requests to it are signed.
    signing_key: str | None = None
    # When set, POST /e/{key} refuses any other key.
    event_key: str | None = None
    # Run `migrate()` on start.
    auto_migrate: bool = True
    # Retry the SDK sync (PUT) in the background until it succeeds.
    sync_on_start: bool = True
    clock: Callable[[], datetime] = system_clock

    def now(self) -> datetime:
        return self.clock()

    def now_ms(self) -> int:
        return int(self.clock().timestamp() * 1000)
