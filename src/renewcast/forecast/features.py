"""Features of a TV season at a horizon, from what was public on a date.

Everything here is a pure function of ``History`` (the store's tables, read once) plus
a season, a horizon in days and an as-of date. The one rule: a feature at horizon N
as of date A sees only Top 10 weeks ending on or before ``min(premiere + N - 1, A)``.
Static facts (premiere date, runtime, season number, language) are used at any date.
Engagement-report hours are not used: they are published months after the premiere,
later than any useful forecast, so they would only ever feed the model stale.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import duckdb

from renewcast import _records as rec
from renewcast import catalog, ledger, metrics
from renewcast.catalog import Label
from renewcast.store import rows_as_dicts

#: Decisions the model learns from: renewed = 1, canceled = 0 (a renewal for a last season
#: counts as renewed, a withdrawn renewal as canceled; final and limited say nothing).
LABELS = {"renewed": 1, "renewed_final": 1, "canceled": 0, "reversed": 0}
#: On one day, the stronger word wins: the ledger's one order (a reversal over the renewal it withdraws).
_PRECEDENCE = {outcome: i for i, outcome in enumerate(ledger.STRENGTH)}

#: Feature names, in model order, with the words the explanation uses. Chosen by the
#: walk-forward backtest on the development decisions only (announced before the frozen
#: slice, backtest.FROZEN_FROM), with the catalog's labels and signs kept non-negative:
#: at 28 days the viewing features alone scored AUC 0.692 / Brier 0.191; adding what kind
#: of show it is (unscripted, comedy, animated) 0.768 / 0.166; the previous season's ratio
#: 0.770 / 0.165; reached No. 1 0.784 / 0.160. Tried and left out: the best rank, the rule
#: of thumb's largest drop (alone an AUC of about 0.5), runtime, reached the top 3 (no
#: change), "format unknown" (it only marks which shows were researched), and the run
#: ("ended" is known only after the decision).
FEATURES: dict[str, str] = {
    "log_first_week_views": "first-week views",
    "log_views": "views in the window",
    "views_percentile": "views percentile against the past year's seasons",
    "leader_share": "share of the No. 1 title's hours in the same weeks",
    "weeks_share": "share of weeks in the Top 10",
    "still_charting": "still in the Top 10",
    "log_season_number": "season number",
    "non_english": "non-English",
    "retention_weeks_3_4": "views in weeks 3 and 4 against its best week",
    "unscripted": "unscripted (reality, docuseries, stand-up)",
    "comedy": "scripted comedy",
    "animated": "animation, anime or kids",
    "previous_ratio": "views against the previous season's at the same age",
    "has_previous": "a previous season in the data",
    "reached_no1": "reached No. 1",
}


#: Features that measure how much a season was watched: their weight may not be negative
#: (more views never lower the odds; see model.SignedLogistic).
VOLUME = frozenset({"log_first_week_views", "log_views", "views_percentile", "leader_share", "weeks_share",
                    "still_charting", "retention_weeks_3_4", "reached_top3", "reached_no1", "previous_ratio"})
#: Formats without a script: cheaper to make, renewed on smaller audiences.
UNSCRIPTED = ("reality", "docuseries", "standup_variety")


@dataclass
class History:
    """The store's tables, read once, indexed for fast feature computation."""

    seasons: dict[str, dict[str, Any]]
    weeks: dict[str, list[dict[str, Any]]]
    leader: dict[tuple[str, dt.date], int]  # (category, week) -> No. 1 hours
    tenth: dict[str, dict[dt.date, int]]  # category -> week -> 10th place hours
    ledger: list[dict[str, Any]]
    first_week: dt.date
    last_week: dt.date
    by_category: dict[str, list[tuple[dt.date, str]]] = field(default_factory=dict)  # sorted by premiere
    labels: dict[str, Label] = field(default_factory=dict)  # the catalog's word on each season
    previous: dict[str, str] = field(default_factory=dict)  # slug -> the show's previous season, if covered
    _cache: dict[tuple[str, int, dt.date], dict[str, float]] = field(default_factory=dict)
    _extra: dict[tuple[str, int, dt.date], dict[str, Any]] = field(default_factory=dict)

    def decisions(self, as_of: dt.date, dated_only: bool = False) -> list[dict[str, Any]]:
        """Each TV season's decision as it stood on ``as_of`` (its latest public event).

        ``dated_only``: only decisions dated to the day, the ones the model learns from and is
        scored on (a month or an upper bound still decides a season's status)."""
        latest: dict[str, dict[str, Any]] = {}
        for r in self.ledger:  # sorted by announced_date, then precedence
            if r["announced_date"] <= as_of and r["slug"] in self.seasons and (
                    not dated_only or r["precision"] == "day"):
                latest[r["slug"]] = r
        return sorted(latest.values(), key=lambda r: (r["announced_date"], r["show_title"], r["season"]))

    def first_decisions(self) -> list[dict[str, Any]]:
        """Each TV season's first labelled decision: what a forecast made before it predicted."""
        first: dict[str, dict[str, Any]] = {}
        for r in self.ledger:
            if r["outcome"] in LABELS and r["slug"] in self.seasons and r["precision"] == "day":
                first.setdefault(r["slug"], r)
        return list(first.values())


def load_history(con: duckdb.DuckDBPyConnection) -> History:
    seasons = {r["slug"]: r for r in rows_as_dicts(con.execute(
        "SELECT slug, show_title, season_title, season_number, category, language, premiere, "
        "premiere_estimated, runtime_hours, first_week FROM seasons WHERE kind = 'TV'"))}
    weeks = {slug: rows for slug, rows in metrics.all_weeks(con).items() if slug in seasons}
    leader: dict[tuple[str, dt.date], int] = {}
    tenth: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for category, week, rank, hours in con.execute(
            "SELECT category, week, weekly_rank, weekly_hours_viewed FROM top10_global "
            "WHERE weekly_rank IN (1, 10) AND category LIKE 'TV%'").fetchall():
        if rank == 1:
            leader[(category, week)] = hours
        else:
            tenth[category][week] = hours
    decided = rows_as_dicts(con.execute(
        "SELECT show_title, season, outcome, announced, announced_date, slug FROM ledger "
        "WHERE outcome <> 'reported'"))
    for r in decided:
        r["precision"] = rec.precision(r.pop("announced"))
    decided.sort(key=lambda r: (r["announced_date"], _PRECEDENCE.get(r["outcome"], 0), r["show_title"], r["season"]))
    labels = catalog.labels_by_slug(con)
    span = con.execute("SELECT min(week), max(week) FROM top10_global").fetchone()
    if span is None or span[0] is None:
        from renewcast.errors import StoreError

        raise StoreError("the store has no Top 10 weeks; run 'renewcast ingest' first")
    by_category: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for slug, s in seasons.items():
        by_category[s["category"]].append((s["premiere"], slug))
    for items in by_category.values():
        items.sort()
    numbered = {(s["show_title"], s["season_number"]): slug for slug, s in seasons.items() if s["season_number"]}
    previous = {slug: numbered[(s["show_title"], s["season_number"] - 1)] for slug, s in seasons.items()
                if s["season_number"] and (s["show_title"], s["season_number"] - 1) in numbered}
    return History(seasons, weeks, leader, dict(tenth), decided, span[0], span[1], dict(by_category),
                   labels=labels, previous=previous)


def midrank_percentile(reference: list[float], value: float) -> float:
    """The share of ``reference`` below ``value``, a tie counting half (0.5 with no reference)."""
    if not reference:
        return 0.5
    return (sum(v < value for v in reference) + 0.5 * sum(v == value for v in reference)) / len(reference)


def cutoff(history: History, season: dict[str, Any], horizon: int, as_of: dt.date) -> dt.date:
    """The last day whose Top 10 week a feature may see: the horizon's last day, the date,
    or the newest week in the store, whichever is first (weeks not yet in the store are
    unknown, not weeks out of the Top 10)."""
    return min(season["premiere"] + dt.timedelta(days=horizon - 1), as_of, history.last_week)


def _views_within(history: History, slug: str, last: dt.date) -> float:
    s = history.seasons[slug]
    total = 0.0
    for row in history.weeks.get(slug, ()):
        if s["premiere"] <= row["week"] <= last:
            views = row["weekly_views"]
            if views is None:
                runtime = row["runtime"] or s["runtime_hours"]
                views = row["weekly_hours_viewed"] / runtime if runtime else 0.0
            total += views
    return total


def season_features(history: History, slug: str, horizon: int, as_of: dt.date) -> dict[str, float]:
    """The model's inputs for one season; cached by (slug, horizon, cutoff)."""
    s = history.seasons[slug]
    last = cutoff(history, s, horizon, as_of)
    key = (slug, horizon, last)
    if key in history._cache:
        return history._cache[key]
    premiere: dt.date = s["premiere"]
    rows = [r for r in history.weeks.get(slug, ()) if premiere <= r["week"] <= last]
    weeks = metrics.build_weeks(rows, s["runtime_hours"], premiere)
    views = [float(w.views or 0) for w in weeks]
    elapsed = max((last - premiere).days + 1, 1)
    # Weeks ending in the window: the first ends on the premiere week's Sunday.
    first_end = premiere + dt.timedelta(days=(6 - premiere.weekday()) % 7)
    possible = max(0, (last - first_end).days // 7 + 1)
    drop = metrics.rule_of_thumb(weeks, premiere, history.tenth.get(s["category"], {}), as_of=last)
    worst = max((x for x in (drop.largest_drop, drop.exit_drop_at_least) if x is not None), default=0.0)
    shares = [w.hours_viewed / history.leader[(s["category"], w.week_end)]
              for w in weeks if (s["category"], w.week_end) in history.leader]
    # Percentile of this season's views against the category's seasons that premiered in
    # the year before it, each counted over the same number of days after its premiere.
    peers = history.by_category[s["category"]]
    lo = bisect.bisect_left(peers, (premiere - dt.timedelta(days=365), ""))
    hi = bisect.bisect_left(peers, (premiere, ""))
    mine = sum(views)
    # Only peers that charted within their own window: a season first charting later was
    # not yet known to exist on the date.
    ref = [_views_within(history, p, p_prem + dt.timedelta(days=elapsed - 1)) for p_prem, p in peers[lo:hi]
           if history.seasons[p]["first_week"] <= p_prem + dt.timedelta(days=elapsed - 1)]
    percentile = midrank_percentile(ref, mine)
    first = weeks[0].views if weeks and weeks[0].week_since_premiere == 1 else 0
    label = history.labels.get(slug)
    fmt = label.format if label is not None else "unknown"
    previous = history.previous.get(slug)
    prev_views = (_views_within(history, previous, history.seasons[previous]["premiere"]
                                + dt.timedelta(days=elapsed - 1)) if previous else 0.0)
    # Weeks 3-4 retention: their mean weekly views against the best week, the premiere
    # week scaled up to seven days (a Friday premiere's first week has three). 0 when
    # the season was out of the Top 10 then, or the window ends before them.
    by_week = {w.week_since_premiere: float(w.views or 0) for w in weeks}
    first_days = (first_end - premiere).days + 1
    best = max([by_week.get(1, 0.0) * 7 / first_days] + [by_week.get(k, 0.0) for k in (2, 3, 4)])
    retention = (by_week.get(3, 0.0) + by_week.get(4, 0.0)) / 2 / best if best else 0.0
    values = {
        "log_first_week_views": math.log1p((first or 0) / 1e6),
        "log_views": math.log1p(mine / 1e6),
        "views_percentile": percentile,
        "leader_share": sum(shares) / len(shares) if shares else 0.0,
        "best_rank": float(min((w.rank for w in weeks), default=11)),
        "weeks_share": len(weeks) / possible if possible else 0.0,
        "worst_drop": min(worst, 1.0) if weeks else 1.0,
        "still_charting": float(bool(weeks) and (last - weeks[-1].week_end).days < 7),
        "log_season_number": math.log(s["season_number"] or 1),
        "runtime_hours": float(s["runtime_hours"] or 6.0),
        "non_english": float(s["language"] == "Non-English"),
        "retention_weeks_3_4": retention,
        "unscripted": float(fmt in UNSCRIPTED),
        "format_unknown": float(fmt == "unknown"),
        "comedy": float(fmt == "scripted_comedy"),
        "animated": float(fmt in ("anime", "animation", "kids")),
        "reached_top3": float(bool(weeks) and min(w.rank for w in weeks) <= 3),
        "reached_no1": float(bool(weeks) and min(w.rank for w in weeks) == 1),
        "previous_ratio": math.log((mine + 1e5) / (prev_views + 1e5)) if previous else 0.0,
        "has_previous": float(previous is not None),
    }
    out = {name: values[name] for name in FEATURES}
    extra = {"rule_says_canceled": drop.rule_says_canceled, "best_rank": values["best_rank"],
             "worst_drop": values["worst_drop"], "first_week_views": first, "views": mine,
             "weeks": len(weeks), "cutoff": last}
    history._cache[key] = out
    history._extra[key] = extra
    return out


def season_extra(history: History, slug: str, horizon: int, as_of: dt.date) -> dict[str, Any]:
    """Raw numbers behind the features (for explanations and the rule of thumb)."""
    season_features(history, slug, horizon, as_of)
    return history._extra[(slug, horizon, cutoff(history, history.seasons[slug], horizon, as_of))]


def vector(features: dict[str, float]) -> list[float]:
    return [features[name] for name in FEATURES]
