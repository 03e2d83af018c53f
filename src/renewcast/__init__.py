"""renewcast: will there be another season?

The library first: ``Store(path)`` answers in typed models (``season``, ``compare``,
``week``, ``board``, ``backtest``, ``known``); the CLI and the web app are thin layers
over the same functions (``renewcast.report``, ``renewcast.build``).
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
from renewcast.library import Store
from renewcast.lookup import resolve
from renewcast.models import Backtest, Board, Comparison, Known, SeasonReport, WeekLists
from renewcast.report import compare_report, latest_week, season_report
from renewcast.store import IngestReport

__all__ = [
    "AmbiguousTitle",
    "Backtest",
    "Board",
    "Comparison",
    "DownloadError",
    "IngestReport",
    "InputError",
    "Known",
    "RenewcastError",
    "SeasonNotFound",
    "SeasonReport",
    "Store",
    "StoreError",
    "TitleNotFound",
    "WeekLists",
    "compare_report",
    "latest_week",
    "resolve",
    "season_report",
]
