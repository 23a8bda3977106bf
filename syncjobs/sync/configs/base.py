"""Shared pieces of every source and destination config: strict base model, secret fields."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """Rejects unknown fields so a typo is reported instead of silently ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


def secret_field(description: str, **kw: Any) -> Any:
    """A write-only secret (token, key, password): masked in responses, redacted in logs."""
    return Field(
        description=description,
        json_schema_extra={"secret": True, "writeOnly": True},
        repr=False,
        **kw,
    )


def url_field(description: str, **kw: Any) -> Any:
    """A connection URL whose password part is a secret (the rest is shown)."""
    return Field(
        description=description,
        json_schema_extra={"secret_url": True, "format": "uri"},
        repr=False,
        **kw,
    )


def named_secrets_field(description: str, *, optional: bool = False) -> Any:
    """A free-form mapping (headers, query parameters, a body) whose string values under
    credential-looking names (`Authorization`, `api_key`, `client_secret`...) are secrets:
    masked in answers, redacted from logs, kept when sent back masked."""
    extra: dict[str, Any] = {"secret_by_name": True}
    if optional:
        return Field(None, description=description, json_schema_extra=extra)
    return Field(default_factory=dict, description=description, json_schema_extra=extra)
