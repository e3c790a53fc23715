"""The service's own settings (HEARTEN_* environment variables or `hearten serve`
flags); what the companion needs stays in hearten.config.Settings."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEARTEN_", extra="ignore")

    # Encrypts a SQLite database at rest (SQLCipher); never logged, never in a URL.
    database_key: SecretStr | None = None
    rate_per_minute: float = Field(default=120.0, gt=0)  # requests per person
    rate_burst: int = Field(default=60, ge=1)
    max_concurrency: int = Field(default=32, ge=1)  # requests in flight, then 503
    workers: int = Field(default=2, ge=1)  # replies being written at once
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    stream_delay: float = Field(default=0.02, ge=0)  # pause between streamed words
    lease_seconds: float = Field(default=30.0, gt=0)  # how long a reply may be in the making
    warm_up: bool = True  # build the models' indexes before the first person waits
