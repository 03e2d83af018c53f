"""Settings, read once from the environment (prefix ``RENEWCAST_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir

if TYPE_CHECKING:
    from renewcast._settings import Settings

#: Netflix's published Top 10 downloads live under this address.
NETFLIX_TOP10_BASE_URL = "https://www.netflix.com/tudum/top10/data/"

#: The snapshot shipped inside the package, used to build a fresh store.
BUNDLED_DATA = Path(__file__).parent / "data"


def default_db_path() -> Path:
    return Path(user_data_dir("renewcast", appauthor=False)) / "renewcast.duckdb"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    # pydantic-settings costs ~0.2 s to import: only the web app and refresh need it,
    # so the CLI's quick commands never load it.
    from renewcast._settings import Settings

    return Settings()


def __getattr__(name: str) -> Any:
    if name == "Settings":
        from renewcast._settings import Settings

        return Settings
    raise AttributeError(name)
