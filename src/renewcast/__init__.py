"""renewcast: will there be another season?

The library first: build a ``Store`` from Netflix's files, ``resolve`` a title,
ask for its ``season_report``; the CLI and the web app are thin layers over these.
"""

from renewcast.errors import (
    AmbiguousTitle,
    DownloadError,
    InputError,
    RenewcastError,
    SeasonNotFound,
    StoreError,
    TitleNotFound,
)
from renewcast.lookup import resolve
from renewcast.report import compare_report, latest_week, season_report
from renewcast.store import IngestReport, Store

__all__ = [
    "AmbiguousTitle",
    "DownloadError",
    "IngestReport",
    "InputError",
    "RenewcastError",
    "SeasonNotFound",
    "Store",
    "StoreError",
    "TitleNotFound",
    "compare_report",
    "latest_week",
    "resolve",
    "season_report",
]
