"""What the pages show, assembled from library calls.

Forecast, ledger and signals problems (no trained forecasts yet, say) degrade to
``None``/``[]`` with a note, so a page never fails for want of a forecast.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import duckdb

from renewcast import ledger, lookup, metrics, report, signals
from renewcast.errors import RenewcastError, TitleNotFound
from renewcast.forecast import service as forecasts


def forecast_season(con: duckdb.DuckDBPyConnection, slug: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return forecasts.forecast_season(con, slug), None
    except RenewcastError as err:
        return None, str(err)


def board(con: duckdb.DuckDBPyConnection) -> tuple[list[dict[str, Any]], str | None]:
    try:
        rows = list(forecasts.board(con))
    except RenewcastError as err:
        return [], str(err)
    flat = []
    for row in rows:
        timeline = row.get("timeline") or {}
        flat.append({**row,
                     "title": row.get("title") or row.get("season_title") or row.get("show_title") or row["slug"],
                     "days_since_premiere": row.get("days_since_premiere", timeline.get("days_since_premiere")),
                     "in_limbo": row.get("in_limbo", timeline.get("in_limbo"))})
    # probability is the chance of renewal: the most at risk have the lowest.
    flat.sort(key=lambda r: (r["probability"] if r.get("probability") is not None else 1.0,
                             -(r.get("days_since_premiere") or 0)))
    return flat, None


def backtest(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Any] | None, str | None]:
    result = forecasts.latest_backtest(con)
    return result, None if result else "no backtest has been run yet ('renewcast backtest')"


def ledger_status(con: duckdb.DuckDBPyConnection, slug: str) -> dict[str, Any] | None:
    return ledger.status(con, slug)


def ledger_entries(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return ledger.list_entries(con)


def signals_for(con: duckdb.DuckDBPyConnection, slug: str) -> list[dict[str, Any]]:
    return signals.for_season(con, slug)


def writer(kind: str) -> Callable[..., Any]:
    """The library function that records a ledger entry or a signal."""
    writers: dict[str, Callable[..., Any]] = {"ledger": ledger.add_entry, "signals": signals.add_signal}
    return writers[kind]


# -- page data -------------------------------------------------------------------------


def outcome_of(entry: dict[str, Any] | None) -> str | None:
    if not entry:
        return None
    value = str(entry.get("outcome") or "").lower().replace("cancelled", "canceled")
    return value or None


def latest_decisions(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict[str, Any]]:
    entries = ledger_entries(con)
    entries.sort(key=lambda e: str(e.get("announced_date") or e.get("announced") or ""), reverse=True)
    return entries[:limit]


def views_by_week(con: duckdb.DuckDBPyConnection) -> dict[str, dict[int, int]]:
    """Every season's views per week since premiere (official, or hours / runtime)."""
    seasons = {r["slug"]: r for r in lookup_rows(con)}
    out: dict[str, dict[int, int]] = {}
    for slug, rows in metrics.all_weeks(con).items():
        season = seasons.get(slug)
        if season is None:
            continue
        weeks = metrics.build_weeks(rows, season["runtime_hours"], season["premiere"])
        out[slug] = {w.week_since_premiere: w.views for w in weeks
                     if w.week_since_premiere is not None and w.views is not None}
    return out


def lookup_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    from renewcast.store import rows_as_dicts

    return rows_as_dicts(con.execute("SELECT slug, runtime_hours, premiere, kind FROM seasons"))


_TYPICAL: dict[tuple[Any, ...], dict[str, list[tuple[int, float]]]] = {}


def typical_paths(con: duckdb.DuckDBPyConnection, horizon: int = 8) -> dict[str, list[tuple[int, float]]]:
    """``_typical_paths``, memoised on a fingerprint of the tables it reads (it reads them all)."""
    row = con.execute(
        "SELECT (SELECT count(*) FROM top10_global), (SELECT max(week) FROM top10_global), "
        "(SELECT count(*) FROM ledger), (SELECT max(recorded_at) FROM ledger), "
        "(SELECT count(*) FROM seasons)").fetchone()
    key = (*(row or ()), horizon)
    if key not in _TYPICAL:
        if len(_TYPICAL) > 8:
            _TYPICAL.clear()
        _TYPICAL[key] = _typical_paths(con, horizon)
    return _TYPICAL[key]


def _typical_paths(con: duckdb.DuckDBPyConnection, horizon: int = 8) -> dict[str, list[tuple[int, float]]]:
    """Median views per week since premiere of the renewed and of the canceled seasons.

    A season absent from the Top 10 in a week counts as zero that week: that is what
    leaving the chart means for the path a viewer sees.
    """
    by_outcome: dict[str, list[str]] = defaultdict(list)
    for entry in ledger_entries(con):
        outcome = outcome_of(entry)
        if outcome in ("renewed", "canceled") and entry.get("slug"):
            by_outcome[outcome].append(str(entry["slug"]))
    if not by_outcome:
        return {}
    views = views_by_week(con)
    paths: dict[str, list[tuple[int, float]]] = {}
    for outcome, slugs in sorted(by_outcome.items()):
        known = [views[s] for s in slugs if s in views and 1 in views[s]]
        if len(known) < 3:
            continue
        paths[outcome] = [(n, float(statistics.median(v.get(n, 0) for v in known)))
                          for n in range(1, horizon + 1)]
    return paths


def season_views(report_: dict[str, Any]) -> list[tuple[int, float]]:
    return [(w["week_since_premiere"], float(w["views"])) for w in report_["weeks"]
            if w["week_since_premiere"] is not None and w["views"] is not None]


def season_page(con: duckdb.DuckDBPyConnection, slug: str) -> dict[str, Any]:
    season = lookup.season_by_slug(con, slug)
    if season is None:
        raise TitleNotFound(slug, lookup.suggestions(con, slug.replace("-", " ")))
    data = report.season_report(con, season)
    forecast, forecast_note = (forecast_season(con, slug) if season["kind"] == "TV"
                               else (None, "forecasts cover TV seasons only"))
    peers = []
    for peer in (forecast or {}).get("similar", [])[:3]:
        other = lookup.season_by_slug(con, peer["slug"])
        if other is None:
            continue
        peer_report = report.season_report(con, other)
        peers.append({**peer, "path": season_views(peer_report)})
    return {
        "report": data,
        "forecast": forecast,
        "forecast_note": forecast_note,
        "ledger": ledger_status(con, slug),
        "signals": signals_for(con, slug),
        "peers": peers,
        "typical": typical_paths(con) if season["kind"] == "TV" else {},
    }


def show_seasons(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    """All seasons of the show a query names, for a show-level title page."""
    found = lookup.candidates(con, query, limit=50)
    shows = list(dict.fromkeys((r["show_title"], r["kind"]) for r in found if r["quality"] == 0))
    if len(shows) != 1:
        return []
    return lookup.seasons_of_show(con, *shows[0])


def compare(con: duckdb.DuckDBPyConnection, slugs: list[str]) -> dict[str, Any]:
    reports = []
    for slug in slugs:
        season = lookup.season_by_slug(con, slug) or lookup.resolve(con, slug)
        reports.append(report.season_report(con, season))
    result = report.compare_report(reports)
    result["paths"] = [{"slug": r["slug"], "title": r["season_title"] or r["show_title"],
                        "path": season_views(r)} for r in reports]
    return result


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20) -> dict[str, Any]:
    found = lookup.candidates(con, query, limit=limit) if query.strip() else []
    return {
        "query": query,
        "results": [{k: r[k] for k in ("slug", "show_title", "season_title", "category", "kind", "first_week")}
                    for r in found],
        "suggestions": lookup.suggestions(con, query) if query.strip() and not found else [],
    }
