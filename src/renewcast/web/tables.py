"""Every table a page shows, as columns and raw rows: downloadable as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

Table = tuple[list[str], list[list[Any]]]


def weeks(page: dict[str, Any]) -> Table:
    cols = ["week_start", "week_end", "hours_viewed", "change_fraction", "rank", "week_in_top10", "views",
            "views_source", "week_since_premiere"]
    return cols, [[w[c] for c in cols] for w in page["report"]["weeks"]]


def countries(page: dict[str, Any]) -> Table:
    cols = ["country_name", "country_iso2", "weeks", "best_rank", "first_week"]
    return cols, [[c[k] for k in cols] for c in page["report"]["countries"]["all"]]


def chart(series: list[dict[str, Any]]) -> Table:
    """Views per week since premiere, one column per series (the chart's data table)."""
    horizon = max((int(x) for s in series for x, _ in s["path"]), default=0)
    cols = ["week_since_premiere", *[s["name"] for s in series]]
    rows = []
    for n in range(1, horizon + 1):
        cells = [dict(s["path"]).get(n) for s in series]
        if any(c is not None for c in cells):
            rows.append([n, *cells])
    return cols, rows


def signals(page: dict[str, Any]) -> Table:
    rows = list(page["report"]["signals"])
    cols = list(dict.fromkeys(k for r in rows for k in r)) or ["kind", "value", "observed", "platform", "url"]
    return cols, [[r.get(c) for c in cols] for r in rows]


SEASON_TABLES = {"weeks": weeks, "countries": countries, "signals": signals}


def latest_week(data: dict[str, Any]) -> Table:
    cols = ["category", "weekly_rank", "show_title", "season_title", "slug", "weekly_hours_viewed",
            "weekly_views", "change_fraction", "places_up", "entry", "last_rank", "cumulative_weeks_in_top_10"]
    return cols, [[r.get(c) for c in cols] for rows in data["lists"].values() for r in rows]


def board(rows: list[dict[str, Any]]) -> Table:
    cols = ["slug", "title", "category", "probability", "days_since_premiere", "in_limbo", "status", "as_of"]
    return cols, [[r.get(c) for c in cols] for r in rows]


def decisions(rows: list[dict[str, Any]]) -> Table:
    cols = ["show_title", "season", "slug", "outcome", "announced", "source"]
    return cols, [[r.get(c) for c in cols] for r in rows]


def backtest_summary(rows: list[dict[str, Any]]) -> Table:
    cols = ["horizon_days", "slice", "method", "n", "auc", "auc_interval_95", "accuracy", "accuracy_interval_95",
            "brier", "brier_interval_95"]
    return cols, [[("-".join(f"{v:.3f}" for v in r[c]) if c.endswith("_95") and r.get(c) else r.get(c))
                   for c in cols] for r in rows]


def misses(data: dict[str, Any] | None) -> Table:
    rows = list((data or {}).get("misses") or [])
    cols = list(dict.fromkeys(k for r in rows for k in r)) or ["slug", "title", "probability", "outcome"]
    return cols, [[r.get(c) for c in cols] for r in rows]


def calibration(data: dict[str, Any] | None, method: str = "model") -> Table:
    data = data or {}
    rows = list(data.get("calibration") or (data.get(method) or {}).get("calibration") or [])
    cols = list(dict.fromkeys(k for r in rows for k in r)) or ["predicted", "observed", "n"]
    return cols, [[r.get(c) for c in cols] for r in rows]


def compare(result: dict[str, Any]) -> Table:
    names = [s["slug"] for s in result["seasons"]]
    cols = ["week_since_premiere"]
    for name in names:
        cols += [f"{name}_views", f"{name}_hours", f"{name}_rank"]
    rows = []
    for week in result["weeks"]:
        row: list[Any] = [week["week_since_premiere"]]
        for cell in week["seasons"]:
            row += [cell["views"], cell["hours_viewed"], cell["rank"]] if cell else [None, None, None]
        rows.append(row)
    return cols, rows


def _cell(value: Any) -> Any:
    """A CSV cell; text a spreadsheet would run as a formula (= + - @ first) is quoted with '."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    cols, rows = table
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def to_json(table: Table) -> str:
    cols, rows = table
    return json.dumps([dict(zip(cols, row, strict=True)) for row in rows], ensure_ascii=False, default=str)
