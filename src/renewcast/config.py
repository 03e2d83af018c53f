"""Settings, read once from the environment (prefix ``RENEWCAST_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Netflix's published Top 10 downloads live under this address.
NETFLIX_TOP10_BASE_URL = "https://www.netflix.com/tudum/top10/data/"

#: The snapshot shipped inside the package, used to build a fresh store.
BUNDLED_DATA = Path(__file__).parent / "data"


def default_db_path() -> Path:
    return Path(user_data_dir("renewcast", appauthor=False)) / "renewcast.duckdb"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RENEWCAST_")

    db: Path = default_db_path()
    base_url: str = NETFLIX_TOP10_BASE_URL
    #: When set, the web API accepts writes (ledger entries, signals) bearing this token.
    api_token: str | None = None
    timeout_seconds: float = 30.0
    retries: int = 3


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
