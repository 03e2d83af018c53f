"""What a season report needs besides the season's own rows: today's freshness, the 10th
place of each week, the catalog's label, the ledger's story, fan signals, the stored
forecast and what the backtest said.

``Live`` asks the store for one season at a time (the CLI, the library: one answer per
process). ``Snapshot`` reads each of those tables once (the web, per store generation:
the file is immutable in between), seasons and their weeks included, so a season page
then costs no query at all. Both answer the same; a test checks it season by season.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

import duckdb

from renewcast import catalog, clock, ledger, lookup, metrics, signals
from renewcast.catalog import Label
from renewcast.forecast import service as forecast_service
from renewcast.store import forecasts_are_stale, rows_as_dicts

#: A show's decisions, its latest season's latest first (ties: the stronger word first).
VERDICT_ORDER = f"season DESC, announced_date DESC, {ledger._PRECEDENCE}"


def freshness(con: duckdb.DuckDBPyConnection, today: dt.date | None = None, *, as_of: bool = False
              ) -> dict[str, Any]:
    """What the store knew and when: the newest Netflix week, its age today, decisions to today.
    ``as_of``: ``today`` is a past day, and only the weeks published by then count."""
    today = today or clock.today()
    row = con.execute("SELECT max(week), max(published) FROM top10_global WHERE ? IS NULL OR week <= ?",
                      [today if as_of else None, today]).fetchone()
    newest = row[0] if row else None
    decided = con.execute("SELECT max(announced_date) FROM ledger WHERE announced_date <= ? AND outcome <> 'reported'",
                           [today]).fetchone()
    age = (today - newest).days if newest else None
    stale = age is None or age > clock.STALE_AFTER_DAYS
    if as_of and newest is not None:
        data_note = (f"As of {today}: Netflix data through {newest:%b} {newest.day}, {newest.year}, "
                     f"{age} days before")
        return {"today": today.isoformat(), "data_through": newest.isoformat(), "data_age_days": age,
                "stale": False, "stale_after_days": clock.STALE_AFTER_DAYS, "decisions_through": today.isoformat(),
                "latest_decision": decided_before(con, today), "note": data_note, "data_note": data_note}
    if newest is None:
        data_note = "No Netflix data yet"
        note = data_note + ": run renewcast refresh"
    else:
        data_note = f"Netflix data through {newest:%b} {newest.day}, {newest.year}, {age} days ago"
        note = data_note + (": run renewcast refresh" if stale else "")
    return {"today": today.isoformat(), "data_through": newest.isoformat() if newest else None,
            "data_age_days": age, "stale": stale, "stale_after_days": clock.STALE_AFTER_DAYS,
            "decisions_through": today.isoformat(),
            "latest_decision": decided[0].isoformat() if decided and decided[0] else None, "note": note,
            "data_note": data_note}


def decided_before(con: duckdb.DuckDBPyConnection, day: dt.date) -> str | None:
    row = con.execute("SELECT max(announced_date) FROM ledger WHERE announced_date <= ? AND outcome <> 'reported'",
                      [day]).fetchone()
    return row[0].isoformat() if row and row[0] else None


class Live:
    """One season at a time, straight from the store; ``as_of``: only what was public that day."""

    def __init__(self, con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> None:
        self.con = con
        self.as_of = as_of
        self._known: dict[str, Any] | None = None
        self._data_from: dt.date | None = None

    def known(self) -> dict[str, Any]:
        if self._known is None:
            self._known = freshness(self.con, self.as_of, as_of=self.as_of is not None)
        return self._known

    def season(self, slug: str) -> dict[str, Any] | None:
        return lookup.season_by_slug(self.con, slug)

    def top10_rows(self, season: dict[str, Any]) -> list[dict[str, Any]]:
        """The season's global Top 10 rows, by week."""
        rows = metrics.season_rows(self.con, season)
        return rows if self.as_of is None else [r for r in rows if r["week"] <= self.as_of]

    def other_seasons(self, season: dict[str, Any]) -> list[dict[str, Any]]:
        """The show's other seasons (slug, season_title, season_number, first_week), in order."""
        return rows_as_dicts(self.con.execute(
            "SELECT slug, season_title, season_number, first_week FROM seasons WHERE show_title = ? AND kind = ? "
            "AND slug <> ? AND (?::DATE IS NULL OR first_week <= ?::DATE) ORDER BY season_number NULLS LAST, "
            "first_week", [season["show_title"], season["kind"], season["slug"], self.as_of, self.as_of]))

    def countries(self, slug: str) -> list[dict[str, Any]] | None:
        """The season's country rows, or None: ask the store when they are needed."""
        return None

    def tenth(self, category: str) -> dict[dt.date, int]:
        return dict(self.con.execute("SELECT week, weekly_hours_viewed FROM top10_global WHERE category = ? "
                                     "AND weekly_rank = 10", [category]).fetchall())

    def coverage(self) -> tuple[dt.date | None, dt.date | None, int]:
        row = self.con.execute("SELECT first_week, last_week, countries FROM country_coverage").fetchone()
        return (row[0], row[1], row[2]) if row else (None, None, 0)

    def label(self, slug: str) -> Label:
        return catalog.label_for(self.con, slug)

    def status(self, season: dict[str, Any], as_of: dt.date) -> dict[str, Any] | None:
        return ledger.season_status(self.con, season, as_of=as_of)

    def reports(self, slug: str) -> list[dict[str, Any]]:
        """Unofficial claims about the season (outcome 'reported'): never its decision."""
        found = ledger.reports(self.con, slug)
        return found if self.as_of is None else [r for r in found if r["announced_date"] <= self.as_of.isoformat()]

    def data_from(self) -> dt.date:
        """The first week of Netflix's global Top 10 in the store."""
        if self._data_from is None:
            row = self.con.execute("SELECT min(week) FROM top10_global").fetchone()
            self._data_from = row[0] if row and row[0] else dt.date.today()
        return self._data_from

    def show_decisions(self, show_title: str) -> list[dict[str, Any]]:
        return rows_as_dicts(self.con.execute(
            "SELECT season, outcome, announced FROM ledger WHERE lower(show_title) = lower(?) "
            f"AND outcome <> 'reported' "
            f"AND announced_date <= ? ORDER BY {VERDICT_ORDER}", [show_title, dt.date.fromisoformat(
                self.known()["today"])]))

    def signals(self, slug: str) -> list[dict[str, Any]]:
        return signals.for_season(self.con, slug, self.as_of)

    def forecast(self, slug: str) -> dict[str, Any] | None:
        # The stored forecast is today's: a past day's is computed live by the caller.
        return forecast_service.stored_forecast(self.con, slug) if self.as_of is None else None

    def backtested(self, slug: str) -> dict[str, Any] | None:
        # The track record names the decision: on a past day it was not known yet.
        return forecast_service.backtested(self.con, slug) if self.as_of is None else None


class Snapshot(Live):
    """Every table read once: for many reports from one unchanging store file."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        super().__init__(con)
        today = dt.date.fromisoformat(self.known()["today"])
        self._read_seasons()
        self._tenth: dict[str, dict[dt.date, int]] = defaultdict(dict)
        for category, week, hours in con.execute(
                "SELECT category, week, weekly_hours_viewed FROM top10_global WHERE weekly_rank = 10").fetchall():
            self._tenth[category][week] = hours
        self._coverage = super().coverage()
        self._labels = catalog.labels_by_slug(con)
        self._events: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows_as_dicts(con.execute(ledger.ALL_AS_OF, [today])):
            if r["slug"] is not None:
                self._events[r["slug"]].append(r)
        self._history = rows_as_dicts(con.execute(ledger.ALL_HISTORY))
        self._reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in ledger.all_reports(con):
            self._reports[r["slug"]].append(r)
        self.data_from()  # read now: a snapshot outlives its connection
        self._shows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows_as_dicts(con.execute(
                f"SELECT lower(show_title) AS key, season, outcome, announced FROM ledger "
                f"WHERE announced_date <= ? AND outcome <> 'reported' ORDER BY key, {VERDICT_ORDER}", [today])):
            self._shows[r.pop("key")].append(r)
        self._signals: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows_as_dicts(con.execute(f"{signals._SELECT} ORDER BY g.kind, g.observed_date, g.platform")):
            if r["slug"] is not None:
                self._signals[r["slug"]].append(signals._public(r))
        try:
            self._forecasts = dict(con.execute("SELECT slug, payload FROM forecasts").fetchall())
            self._stale = forecasts_are_stale(con)
            self._waits = forecast_service.stored_waits(con)
        except duckdb.CatalogException:
            self._forecasts, self._stale, self._waits = {}, False, None
        latest = forecast_service.latest_backtest(con)
        self._backtest = ({r["slug"]: {**r, "horizon_days": latest["horizon_days"]}
                           for r in latest.get("predictions", [])} if latest else {})

    def _read_seasons(self) -> None:
        """Every season, its Top 10 rows and its country rows, grouped as pages ask for them."""
        con = self.con
        self._seasons = {r["slug"]: r for r in rows_as_dicts(con.execute("SELECT * FROM seasons"))}
        self._weeks = metrics.all_weeks(con)
        # Each show's seasons as other_seasons orders them: by number (unnumbered last), then first week.
        self._by_show: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for r in sorted(self._seasons.values(), key=lambda r: (r["season_number"] is None, r["season_number"] or 0,
                                                                r["first_week"])):
            self._by_show[(r["show_title"], r["kind"])].append(
                {"slug": r["slug"], "season_title": r["season_title"], "season_number": r["season_number"],
                 "first_week": r["first_week"]})
        # Grouped as tuples and ordered per season on demand: most pages never ask (the
        # country lists end in 2022), and 40,000 dicts would cost more than all the rest.
        result = con.execute(metrics.COUNTRY_ROWS)
        self._country_columns = [d[0] for d in result.description or []]
        self._countries: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for row in result.fetchall():
            self._countries[row[0]].append(row)

    def season(self, slug: str) -> dict[str, Any] | None:
        found = self._seasons.get(slug)
        return dict(found) if found is not None else None

    def top10_rows(self, season: dict[str, Any]) -> list[dict[str, Any]]:
        return [dict(r) for r in self._weeks.get(season["slug"], [])]

    def other_seasons(self, season: dict[str, Any]) -> list[dict[str, Any]]:
        return [dict(r) for r in self._by_show.get((season["show_title"], season["kind"]), [])
                if r["slug"] != season["slug"]]

    def countries(self, slug: str) -> list[dict[str, Any]] | None:
        rows = [dict(zip(self._country_columns, r, strict=True)) for r in self._countries.get(slug, [])]
        # As country_rows orders them: most weeks, best rank, then name.
        return sorted(rows, key=lambda r: (-r["weeks"], r["best_rank"], r["country_name"]))

    def tenth(self, category: str) -> dict[dt.date, int]:
        return self._tenth.get(category, {})

    def coverage(self) -> tuple[dt.date | None, dt.date | None, int]:
        return self._coverage

    def label(self, slug: str) -> Label:
        return self._labels.get(slug, catalog.UNKNOWN)

    def status(self, season: dict[str, Any], as_of: dt.date) -> dict[str, Any] | None:
        if season.get("kind") != "TV":
            return None
        rows = self._events.get(season["slug"])
        if not rows:
            return ledger.no_decision()
        current = rows[0]
        old = [r for r in self._history if (r["show_title"] == current["show_title"]
                                            and r["season"] == current["season"]) or r["slug"] == season["slug"]]
        return ledger.status_of(rows, old)

    def show_decisions(self, show_title: str) -> list[dict[str, Any]]:
        return self._shows.get(show_title.lower(), [])

    def reports(self, slug: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._reports.get(slug, [])]

    def signals(self, slug: str) -> list[dict[str, Any]]:
        return self._signals.get(slug, [])

    def forecast(self, slug: str) -> dict[str, Any] | None:
        payload = self._forecasts.get(slug)
        if payload is None:
            return None
        today = dt.date.fromisoformat(self.known()["today"])
        return {**forecast_service.aged(json.loads(payload), today, self._waits), "stale": self._stale}

    def backtested(self, slug: str) -> dict[str, Any] | None:
        return self._backtest.get(slug)
