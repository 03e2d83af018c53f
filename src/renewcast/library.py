"""The library's front door: ``Store(path)`` answers in typed models (``renewcast.models``).

    >>> from renewcast import Store
    >>> db = Store("renewcast.duckdb")          # built from the bundled snapshot on first use
    >>> db.season("The Imperfects").headline
    'Canceled after 1 season: announced 2022-11-08'

It is the low-level ``renewcast.store.Store`` (files, reads, all-or-nothing writes) plus
the questions a user asks; the CLI and the web ask the same functions in ``report``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from renewcast import build, report
from renewcast import store as _store
from renewcast.forecast import service as forecasts
from renewcast.lookup import resolve
from renewcast.models import Backtest, Board, Comparison, Known, SeasonReport, WeekLists

__all__ = ["Store"]


class Store(_store.Store):
    """A renewcast database; the first question builds it from the bundled snapshot."""

    def __init__(self, path: Path | str, *, build_if_missing: bool = True) -> None:
        super().__init__(path)
        self._build = build_if_missing

    def _ready(self) -> Store:
        if self._build:
            build.ensure(self)
        return self

    def known(self) -> Known:
        """The newest Netflix week, its age today, decisions up to today."""
        with self._ready().reading() as con:
            return Known.model_validate(report.freshness(con))

    def season(self, query: str, season: int | None = None) -> SeasonReport:
        """A season by title (forgiving: case, accents, old names, original-language names)."""
        with self._ready().reading() as con:
            return SeasonReport.model_validate(report.season_report(con, resolve(con, query, season)))

    def compare(self, *queries: str) -> Comparison:
        """Seasons lined up by week since premiere; ratios against the first."""
        with self._ready().reading() as con:
            return Comparison.model_validate(report.compare_report(
                [report.season_report(con, resolve(con, q)) for q in queries]))

    def week(self) -> WeekLists:
        """The newest week's four global lists with movement."""
        with self._ready().reading() as con:
            return WeekLists.model_validate({**report.latest_week(con), "known": report.freshness(con)})

    def board(self, as_of: dt.date | None = None) -> Board:
        """Seasons Netflix still has to decide, most at risk first (as they stood on ``as_of``)."""
        with self._ready().reading() as con:
            return Board.model_validate({"board": report.board(con, as_of), "note": None,
                                         "known": report.freshness(con)})

    def backtest(self, horizon_days: int = 28) -> Backtest:
        """The walk-forward backtest at ``horizon_days`` (stored for the track record)."""
        return Backtest.model_validate(forecasts.walk_forward(self._ready(), horizon_days))
