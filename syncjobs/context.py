"""AppContext: what the API, the dashboard and the CLI share, built once at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from syncjobs.metrics import Metrics
from syncjobs.settings import Settings
from syncjobs.store import Cipher, Database, load_cipher
from syncjobs.store.keycache import KeyCache
from syncjobs.store.types import utcnow


@dataclass
class AppContext:
    settings: Settings
    db: Database
    cipher: Cipher
    # The Inngest client and the embedded engine, when there are ones.
    inngest: Any = None
    engine: Any = None
    # Injected in tests that need to move time (scheduling).
    clock: Callable[[], datetime] = utcnow
    metrics: Metrics = field(default_factory=Metrics)
    keys: KeyCache = field(default_factory=KeyCache)
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings) -> AppContext:
        return cls(settings=settings, db=Database(settings.metadata_url),
                   cipher=cipher_for(settings))


def cipher_for(settings: Settings) -> Cipher:
    """The cipher of SYNCJOBS_SECRET_KEYS, else of the key file (made on first use)."""
    secret_keys = settings.secret_keys.get_secret_value() if settings.secret_keys else None
    return load_cipher(secret_keys, settings.key_file)
