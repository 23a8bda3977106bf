"""Settings: one pydantic-settings object, built at start-up and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from syncjobs.sqldb import normalize_url


class Settings(BaseSettings):
    """Every knob of syncjobs; each field reads the variable `SYNCJOBS_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="SYNCJOBS_", extra="ignore")

    home: Path = Field(Path(".syncjobs"), description="data folder: metadata DB, key file, DuckDB")
    database_url: str | None = Field(None, description="metadata store URL (SQLite or PostgreSQL)")
    engine: Literal["embedded", "inngest"] = Field("embedded", description="who drives functions")
    secret_keys: SecretStr | None = Field(None, description="comma-separated Fernet keys")
    admin_token: SecretStr | None = Field(None, description="bearer token for admin routes")
    host: str = Field("127.0.0.1", description="address `serve` listens on")
    port: int = Field(8080, ge=0, le=65535, description="port `serve` listens on")
    workers: int = Field(1, ge=1, le=32, description="server processes `serve` runs on its port")
    public_url: str | None = Field(None, description="URL Inngest uses to reach this app")
    log_format: Literal["text", "json"] = Field("text", description="log line format")
    log_level: str = Field("INFO", description="log level")

    max_concurrent_syncs: int = Field(10, ge=1, description="sync runs executing at once")
    sync_retries: int = Field(2, ge=0, le=20, description="retries of a failed sync step")
    schedule_jitter_seconds: int = Field(0, ge=0, description="random delay before scheduled runs")
    heartbeat_timeout_seconds: int = Field(600, ge=5, description="silence before `abandoned`")
    max_log_lines: int = Field(10_000, ge=10, description="log lines kept per execution")
    cancel_grace_seconds: float = Field(10.0, ge=0, description="wait before forcing a cancel")
    chunk_records: int = Field(50_000, ge=1, description="records per sync chunk at most")
    chunk_seconds: float = Field(30.0, gt=0, description="seconds per sync chunk at most")
    # Scales the engine's retry backoff (1.0 = Inngest's 15 s, 30 s, 1 min...).
    engine_backoff_scale: float = Field(1.0, ge=0, description="retry backoff multiplier")
    demo: bool = Field(True, description="create the demo workspace on an empty database")

    @field_validator("database_url")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @property
    def metadata_url(self) -> str:
        """The metadata DB URL; SQLite in `home` unless one is configured."""
        if self.database_url:
            return normalize_url(self.database_url)
        return f"sqlite:///{(self.home / 'syncjobs.db').resolve()}"

    @property
    def key_file(self) -> Path:
        return self.home / "secret.key"

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"
