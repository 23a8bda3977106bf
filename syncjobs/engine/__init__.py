"""The embedded, Inngest-compatible executor: runs any app's functions from the metadata DB.

EmbeddedEngine   start()/stop() in the app's lifespan; router() for the SDK
EngineConfig     its settings (DB URL, app URL, backoff scale, lease...)
migrate          creates/updates the engine_* tables
runs_router      GET /api/engine/runs[/{run_id}] behind the app's auth dependency
client_kwargs    Inngest client arguments that point it at the engine
EngineHarness    (syncjobs.engine.testing) serve + run_to_completion for tests
"""

from .cel import CelError
from .config import EngineConfig
from .engine import EmbeddedEngine, SyncError, client_kwargs
from .history import RunSummary, RunView, StepView
from .http import inngest_api_router, runs_router
from .limits import LimitExceeded
from .migrate import migrate
from .registry import RegistrationError

__all__ = [
    "CelError",
    "EmbeddedEngine",
    "EngineConfig",
    "LimitExceeded",
    "RegistrationError",
    "RunSummary",
    "RunView",
    "StepView",
    "SyncError",
    "client_kwargs",
    "inngest_api_router",
    "migrate",
    "runs_router",
]
