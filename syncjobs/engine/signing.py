"""Request signatures (cloud mode): what the Inngest server sends to a production app."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from typing import Any

import jcs

_PREFIX = re.compile(r"^signkey-\w+-")


def _key_text(signing_key: str) -> bytes:
    return _PREFIX.sub("", signing_key).encode()


def signature_header(body: Any, signing_key: str, unix_seconds: int | None = None) -> str:
    """`x-inngest-signature` for a JSON body: HMAC-SHA256 over RFC 8785 JSON + time."""
    t = int(time.time()) if unix_seconds is None else unix_seconds
    canonical = jcs.canonicalize(body) if body is not None else b""
    mac = hmac.new(_key_text(signing_key), canonical, hashlib.sha256)
    mac.update(str(t).encode())
    return f"t={t}&s={mac.hexdigest()}"


def hashed_key(signing_key: str) -> str:
    """What the SDK sends as `Authorization: Bearer ...` to the Inngest API."""
    return hashlib.sha256(bytes.fromhex(_PREFIX.sub("", signing_key))).hexdigest()


def authorized(header: str | None, signing_key: str | None) -> bool:
    """Whether a request to the engine's API carries the app's hashed signing key.

    Without a signing key (dev mode, the embedded default) there is nothing to check.
    """
    if signing_key is None:
        return True
    expected = f"Bearer {hashed_key(signing_key)}"
    return header is not None and hmac.compare_digest(header, expected)
