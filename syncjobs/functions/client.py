"""The Inngest client: pointed at the embedded engine, or at Inngest as its variables say."""

from __future__ import annotations

import logging
import os

import inngest

from syncjobs.engine import client_kwargs
from syncjobs.errors import ConfigError
from syncjobs.settings import Settings

APP_ID = "syncjobs"


def app_url(settings: Settings) -> str:
    """Where this process is reachable: the public URL, else host and port on loopback."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # noqa: S104
    return f"http://{host}:{settings.port}"


def make_client(settings: Settings) -> inngest.Inngest:
    logger = logging.getLogger("syncjobs.inngest")
    if settings.engine == "embedded":
        return inngest.Inngest(app_id=APP_ID, logger=logger, **client_kwargs(app_url(settings)))
    # SYNCJOBS_ENGINE=inngest: the SDK reads INNGEST_DEV, INNGEST_BASE_URL,
    # INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY itself, as Inngest documents them.
    client = inngest.Inngest(app_id=APP_ID, logger=logger)
    if client.is_production and not os.environ.get("INNGEST_SIGNING_KEY"):
        raise ConfigError(
            "SYNCJOBS_ENGINE=inngest in production mode needs INNGEST_SIGNING_KEY",
            field="INNGEST_SIGNING_KEY",
            hint="set INNGEST_SIGNING_KEY (and INNGEST_EVENT_KEY) from your Inngest app, "
            "or INNGEST_DEV=1 to use a local Inngest dev server",
        )
    return client
