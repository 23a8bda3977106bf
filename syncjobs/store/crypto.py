"""Encryption at rest for connector configs: MultiFernet, first key encrypts, all decrypt."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from syncjobs.errors import ConfigError, SyncJobsError


class Cipher:
    """Encrypts JSON documents; rotating keys means putting a new key first."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigError("no encryption key given", field="SYNCJOBS_SECRET_KEYS")
        fernets = []
        for index, key in enumerate(keys):
            try:
                fernets.append(Fernet(key.strip().encode()))
            except (ValueError, TypeError):
                raise ConfigError(
                    f"SYNCJOBS_SECRET_KEYS: key #{index + 1} is not a Fernet key",
                    field="SYNCJOBS_SECRET_KEYS",
                    hint="each key is 32 url-safe base64 bytes; make one with "
                    "`python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'`",
                ) from None
        self._fernet = MultiFernet(fernets)

    def encrypt(self, document: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(document, sort_keys=True).encode()).decode()

    def decrypt(self, token: str) -> dict[str, Any]:
        try:
            value: dict[str, Any] = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise SyncJobsError(
                "a stored credential cannot be decrypted with the configured keys",
                hint="keep the old key in SYNCJOBS_SECRET_KEYS (after the new one) "
                "until every config has been re-saved",
            ) from None
        return value

    def rotate(self, token: str) -> str:
        """Re-encrypt under the first key."""
        return self._fernet.rotate(token.encode()).decode()


def load_cipher(secret_keys: str | None, key_file: Path) -> Cipher:
    """Keys from the setting, else the generated key file (created 0600 on first use)."""
    if secret_keys:
        return Cipher([k for k in secret_keys.split(",") if k.strip()])
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
    return Cipher([key_file.read_text().strip()])
