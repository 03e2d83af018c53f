"""What analysts compute from the weekly Top 10, in one place.

Pure functions over a season's weeks (``Week`` rows) so that ``show``, ``compare``,
the forecast's features and the web pages all use the same arithmetic.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from renewcast.store import rows_as_dicts

#: The seeds' rule of thumb: a drop of over 50% within the first month predicts cancellation.
RULE_DROP = 0.50
FIRST_MONTH_DAYS = 28


@dataclass(frozen=True)
class Week:
    week_start: dt.date
    week_end: dt.date
    hours_viewed: int
    change_fraction: float | None  # vs the week before, when that week was in the Top 10 too
    rank: int
    week_in_top10: int
    views: int | None  # official, or hours / runtime
    views_source: str | None  # 'official' | 'computed'
    week_since_premiere: int | None  # 1 = the week containing the premiere

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["week_start"], out["week_end"] = self.week_start.isoformat(), self.week_end.isoformat()
        return out


def build_weeks(rows: list[dict[str, Any]], runtime: float | None, premiere: dt.date | None) -> list[Week]:
    """Trade-press rows from the season's Top 10 rows (any order)."""
    weeks: list[Week] = []
    previous: dict[str, Any] | None = None
    for row in sorted(rows, key=lambda r: r["week"]):
        end: dt.date = row["week"]
        change = None
        if previous is not None and (end - previous["week"]).days == 7 and previous["weekly_hours_viewed"]:
            change = row["weekly_hours_viewed"] / previous["weekly_hours_viewed"] - 1
        views: int | None = row.get("weekly_views")
        source: str | None = "official"
        if views is None:
            rt = row.get("runtime") or runtime
            views, source = (round(row["weekly_hours_viewed"] / rt), "computed") if rt else (None, None)
        since = (end - premiere).days // 7 + 1 if premiere is not None and end >= premiere else None
        weeks.append(Week(
            week_start=end - dt.timedelta(days=6), week_end=end,
            hours_viewed=row["weekly_hours_viewed"], change_fraction=change, rank=row["weekly_rank"],
            week_in_top10=row["cumulative_weeks_in_top_10"], views=views, views_source=source,
            week_since_premiere=since,
        ))
        previous = row
    return weeks


def first_month(weeks: list[Week], premiere: dt.date | None, days: int = FIRST_MONTH_DAYS) -> list[Week]:
    """Weeks ending within ``days`` of the premiere (the premiere week is week 1)."""
    if premiere is None:
        return []
    last = premiere + dt.timedelta(days=days - 1)
    return [w for w in weeks if premiere <= w.week_end <= last]


@dataclass(frozen=True)
class Drop:
    """The largest fall in hours within the first month, and the rule of thumb's verdict."""

    largest_drop: float | None  # e.g. 0.64 for -64%; None when no two weeks to compare
    week: int | None  # week since premiere in which it happened
    left_top10: bool  # fell out of the Top 10 within the first month
    exit_drop_at_least: float | None  # falling out implies a drop of at least this much
    rule_says_canceled: bool | None  # None: the rule cannot be applied (no data)


def rule_of_thumb(weeks: list[Week], premiere: dt.date | None, tenth_place: dict[dt.date, int],
                  as_of: dt.date | None = None) -> Drop:
    """Apply the seeds' rule: a drop of over 50% within the first month means canceled.

    A season that leaves the Top 10 had fewer hours than that week's 10th place, so
    leaving is itself a drop of at least ``1 - tenth / last``. ``tenth_place`` maps a
    week to the hours of its 10th place in the season's category.
    """
    window = first_month(weeks, premiere)
    if premiere is None or not window:
        return Drop(None, None, False, None, None)
    month_end = premiere + dt.timedelta(days=FIRST_MONTH_DAYS - 1)
    largest, at = None, None
    for w in window[1:]:
        if w.change_fraction is not None and (largest is None or -w.change_fraction > largest):
            largest, at = -w.change_fraction, w.week_since_premiere
    exit_bound, left = None, False
    last = window[-1]
    after = last.week_end + dt.timedelta(days=7)
    charted_after = any(w.week_end == after for w in weeks)
    visible = as_of is None or after <= as_of
    if after <= month_end and not charted_after and visible and after in tenth_place:
        left = True
        exit_bound = max(0.0, 1 - tenth_place[after] / last.hours_viewed)
    worst = max(x for x in (largest, exit_bound, 0.0) if x is not None)
    return Drop(largest, at, left, exit_bound, worst > RULE_DROP)


def tenth_place_hours(con: duckdb.DuckDBPyConnection, category: str) -> dict[dt.date, int]:
    rows = con.execute(
        "SELECT week, weekly_hours_viewed FROM top10_global WHERE category = ? AND weekly_rank = 10",
        [category],
    ).fetchall()
    return dict(rows)


def season_rows(con: duckdb.DuckDBPyConnection, season: dict[str, Any]) -> list[dict[str, Any]]:
    return rows_as_dicts(con.execute(
        "SELECT * FROM top10_global WHERE show_title = ? AND category = ? "
        "AND season_title IS NOT DISTINCT FROM ? ORDER BY week",
        [season["show_title"], season["category"], season["season_title"]],
    ))


def summary(weeks: list[Week], premiere: dt.date | None, premiere_known: bool = True) -> dict[str, Any]:
    """Totals and peaks: Top 10 hours, first-28-day hours and views, peak rank. The first
    week's length in days only where the release day is known (never from an estimate)."""
    month = first_month(weeks, premiere)
    views28 = [w.views for w in month]
    return {
        "top10_hours_total": sum(w.hours_viewed for w in weeks),
        "weeks_in_top10": len(weeks),
        "peak_rank": min((w.rank for w in weeks), default=None),
        "first28_hours": sum(w.hours_viewed for w in month) if month else None,
        "first28_views": sum(v for v in views28 if v is not None) if month and None not in views28 else None,
        "first_week_views": weeks[0].views if weeks and weeks[0].week_since_premiere == 1 else None,
        "first_week_days": (weeks[0].week_end - premiere).days + 1
        if weeks and premiere and premiere_known and weeks[0].week_since_premiere == 1 else None,
    }


#: The season-by-country table's columns; ordered per season as ``country_rows`` orders them.
COUNTRY_ROWS = "SELECT slug, country_name, country_iso2, weeks, best_rank, first_week FROM season_countries"


def country_rows(con: duckdb.DuckDBPyConnection, slug: str) -> list[dict[str, Any]]:
    """Where one season charted: a row per country (weeks, best rank, first week)."""
    return rows_as_dicts(con.execute(
        f"{COUNTRY_ROWS} WHERE slug = ? ORDER BY weeks DESC, best_rank, country_name", [slug]))


def country_breadth(con: duckdb.DuckDBPyConnection, season: dict[str, Any], coverage: tuple[Any, Any, int],
                    rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Where the season charted, when the country lists cover its weeks (``coverage``:
    the country lists' first and last week and countries; ``rows``: its country rows,
    when already known, else read here only if covered)."""
    first, last, n_countries = coverage
    covered = first is not None and season["first_week"] <= last
    if not covered:
        rows = []
    elif rows is None:
        rows = country_rows(con, season["slug"])
    rows = [{k: (v.isoformat() if k == "first_week" else v) for k, v in r.items() if k != "slug"} for r in rows]
    return {
        "covered": covered,
        "coverage": {"first_week": first.isoformat() if first else None,
                     "last_week": last.isoformat() if last else None, "countries": n_countries},
        "countries_charted": len(rows),
        "country_weeks": sum(r["weeks"] for r in rows),
        "top": rows[:10],
        "all": rows,
        "note": None if covered else (
            f"the country lists in this store end with the week of {last}; "
            f"this season first charted the week of {season['first_week']}, so no country data"
            if last else "no country lists ingested"),
    }


def all_weeks(con: duckdb.DuckDBPyConnection, slugs: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every season's Top 10 rows (or those of ``slugs``), keyed by slug, in one query."""
    where = "WHERE s.slug IN (SELECT unnest(?::VARCHAR[]))" if slugs is not None else ""
    rows = rows_as_dicts(con.execute(
        f"""SELECT s.slug, g.* FROM top10_global g JOIN seasons s
             ON g.show_title = s.show_title AND g.category = s.category
            AND g.season_title IS NOT DISTINCT FROM s.season_title
           {where} ORDER BY s.slug, g.week""", [slugs] if slugs is not None else []))
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row.pop("slug")].append(row)
    return out
