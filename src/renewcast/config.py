"""Settings: one object, read once from the environment (prefix ``RENEWCAST_``).

``renewcast``'s ``main()`` builds it (``--db`` overrides ``RENEWCAST_DB``) and hands it to
the commands and to the web app; the library never reads the environment for these.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from renewcast.errors import InputError

#: Netflix's published Top 10 downloads live under this address.
NETFLIX_TOP10_BASE_URL = "https://www.netflix.com/tudum/top10/data/"

#: Netflix's file host for the "What We Watched" engagement reports (each report has its own
#: path under it: ``sources.download.ENGAGEMENT_REPORTS``).
NETFLIX_ENGAGEMENT_BASE_URL = "https://assets.ctfassets.net/4cd45et68cgf/"

#: The snapshot shipped inside the package, used to build a fresh store.
BUNDLED_DATA = Path(__file__).parent / "data"


def default_db_path() -> Path:
    return Path(user_data_dir("renewcast", appauthor=False)) / "renewcast.duckdb"


@dataclass(frozen=True)
class Settings:
    db: Path = field(default_factory=default_db_path)
    base_url: str = NETFLIX_TOP10_BASE_URL
    engagement_base_url: str = NETFLIX_ENGAGEMENT_BASE_URL
    #: When set, the web API accepts writes (ledger entries, signals) bearing this token.
    api_token: str | None = None
    timeout_seconds: float = 30.0
    retries: int = 3
    #: A refresh gives up on a file after this long in all, or past this size.
    deadline_seconds: float = 600.0
    max_bytes: int = 1_000_000_000
    #: After the store file is replaced, the web answers from the previous file for at most
    #: this long while the new one's pages are computed (0: swap at once, compute on demand).
    stale_seconds: float = 2.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """The settings from ``RENEWCAST_*`` variables; ``overrides`` that are not None win."""
        env = os.environ if environ is None else environ
        found: dict[str, Any] = {}
        if env.get("RENEWCAST_DB"):
            found["db"] = Path(env["RENEWCAST_DB"])
        if env.get("RENEWCAST_BASE_URL"):
            found["base_url"] = env["RENEWCAST_BASE_URL"]
        if env.get("RENEWCAST_ENGAGEMENT_BASE_URL"):
            found["engagement_base_url"] = env["RENEWCAST_ENGAGEMENT_BASE_URL"]
        if env.get("RENEWCAST_API_TOKEN"):
            found["api_token"] = env["RENEWCAST_API_TOKEN"]
        for name, kind in (("timeout_seconds", float), ("retries", int), ("deadline_seconds", float),
                           ("max_bytes", int), ("stale_seconds", float)):
            key = f"RENEWCAST_{name.upper()}"
            if env.get(key):
                try:
                    found[name] = kind(env[key])
                except ValueError:
                    raise InputError(key, f"'{env[key]}' is not a number", hint=f"e.g. {key}=30") from None
        settings = cls(**found)
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
