"""Typed settings from the environment (prefix ``RENEWCAST_``); see ``config.get_settings``."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from renewcast.config import NETFLIX_TOP10_BASE_URL, default_db_path


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RENEWCAST_")

    db: Path = default_db_path()
    base_url: str = NETFLIX_TOP10_BASE_URL
    #: When set, the web API accepts writes (ledger entries, signals) bearing this token.
    api_token: str | None = None
    timeout_seconds: float = 30.0
    retries: int = 3
