"""A season's status as of a date: the one rule every reader uses (season page, CLI, API,
board, ``ledger list --awaiting``), so the same season never reads two ways.

- a decision in the ledger, dated to the day, the month or by an upper bound ('reported'
  claims are not decisions);
- else ``renewed`` (``implied``) when a later season of a show Netflix decides has charted:
  Netflix's own lists show the renewal;
- else ``awaiting``: Netflix still has to decide it (the board's population);
- else ``undecided``, with why no decision is awaited (licensed, limited, older than two
  years, ...).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import duckdb

from renewcast import catalog, ledger
from renewcast.catalog import Label
from renewcast.store import rows_as_dicts

#: How far back the board looks for seasons still awaiting a decision: two years, so a
#: season Netflix left quietly behind stops counting as "waiting".
BOARD_DAYS = 730
AWAITING = "awaiting"
UNDECIDED = "undecided"
#: Every status a TV season can have.
STATUSES = (*ledger.DECISIONS, AWAITING, UNDECIDED)


def later_season(season: dict[str, Any], seasons: list[dict[str, Any]], as_of: dt.date) -> int | None:
    """The first later season of the same show that had charted by ``as_of``, if any."""
    n = season.get("season_number")
    later = [s["season_number"] for s in seasons
             if n and s.get("season_number") and s["season_number"] > n and s["first_week"] <= as_of]
    return min(later) if later else None


def why_not_awaited(season: dict[str, Any], label: Label, as_of: dt.date, data_from: dt.date,
                    past: bool) -> str | None:
    """In plain words why Netflix has no decision to make on this season (None: it awaits one)."""
    if not label.could_await(past=past):
        return label.why_not_awaited or "not a season Netflix decides"
    title = (season.get("season_title") or "").lower()
    if "limited series" in title:
        return "a limited series, planned as one season"
    if not season.get("season_number"):
        return "Netflix gave it no season number"
    premiere = season.get("premiere")
    if premiere is None or premiere < data_from - dt.timedelta(days=6):
        return "it premiered before Netflix's Top 10 began"
    if season["first_week"] > as_of or premiere > as_of:
        return "not yet released on that date"
    if (as_of - premiere).days > BOARD_DAYS:
        return "more than two years since its premiere with no decision"
    return None


def resolve(season: dict[str, Any], label: Label, decision: dict[str, Any] | None, later: int | None,
            as_of: dt.date, data_from: dt.date, today: dt.date | None = None) -> dict[str, Any] | None:
    """The status of one season (None for a film). ``decision``: the ledger's latest event as
    of the date (``ledger.status_of``), or None."""
    if season.get("kind") != "TV":
        return None
    if decision is not None and decision.get("outcome") in ledger.DECISIONS:
        return {**decision, "implied": False}
    base = ledger.no_decision()
    if later is not None and label.netflix_decides != "no":
        return {**base, "outcome": "renewed", "implied": True, "season": season.get("season_number"),
                "how_known": f"season {later} charted in the Top 10", "next_season": later}
    past = as_of < (today or as_of)
    why = why_not_awaited(season, label, as_of, data_from, past)
    if why is None:
        return {**base, "outcome": AWAITING, "implied": False}
    return {**base, "outcome": UNDECIDED, "implied": False, "why": why}


def all_statuses(con: duckdb.DuckDBPyConnection, as_of: dt.date, today: dt.date | None = None
                 ) -> dict[str, dict[str, Any]]:
    """Every TV season's status as of a date, by slug (one pass over the store)."""
    seasons = rows_as_dicts(con.execute(
        "SELECT slug, show_title, season_title, season_number, kind, category, premiere, first_week, last_week "
        "FROM seasons WHERE kind = 'TV'"))
    span = con.execute("SELECT min(week) FROM top10_global").fetchone()
    data_from = span[0] if span and span[0] else as_of
    labels = catalog.labels_by_slug(con)
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows_as_dicts(con.execute(ledger.ALL_AS_OF, [as_of])):
        if r["slug"] is not None:
            events[r["slug"]].append(r)
    by_show: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in seasons:
        by_show[s["show_title"]].append(s)
    out = {}
    for s in seasons:
        rows = events.get(s["slug"])
        decision = ledger.status_of(rows, []) if rows else None
        resolved = resolve(s, labels.get(s["slug"], catalog.UNKNOWN), decision,
                           later_season(s, by_show[s["show_title"]], as_of), as_of, data_from, today)
        if resolved is not None:
            out[s["slug"]] = {**resolved, "season_row": s}
    return out


def awaiting(con: duckdb.DuckDBPyConnection, as_of: dt.date, today: dt.date | None = None
             ) -> list[dict[str, Any]]:
    """The seasons Netflix still has to decide on a date (the board's population), newest first."""
    rows = [st["season_row"] for st in all_statuses(con, as_of, today).values() if st["outcome"] == AWAITING]
    rows.sort(key=lambda r: (r["first_week"], r["show_title"], r["season_number"] or 0), reverse=True)
    return [{**{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()}, "outcome": AWAITING}
            for r in rows]
