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
