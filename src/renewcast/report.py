"""Answers as plain data: a season's trade-press report, a comparison, the latest week.

The CLI prints these, ``--json`` dumps them, the web renders them: one source of
numbers for every surface.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
import statistics
from collections import defaultdict
from typing import Any

import duckdb

from renewcast import catalog, clock, ledger, lookup, metrics, signals
from renewcast import status as rules
from renewcast.config import BUNDLED_DATA
from renewcast.errors import RenewcastError, TitleNotFound, WeekNotFound
from renewcast.facts import Live, Snapshot, freshness
from renewcast.forecast import service as forecasts
from renewcast.formats import format_runtime, percent
from renewcast.store import rows_as_dicts
from renewcast.titles import normalize, slugify, title_of


def rule_of_thumb(drop: metrics.Drop) -> dict[str, Any]:
    """The rule's verdict as data, with the one sentence the CLI and the web both print."""
    rule: dict[str, Any] = {
        "threshold": metrics.RULE_DROP,
        "largest_drop_fraction": -drop.largest_drop if drop.largest_drop is not None else None,
        "week": drop.week,
        "left_top10_in_first_month": drop.left_top10,
        "exit_drop_at_least_fraction": -drop.exit_drop_at_least if drop.exit_drop_at_least is not None else None,
        "says_canceled": drop.rule_says_canceled,
    }
    name = f"Rule of thumb (a drop of over {metrics.RULE_DROP:.0%} in the first month)"
    if drop.rule_says_canceled is None:
        rule["sentence"] = f"{name}: cannot be applied (no first-month weeks in the data)."
        return rule
    detail = (f"largest drop {percent(rule['largest_drop_fraction'])} in week {drop.week}"
              if drop.largest_drop is not None else "no week-on-week drop")
    if drop.left_top10 and drop.exit_drop_at_least is not None:
        detail += f"; then left the Top 10 (a fall of at least {drop.exit_drop_at_least:.0%})"
    verdict = "predicts cancellation" if drop.rule_says_canceled else "does not predict cancellation"
    rule["sentence"] = f"{name}: {detail}: {verdict}."
    return rule


def odds_headline(forecast: dict[str, Any], season_number: int | None) -> str:
    """An undecided season's answer first: '43% chance of a Season 3 (plausibly 30–57%) ·
    waiting 691 days, longer than 9 in 10 decisions took · decision within 90 days: 12%'."""
    n = (season_number or 1) + 1
    low, high = forecast["interval_95"]
    parts = [f"{forecast['probability']:.0%} chance of a Season {n} (plausibly {low:.0%}–{high:.0%})"]
    timeline = forecast.get("timeline") or {}
    if timeline.get("days_since_premiere") is not None:
        limbo = ", longer than 9 in 10 decisions took" if timeline.get("in_limbo") else ""
        parts.append(f"waiting {timeline['days_since_premiere']} days{limbo}")
    odds = forecast.get("decision_odds")
    if odds:
        parts.append(f"decision within 90 days: {odds['within_90_days']['decision']:.0%}")
    return " · ".join(parts)


def headline(status: dict[str, Any] | None, label: dict[str, Any] | None, season_number: int | None,
             days_since_premiere: int | None, forecast: dict[str, Any] | None = None) -> str | None:
    """The first thing a fan reads: the decision when there is one, never odds before it;
    the odds when Netflix still has to decide."""
    if status is None:  # a film
        return None
    n = season_number or status.get("season") or 1
    outcome, plural = status.get("outcome"), "s" if n != 1 else ""
    when = status.get("how_known") or f"announced {status.get('announced')}"
    if outcome == "canceled":
        return f"Canceled after {n} season{plural}: {when}"
    if outcome == "reversed":
        return f"Canceled after {n} season{plural}: the renewal was withdrawn, {when}"
    if outcome == "renewed" and status.get("implied"):  # Netflix's own lists show the renewal
        return f"Renewed: season {status.get('next_season')} followed (it charted in the Top 10)"
    if outcome == "renewed":
        return f"Renewed for season {n + 1}: {when}"
    if outcome == "renewed_final":
        return f"Renewed for a final season {n + 1}: {when}"
    if outcome == "final":
        return f"Final season ({when})"
    if outcome == "limited":
        return "A limited series: no further season was planned"
    if (label or {}).get("netflix_decides") == "no" and (label or {}).get("format") != "sports_live":
        return "Licensed: another network decides its seasons, not Netflix"
    why = status.get("why")
    if outcome == rules.UNDECIDED and why:
        return f"No renewal decision to wait for: {why}"
    if forecast is not None and outcome == rules.AWAITING:
        return odds_headline(forecast, season_number)
    waited = f", {days_since_premiere} days after its premiere" if days_since_premiere is not None else ""
    return f"Awaiting Netflix's decision{waited}"


def show_verdict(con: duckdb.DuckDBPyConnection, show_title: str, facts: Live | None = None,
                 released: frozenset[int] = frozenset()) -> str | None:
    """The verdict for the whole show, from its latest decided season: 'Squid Game ended with Season 3.'

    ``released``: the show's season numbers already out. A renewal whose season is out is
    history, not news ("renewed for Season 2" on Season 2's page, still awaiting its own word).
    """
    rows = (facts or Live(con)).show_decisions(show_title)
    if not rows:
        return None
    last = rows[0]
    n, outcome = last["season"], last["outcome"]
    if outcome == "final":
        return f"{show_title} ended with Season {n}."
    if outcome in ("canceled", "reversed"):
        return f"{show_title} was canceled after Season {n}."
    if outcome == "renewed_final":
        return f"{show_title} {'ended' if n + 1 in released else 'will end'} with Season {n + 1}."
    if outcome == "renewed" and n + 1 not in released:
        return f"{show_title} is renewed for Season {n + 1}."
    return None


def season_report(con: duckdb.DuckDBPyConnection, season: dict[str, Any], facts: Live | None = None,
                  as_of: dt.date | None = None) -> dict[str, Any]:
    """A season's whole report; ``facts`` (a per-generation ``Snapshot``) spares the
    queries every report repeats. ``as_of``: what was known on that day, every part of it."""
    facts = Live(con, as_of) if as_of is not None else (facts or Live(con))
    premiere: dt.date | None = season["premiere"]
    weeks = metrics.build_weeks(facts.top10_rows(season), season["runtime_hours"], premiere)
    drop = metrics.rule_of_thumb(weeks, premiere, facts.tenth(season["category"]))
    totals = metrics.summary(weeks, premiere, not season["premiere_estimated"])
    known = facts.known()
    today = dt.date.fromisoformat(known["today"])
    found = facts.status(season, today)
    label_obj = facts.label(season["slug"])
    label = label_obj.as_dict() if season["kind"] == "TV" else None
    days = (today - premiere).days + 1 if premiere else None
    others = facts.other_seasons(season)
    later = rules.later_season(season, others, today)
    status = rules.resolve(season, label_obj, found if found and found.get("outcome") in ledger.DECISIONS else None,
                           later, today, facts.data_from(), clock.today())
    if status is not None and season["kind"] == "TV":
        status["reports"] = facts.reports(season["slug"])
    # The stored renewal forecast (renewcast train), only while Netflix still has to decide:
    # a decided season's odds live on as its track record (``backtest``), never as news.
    forecast = facts.forecast(season["slug"]) if status and status["outcome"] == rules.AWAITING else None
    reasons = (forecast or {}).get("reasons") or []
    return {
        "known": known,
        "headline": headline(status, label, season["season_number"], days, forecast),
        "headline_reason": reasons[0]["text"] if reasons else None,
        "show_verdict": show_verdict(con, season["show_title"], facts, frozenset(
            o["season_number"] for o in [season, *others] if o["season_number"])) if season["kind"] == "TV" else None,
        "days_since_premiere": days,
        "catalog": label,
        "slug": season["slug"],
        "show_title": season["show_title"],
        "season_title": season["season_title"],
        "season_number": season["season_number"],
        "category": season["category"],
        "kind": season["kind"],
        "language": season["language"],
        "premiere": premiere.isoformat() if premiere else None,
        "premiere_estimated": season["premiere_estimated"],
        "premiere_source": season.get("premiere_source"),
        "runtime_hours": season["runtime_hours"],
        "runtime": format_runtime(season["runtime_hours"]),
        "runtime_source": season["runtime_source"],
        "show_facts": show_facts(season["show_title"]) if season["kind"] == "TV" else None,
        **totals,
        "weeks": [w.as_dict() for w in weeks],
        "rule_of_thumb": rule_of_thumb(drop),
        "countries": metrics.country_breadth(con, season, facts.coverage(), facts.countries(season["slug"])),
        "other_seasons": others,
        # Renewal decision (outcome 'awaiting' when none; None for films) and fan/critic signals.
        "ledger": status,
        "signals": facts.signals(season["slug"]),
        "forecast": forecast,
        # What the walk-forward backtest said before the decision (decided seasons only).
        "backtest": facts.backtested(season["slug"]) if season["kind"] == "TV" else None,
    }


def compare_report(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Line seasons up by week since premiere; ratios against the first one named."""
    base = reports[0]
    horizon = max((w["week_since_premiere"] or 0 for r in reports for w in r["weeks"]), default=0)
    rows = []
    for n in range(1, horizon + 1):
        cells = []
        for r in reports:
            week = next((w for w in r["weeks"] if w["week_since_premiere"] == n), None)
            cells.append({"hours_viewed": week["hours_viewed"], "views": week["views"], "rank": week["rank"]}
                         if week else None)
        if any(cells):  # a week no compared season charted is no row (a re-entry years on pads nothing)
            rows.append({"week_since_premiere": n, "seasons": cells})

    def ratio(key: str, other: dict[str, Any]) -> float | None:
        a, b = base.get(key), other.get(key)
        return a / b if a and b else None

    def per_day(r: dict[str, Any]) -> float | None:
        views, days = r.get("first_week_views"), r.get("first_week_days")
        return views / days if views and days else None

    def per_day_ratio(other: dict[str, Any]) -> float | None:
        a, b = per_day(base), per_day(other)
        return a / b if a and b else None

    return {
        "seasons": [{k: r[k] for k in ("slug", "show_title", "season_title", "category", "premiere",
                                       "runtime_hours", "first_week_views", "first_week_days",
                                       "first28_hours", "first28_views", "top10_hours_total",
                                       "weeks_in_top10", "peak_rank")} for r in reports],
        "weeks": rows,
        "ratios": [
            {"of": base["slug"], "to": r["slug"],
             "first_week_views": ratio("first_week_views", r),
             # A first week is the premiere's partial week: 3 days against 5 is no fair fight.
             "first_week_views_per_day": per_day_ratio(r),
             "same_first_week_length": base.get("first_week_days") == r.get("first_week_days"),
             "first28_views": ratio("first28_views", r),
             "top10_hours_total": ratio("top10_hours_total", r)}
            for r in reports[1:]
        ],
    }


#: Netflix has ranked its lists by views since the week ending 2023-06-25, by hours before.
RANKED_BY_VIEWS_FROM = dt.date(2023, 6, 25)


def latest_week(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The newest week's four global lists, each entry with its movement since last week."""
    return week_lists(con)


def week_index(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Every covered week, newest first, with each list's No. 1 (one query)."""
    rows = con.execute(
        "SELECT week, category, coalesce(season_title, show_title) FROM top10_global WHERE weekly_rank = 1 "
        "ORDER BY week DESC, category").fetchall()
    weeks: dict[dt.date, dict[str, str]] = {}
    for week, category, title in rows:
        weeks.setdefault(week, {})[category] = title
    return {"weeks": [{"week": w, "week_start": w - dt.timedelta(days=6),
                       "ranked_by": "views" if w >= RANKED_BY_VIEWS_FROM else "hours", "no1": no1,
                       "url": f"/api/v1/weeks/{w.isoformat()}"} for w, no1 in weeks.items()],
            "known": freshness(con)}


def week_ending(day: dt.date) -> dt.date | None:
    """The Sunday ending the Monday-to-Sunday week holding ``day`` (None past the calendar's end)."""
    try:
        return day + dt.timedelta(days=6 - day.weekday())
    except OverflowError:  # the week of 9999-12-31 ends in a year Python has no date for
        return None


def week_lists(con: duckdb.DuckDBPyConnection, day: dt.date | None = None) -> dict[str, Any]:
    """The four global lists of the week holding ``day`` (any day of its Monday-to-Sunday
    week; None: the newest), each entry with its movement, and the weeks either side."""
    span = con.execute("SELECT min(week), max(week) FROM top10_global").fetchone()
    if not span or span[1] is None:
        return {"week": None, "lists": {}}
    week = span[1] if day is None else week_ending(day)
    if week is None or not span[0] <= week <= span[1]:
        raise WeekNotFound(f"no Top 10 week holds {day}: the lists run from the week ending {span[0]} "
                           f"to the week ending {span[1]}")
    around = con.execute("SELECT max(week) FILTER (WHERE week < $1), min(week) FILTER (WHERE week > $1) "
                         "FROM top10_global", [week]).fetchone() or (None, None)
    rows = rows_as_dicts(con.execute(
        """SELECT g.category, g.weekly_rank, g.show_title, g.season_title, g.weekly_hours_viewed,
                  g.weekly_views, g.cumulative_weeks_in_top_10, s.slug, s.runtime_hours, p.weekly_rank AS last_rank,
                  p.weekly_hours_viewed AS last_hours
           FROM top10_global g
           JOIN seasons s ON s.show_title = g.show_title AND s.category = g.category
                         AND s.season_title IS NOT DISTINCT FROM g.season_title
           LEFT JOIN top10_global p ON p.week = g.week - INTERVAL 7 DAY AND p.category = g.category
                         AND p.show_title = g.show_title
                         AND p.season_title IS NOT DISTINCT FROM g.season_title
           WHERE g.week = ? ORDER BY g.category, g.weekly_rank""", [week]))
    lists: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        # One type per field: places up (None when it was not on last week's list) and what kind
        # of entry it is (new to the Top 10, back after a gap, or a stay).
        row["places_up"] = None if row["last_rank"] is None else row["last_rank"] - row["weekly_rank"]
        row["entry"] = ("stayed" if row["last_rank"] is not None
                        else "new" if row["cumulative_weeks_in_top_10"] == 1 else "back")
        row["change_fraction"] = (row["weekly_hours_viewed"] / row["last_hours"] - 1) if row["last_hours"] else None
        runtime = row.pop("runtime_hours")
        if row["weekly_views"] is not None:
            row["views"], row["views_source"] = row["weekly_views"], "official"
        elif runtime:  # before June 2023 Netflix published hours only: views = hours / runtime
            row["views"], row["views_source"] = round(row["weekly_hours_viewed"] / runtime), "computed"
        else:
            row["views"], row["views_source"] = None, None
        lists.setdefault(row["category"], []).append(row)
    return {"week": week.isoformat(), "week_start": (week - dt.timedelta(days=6)).isoformat(),
            "previous_week": around[0].isoformat() if around[0] else None,
            "next_week": around[1].isoformat() if around[1] else None,
            "ranked_by": "views" if week >= RANKED_BY_VIEWS_FROM else "hours", "lists": lists}


def seasons_list(con: duckdb.DuckDBPyConnection, *, category: str | None = None,
                 premiered_from: dt.date | None = None, premiered_to: dt.date | None = None,
                 status: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    """Every season in the global Top 10 with its status as of today (``renewcast.status``,
    the rule the season page and the board use), filtered and paged."""
    today = clock.today()
    statuses = rules.all_statuses(con, today, today)
    rows = rows_as_dicts(con.execute(
        """SELECT s.slug, s.show_title, s.season_title, s.season_number, s.category, s.kind, s.premiere,
                  s.first_week, s.last_week, s.weeks_in_top10, s.top10_hours AS top10_hours_total, s.peak_rank
           FROM seasons s
           WHERE ($1 IS NULL OR s.category = $1) AND ($2 IS NULL OR s.premiere >= $2)
             AND ($3 IS NULL OR s.premiere <= $3)
           ORDER BY s.first_week DESC, s.slug""", [category, premiered_from, premiered_to]))
    for row in rows:
        row["status"] = statuses[row["slug"]]["outcome"] if row["slug"] in statuses else None
    if status is not None:
        rows = [r for r in rows if r["status"] == status]
    return {"total": len(rows), "limit": limit, "offset": offset, "seasons": rows[offset:offset + limit]}


def week_changes(con: duckdb.DuckDBPyConnection, weeks: int = 20) -> list[dict[str, Any]]:
    """The newest weeks, newest first, each with what changed: entries, exits, new No. 1s."""
    rows = rows_as_dicts(con.execute(
        """WITH w AS (SELECT DISTINCT week FROM top10_global ORDER BY week DESC LIMIT $1)
           SELECT g.week, g.category, g.weekly_rank, coalesce(g.season_title, g.show_title) AS title,
                  g.show_title, g.season_title,
                  EXISTS (SELECT 1 FROM top10_global p WHERE p.week = g.week - INTERVAL 7 DAY
                          AND p.category = g.category AND p.show_title = g.show_title
                          AND p.season_title IS NOT DISTINCT FROM g.season_title) AS was_there,
                  (SELECT coalesce(p.season_title, p.show_title) FROM top10_global p
                    WHERE p.week = g.week - INTERVAL 7 DAY AND p.category = g.category AND p.weekly_rank = 1)
                    AS last_number_one
           FROM top10_global g JOIN w USING (week) ORDER BY g.week DESC, g.category, g.weekly_rank""",
        [weeks + 1]))
    by_week: dict[dt.date, list[dict[str, Any]]] = {}
    for row in rows:
        by_week.setdefault(row["week"], []).append(row)
    ordered = sorted(by_week, reverse=True)
    out = []
    for n, week in enumerate(ordered[:weeks]):
        current = by_week[week]
        previous = by_week.get(week - dt.timedelta(days=7), [])
        titles = {(r["category"], r["title"]) for r in current}
        out.append({
            "week": week.isoformat(), "week_start": (week - dt.timedelta(days=6)).isoformat(),
            "entries": [{"category": r["category"], "rank": r["weekly_rank"], "title": r["title"]}
                        for r in current if not r["was_there"]],
            "exits": [{"category": r["category"], "title": r["title"]} for r in previous
                      if (r["category"], r["title"]) not in titles] if n < len(ordered) - 1 else [],
            "new_number_ones": [{"category": r["category"], "title": r["title"]} for r in current
                                if r["weekly_rank"] == 1 and r["last_number_one"] not in (None, r["title"])],
        })
    return out


def country_week(con: duckdb.DuckDBPyConnection, iso2: str, day: dt.date | None = None) -> dict[str, Any]:
    """One country's TV and film lists for the week holding ``day`` (None: its newest covered
    week), each entry linked to its season, with the weeks either side and the coverage."""
    iso2 = iso2.upper()
    span = con.execute("SELECT min(week), max(week), any_value(country_name) FROM top10_country "
                       "WHERE country_iso2 = ?", [iso2]).fetchone()
    if not span or span[0] is None:
        raise TitleNotFound(iso2, [])  # no such country in the lists
    first, last, name = span
    week = last if day is None else week_ending(day)
    if week is None or not first <= week <= last:
        raise WeekNotFound(f"the country lists for {name} run from the week ending {first} to the week ending "
                           f"{last}; {day} is outside them")
    rows = rows_as_dicts(con.execute(
        """SELECT c.category, c.weekly_rank, c.show_title, c.season_title, c.cumulative_weeks_in_top_10,
                  (SELECT min(s.slug) FROM seasons s WHERE s.show_title = c.show_title
                      AND s.season_title IS NOT DISTINCT FROM c.season_title
                      AND (CASE WHEN s.kind = 'TV' THEN 'TV' ELSE 'Films' END) = c.category) AS slug
           FROM top10_country c WHERE c.country_iso2 = ? AND c.week = ? ORDER BY c.category DESC, c.weekly_rank""",
        [iso2, week]))
    lists: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        lists.setdefault(row["category"], []).append(row)
    around = con.execute("SELECT max(week) FILTER (WHERE week < $2), min(week) FILTER (WHERE week > $2) "
                         "FROM top10_country WHERE country_iso2 = $1", [iso2, week]).fetchone() or (None, None)
    return {"country_iso2": iso2, "country_name": name, "week": week.isoformat(),
            "week_start": (week - dt.timedelta(days=6)).isoformat(),
            "previous_week": around[0].isoformat() if around[0] else None,
            "next_week": around[1].isoformat() if around[1] else None,
            "coverage": {"first_week": first.isoformat(), "last_week": last.isoformat()}, "lists": lists}


def most_popular(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Netflix's four all-time lists (views in the first 91 days), each entry with its season page."""
    rows = rows_as_dicts(con.execute(
        """SELECT m.category, m.rank, m.show_title, m.season_title, m.views_first_91_days,
                  m.hours_viewed_first_91_days, m.runtime, s.slug
           FROM most_popular m LEFT JOIN (
               SELECT show_title, season_title, CASE WHEN kind = 'TV' THEN 'TV' ELSE 'Films' END AS family,
                      language, min(slug) AS slug FROM seasons GROUP BY ALL) s
             ON s.show_title = m.show_title AND s.season_title IS NOT DISTINCT FROM m.season_title
            AND m.category LIKE s.family || '%' AND m.category LIKE '%(' || s.language || ')'
           ORDER BY m.category, m.rank"""))
    lists: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        lists.setdefault(row["category"], []).append(row)
    return {"lists": lists}


# -- what a page shows: the same answers, with a note instead of an exception -----------


def forecast_or_note(con: duckdb.DuckDBPyConnection, slug: str) -> tuple[dict[str, Any] | None, str | None]:
    """The stored forecast of a season, or why there is none (never an exception for a page)."""
    try:
        return forecasts.forecast_season(con, slug), None
    except RenewcastError as err:
        return None, str(err)


def board(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Seasons Netflix still has to decide, most at risk first (lowest chance of renewal), each
    a forecast with its wait flattened out for tables: the one board shape (CLI, API, library)."""
    # forecast.board orders them (forecast.order.board_order).
    return [{**r, "days_since_premiere": r["timeline"]["days_since_premiere"],
             "in_limbo": r["timeline"]["in_limbo"]} for r in forecasts.board(con, as_of)]


def board_or_note(con: duckdb.DuckDBPyConnection) -> tuple[list[dict[str, Any]], str | None]:
    """The board, or why there is none (no forecasts trained yet)."""
    try:
        return board(con), None
    except RenewcastError as err:
        return [], str(err)


def track_record(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Any] | None, str | None]:
    """The stored walk-forward backtest, or why there is none."""
    result = forecasts.latest_backtest(con)
    return result, None if result else ("no backtest is stored yet: 'renewcast serve' computes one in the background "
                                     "on a new store (about 20 s), or run 'renewcast backtest'")


def backtest_summary(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The track record at every stored horizon, per slice and method, with intervals."""
    return forecasts.backtest_summary(con)


def forecast_moves(con: duckdb.DuckDBPyConnection, slugs: list[str]) -> list[dict[str, Any]]:
    """Retrainings that moved these seasons' forecasts by more than 10 points, newest first."""
    return forecasts.forecast_moves(con, slugs)


def latest_decisions(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict[str, Any]]:
    """The newest decisions in the ledger (already newest first)."""
    return ledger.list_entries(con)[:limit]


def typical_paths(con: duckdb.DuckDBPyConnection, horizon: int = 8) -> dict[str, list[tuple[int, float]]]:
    """Median views per week since premiere of the renewed and of the canceled seasons.

    A season absent from the Top 10 in a week counts as zero that week: that is what
    leaving the chart means for the path a viewer sees.
    """
    by_outcome: dict[str, list[str]] = defaultdict(list)
    for entry in ledger.list_entries(con):
        if entry["outcome"] in ("renewed", "canceled") and entry["slug"]:
            by_outcome[entry["outcome"]].append(entry["slug"])
    if not by_outcome:
        return {}
    wanted = sorted({s for slugs in by_outcome.values() for s in slugs})
    seasons = {r["slug"]: r for r in rows_as_dicts(con.execute(
        "SELECT slug, runtime_hours, premiere FROM seasons WHERE slug IN (SELECT unnest(?::VARCHAR[]))", [wanted]))}
    views = {slug: dict(season_views_of(rows, seasons[slug]))
             for slug, rows in metrics.all_weeks(con, wanted).items() if slug in seasons}
    paths: dict[str, list[tuple[int, float]]] = {}
    for outcome, slugs in sorted(by_outcome.items()):
        known = [views[s] for s in slugs if s in views and 1 in views[s]]
        if len(known) < 3:
            continue
        paths[outcome] = [(n, float(statistics.median(v.get(n, 0) for v in known)))
                          for n in range(1, horizon + 1)]
    return paths


def season_views(report_: dict[str, Any]) -> list[tuple[int, float]]:
    """A season report's views by week since premiere (the chart's line)."""
    return [(w["week_since_premiere"], float(w["views"])) for w in report_["weeks"]
            if w["week_since_premiere"] is not None and w["views"] is not None]


def season_views_of(rows: list[dict[str, Any]], season: dict[str, Any]) -> list[tuple[int, float]]:
    """Views by week since premiere from a season's Top 10 rows: a peer's line needs no full report."""
    weeks = metrics.build_weeks(rows, season["runtime_hours"], season["premiere"])
    return [(w.week_since_premiere, float(w.views)) for w in weeks
            if w.week_since_premiere is not None and w.views is not None]


@functools.cache
def country_regions() -> tuple[dict[str, str], ...]:
    """The countries in Netflix's lists with their regions (data/country_regions.csv), read once."""
    with open(BUNDLED_DATA / "country_regions.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def region_grid(countries: dict[str, Any]) -> list[dict[str, Any]]:
    """Where a season charted, country by country, grouped by region: every covered
    country (so the gaps show), each with its weeks and best rank (None: never charted)."""
    if not countries["covered"]:
        return []
    charted = {r["country_iso2"]: r for r in countries["all"]}
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in country_regions():
        row = charted.get(r["country_iso2"])
        by_region[r["region"]].append({"country_iso2": r["country_iso2"], "country_name": r["country_name"],
                                       "weeks": row["weeks"] if row else 0,
                                       "best_rank": row["best_rank"] if row else None})
    return [{"region": region, "countries": sorted(cells, key=lambda c: c["country_name"])}
            for region, cells in sorted(by_region.items())]


def snapshot(con: duckdb.DuckDBPyConnection) -> Snapshot:
    """Everything season reports share, read once (the web keeps one per store generation)."""
    return Snapshot(con)


def season_page(con: duckdb.DuckDBPyConnection, slug: str,
                typical: dict[str, list[tuple[int, float]]] | None = None,
                facts: Live | None = None, index: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A season page's answer: its report, forecast (or why none), the closest peers' view paths
    and the typical renewed and canceled paths (pass ``typical`` when it is cached)."""
    facts = facts or Live(con)
    season = facts.season(slug)
    if season is None:
        raise TitleNotFound(slug, lookup.suggestions(con, slug.replace("-", " ")))
    data = season_report(con, season, facts)
    status = (data["ledger"] or {}).get("outcome")
    if data["forecast"] is not None:  # the report read the stored forecast already
        forecast, forecast_note = data["forecast"], None
    elif season["kind"] != "TV":
        forecast, forecast_note = None, "forecasts cover TV seasons only"
    elif status == rules.AWAITING:
        forecast, forecast_note = forecast_or_note(con, slug)
    elif status == rules.UNDECIDED:
        forecast, forecast_note = None, f"no forecast: {(data['ledger'] or {}).get('why')}"
    else:  # decided: its odds before the decision are its track record, never current news
        forecast, forecast_note = None, "no forecast: Netflix has decided"
    peers = []
    if season["kind"] == "TV":
        for peer in peers_of(season, data, peers_index(con, facts) if index is None else index):
            other = facts.season(peer["slug"])
            if other is not None:
                peers.append({**peer, "path": season_views_of(facts.top10_rows(other), other)})
    previous = None
    if season["kind"] == "TV" and season["season_number"] and season["season_number"] > 1:
        for other in data["other_seasons"]:
            row = facts.season(other["slug"]) if other["season_number"] == season["season_number"] - 1 else None
            if row is not None:
                previous = {"slug": other["slug"], "title": title_of(row),
                            "path": season_views_of(facts.top10_rows(row), row)}
    if typical is None and season["kind"] == "TV":
        typical = typical_paths(con)
    return {"report": data, "forecast": forecast, "forecast_note": forecast_note, "peers": peers,
            "previous": previous, "typical": typical if season["kind"] == "TV" else {}}


def peers_index(con: duckdb.DuckDBPyConnection, facts: Live | None = None) -> list[dict[str, Any]]:
    """Every decided TV season with what a peer is chosen by: category, format group and
    first-week views (read once per store generation on the web)."""
    facts = facts or Live(con)
    decided = {r["slug"]: r["outcome"] for r in ledger.list_entries(con)
               if r["slug"] and r["outcome"] in ("renewed", "renewed_final", "canceled", "reversed")}
    labels = catalog.labels_by_slug(con)
    out = []
    for slug, outcome in decided.items():
        s = facts.season(slug)
        if s is None:
            continue
        weeks = metrics.build_weeks(facts.top10_rows(s), s["runtime_hours"], s["premiere"])
        first = weeks[0].views if weeks and weeks[0].week_since_premiere == 1 else None
        if first:
            label = labels.get(slug, catalog.UNKNOWN)
            out.append({"slug": slug, "title": title_of(s), "category": s["category"], "show_title": s["show_title"],
                        "format": label.format, "first_week_views": first,
                        "outcome": outcome})
    return out


#: A peer's first-week views are within this factor of the season's, either way.
PEER_FACTOR = 2.0


def peers_of(season: dict[str, Any], data: dict[str, Any], index: list[dict[str, Any]], top: int = 3
             ) -> list[dict[str, Any]]:
    """Decided seasons like this one: the same category, the same format group where the
    catalog knows both, first-week views within a factor of 2; nearest in views first, one a
    show, the season's own show left out (its previous season is drawn on its own)."""
    mine = data.get("first_week_views")
    if not mine:
        return []
    label = data.get("catalog") or {}
    fmt = label.get("format") or "unknown"
    found = []
    for p in index:
        if p["category"] != season["category"] or p["show_title"] == season["show_title"]:
            continue
        if "unknown" not in (fmt, p["format"]) and p["format"] != fmt:
            continue
        ratio = p["first_week_views"] / mine
        if 1 / PEER_FACTOR <= ratio <= PEER_FACTOR:
            found.append((abs(math.log(ratio)), p["slug"], p, ratio))
    found.sort(key=lambda t: (t[0], t[1]))
    return [{**p, "ratio": round(ratio, 2),
             "why": f"{p['outcome'].replace('_', ' ')}; same category"
                    + (f" and format ({p['format'].replace('_', ' ')})" if p["format"] == fmt != "unknown" else "")
                    + f", first week {ratio:.1f}x its views"}
            for _d, _s, p, ratio in found[:top]]


def show_seasons(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    """All seasons of the show a query names, for a show-level title page."""
    found = lookup.candidates(con, query, limit=50)
    shows = list(dict.fromkeys((r["show_title"], r["kind"]) for r in found if r["quality"] == 0))
    if len(shows) != 1:
        return []
    return lookup.seasons_of_show(con, *shows[0])


def compare_page(con: duckdb.DuckDBPyConnection, slugs: list[str]) -> dict[str, Any]:
    """Seasons by slug or title, lined up, with each one's views path for the chart."""
    reports = []
    for slug in slugs:
        season = lookup.season_by_slug(con, slug) or lookup.resolve(con, slug)
        reports.append(season_report(con, season))
    result = compare_report(reports)
    result["paths"] = [{"slug": r["slug"], "title": title_of(r),
                        "path": season_views(r)} for r in reports]
    return result


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20) -> dict[str, Any]:
    """Titles matching a query, or suggestions when none do."""
    found = lookup.candidates(con, query, limit=limit) if query.strip() else []
    return {
        "query": query,
        "results": [{k: r[k] for k in ("slug", "show_title", "season_title", "category", "kind", "first_week")}
                    for r in found],
        "suggestions": lookup.suggestions(con, query) if query.strip() and not found else [],
    }


def show_slug(show_title: str) -> str:
    """A show page's address: '/show/stranger-things'."""
    return slugify(show_title)


def show_summary(con: duckdb.DuckDBPyConnection, show: str, facts: Live | None = None) -> dict[str, Any]:
    """A show at a glance: its verdict and each season with its status (the decision, or the
    odds while Netflix has to decide), premiere and first-28-day views, oldest first.

    ``show`` is a show slug ('stranger-things'), a show's name or any title of one of its seasons.
    """
    facts = facts or Live(con)
    rows = rows_as_dicts(con.execute(
        "SELECT DISTINCT show_title FROM seasons WHERE kind = 'TV'"))
    by_slug = {show_slug(r["show_title"]): r["show_title"] for r in rows}
    title = by_slug.get(show.strip().lower())
    if title is None:
        found = lookup.resolve(con, show)
        if found["kind"] != "TV":
            raise TitleNotFound(show, lookup.suggestions(con, show))
        title = found["show_title"]
    seasons = lookup.seasons_of_show(con, title, "TV")
    out = []
    for s in seasons:
        r = season_report(con, s, facts)
        status = r["ledger"] or {}
        out.append({
            "slug": s["slug"], "title": title_of(s), "season_number": s["season_number"],
            "premiere": r["premiere"], "premiere_estimated": r["premiere_estimated"],
            "first_week_views": r["first_week_views"], "first28_views": r["first28_views"],
            "top10_hours_total": r["top10_hours_total"], "peak_rank": r["peak_rank"],
            "status": status.get("outcome"), "headline": r["headline"],
            "probability": (r["forecast"] or {}).get("probability"),
        })
    verdict = show_verdict(con, title, facts, frozenset(s["season_number"] for s in seasons if s["season_number"]))
    return {"known": facts.known(), "show_title": title, "slug": show_slug(title),
            "verdict": verdict or (out[-1]["headline"] if out else None), "seasons": out}


def countries_index(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Every country Netflix lists: its region, its newest covered week and that week's No. 1
    TV season and film (each linked to its season), by region then name."""
    rows = rows_as_dicts(con.execute(
        """WITH last AS (SELECT country_iso2, max(week) AS week FROM top10_country GROUP BY 1)
           SELECT c.country_iso2, any_value(c.country_name) AS country_name, l.week,
                  any_value(coalesce(c.season_title, c.show_title)) FILTER (WHERE c.category = 'TV'
                      AND c.weekly_rank = 1) AS top_tv,
                  any_value(s_tv.slug) FILTER (WHERE c.category = 'TV' AND c.weekly_rank = 1) AS top_tv_slug,
                  any_value(coalesce(c.season_title, c.show_title)) FILTER (WHERE c.category = 'Films'
                      AND c.weekly_rank = 1) AS top_film,
                  any_value(s_tv.slug) FILTER (WHERE c.category = 'Films' AND c.weekly_rank = 1) AS top_film_slug
           FROM top10_country c JOIN last l ON l.country_iso2 = c.country_iso2 AND l.week = c.week
           LEFT JOIN seasons s_tv ON s_tv.show_title = c.show_title
                AND s_tv.season_title IS NOT DISTINCT FROM c.season_title
                AND s_tv.kind = CASE WHEN c.category = 'TV' THEN 'TV' ELSE 'Film' END
           GROUP BY c.country_iso2, l.week"""))
    regions = {r["country_iso2"]: r["region"] for r in country_regions()}
    for r in rows:
        r["region"] = regions.get(r["country_iso2"], "Other")
        r["week"] = r["week"].isoformat() if r["week"] else None
    rows.sort(key=lambda r: (r["region"], r["country_name"]))
    span = con.execute("SELECT min(week), max(week) FROM top10_country").fetchone()
    return {"countries": rows, "first_week": span[0].isoformat() if span and span[0] else None,
            "last_week": span[1].isoformat() if span and span[1] else None}


def track_record_headline(result: dict[str, Any] | None) -> str | None:
    """One sentence a journalist can quote, from the stored backtest: how the odds held and how
    the articles' rule of thumb did, on the same seasons."""
    if not result or not result.get("predictions"):
        return None
    preds = result["predictions"]
    days = result.get("horizon_days")
    band = [p for p in preds if 0.6 <= p["model_probability"] < 0.8]
    high = [p for p in preds if p["model_probability"] >= 0.8]
    said_canceled = [p for p in preds if p["rule_probability"] < 0.5]
    parts = []
    if band:
        parts.append(f"when we said 60–80%, {sum(p['renewed'] for p in band) / len(band):.0%} were renewed "
                     f"({len(band)} seasons)")
    if high:
        parts.append(f"when we said over 80%, {sum(p['renewed'] for p in high) / len(high):.0%} were")
    if said_canceled:
        right = sum(1 - p["renewed"] for p in said_canceled) / len(said_canceled)
        parts.append(f"of the seasons the articles' rule of thumb (a drop of over 50%) called canceled, "
                     f"{right:.0%} were")
    if not parts:
        return None
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}: {len(preds)} decisions forecast {days} days after the premiere."


@functools.cache
def _show_facts() -> dict[str, dict[str, str]]:
    return {normalize(r["show_title"]): r for r in signals.show_facts_rows()}


def show_facts(show_title: str) -> dict[str, Any] | None:
    """What the show is beyond its format, from data/show_facts.csv (each fact from a cited
    page), with one sentence: 'made by Universal Television (an outside studio), 8 episodes of
    about 55 minutes'. None when nothing is recorded."""
    row = _show_facts().get(normalize(show_title))
    if row is None:
        return None
    kinds = {"netflix": "for Netflix", "outside": "an outside studio, for Netflix",
             "coproduction": "a co-production with another network"}
    parts = []
    if row["studio"]:
        kind = kinds.get(row["studio_kind"])
        parts.append(f"made by {row['studio']}" + (f" ({kind})" if kind else ""))
    if row["episodes"]:
        season = f" in season {row['episodes_season']}" if row["episodes_season"] else ""
        minutes = f" of about {row['episode_minutes']} minutes" if row["episode_minutes"] else ""
        parts.append(f"{row['episodes']} episodes{minutes}{season}")
    if row["genre_tier"] == "high_cost":
        parts.append("a costly genre (sci-fi, fantasy, period or big effects)")
    return {"studio": row["studio"] or None, "studio_kind": row["studio_kind"] or None,
            "episodes": int(row["episodes"]) if row["episodes"] else None,
            "episode_minutes": int(row["episode_minutes"]) if row["episode_minutes"] else None,
            "genre_tier": row["genre_tier"] or None, "imdb_id": row["imdb_id"] or None,
            "wikipedia_title": row["wikipedia_title"] or None, "source": row["source"] or None,
            "sentence": (", ".join(parts)[:1].upper() + ", ".join(parts)[1:]) if parts else None}


def campaigns(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Fan campaigns after each cancellation (data/campaigns.csv, cited), with each season's page."""
    with open(BUNDLED_DATA / "campaigns.csv", encoding="utf-8", newline="") as f:
        rows: list[dict[str, Any]] = [dict(r) for r in csv.DictReader(f)]
    index = {(normalize(r["show_title"]), r["season_title"]): r["slug"] for r in rows_as_dicts(con.execute(
        "SELECT slug, show_title, season_title FROM seasons WHERE kind = 'TV'"))}
    for r in rows:
        r["slug"] = index.get((normalize(r["show_title"]), r["season_title"]))
        r["signatures"] = int(r["signatures"]) if r["signatures"] else None
    rows.sort(key=lambda r: (r["campaign"] == "none_found", -(r["signatures"] or 0), r["show_title"]))
    return rows
