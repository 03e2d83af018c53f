"""Plain words for a forecast: the factors that moved it most, and the seasons most like it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from renewcast import formats
from renewcast.forecast.features import FEATURES, VOLUME


def _millions(value: float) -> str:
    return f"{value / 1e6:.1f}M" if value >= 1e5 else f"{value / 1e6:.2f}M"


def describe(name: str, features: dict[str, float], extra: dict[str, Any], season: dict[str, Any],
             days: int) -> tuple[Any, str]:
    """(value, words) for one feature of one season."""
    if name == "log_first_week_views":
        v = extra["first_week_views"] or 0
        return v, (f"{_millions(v)} views in its premiere week" if v else "did not chart in its premiere week")
    if name == "log_views":
        v = extra["views"]
        return round(v), f"{_millions(v)} views in the Top 10 in its first {days} days"
    if name == "views_percentile":
        v = features[name]
        return round(v, 3), (f"more views than {v:.0%} of the {season['category']} seasons "
                             "that premiered in the year before it, at the same age")
    if name == "leader_share":
        v = features[name]
        return round(v, 3), f"{v:.0%} of the No. 1 title's hours in the weeks it charted"
    if name == "best_rank":
        v = int(features[name])
        return v, f"best rank #{v}" if v <= 10 else "never in the Top 10"
    if name == "weeks_share":
        return extra["weeks"], f"{formats.count(extra['weeks'], 'week')} in the Top 10 by day {days}"
    if name == "worst_drop":
        v = features[name]
        return round(v, 3), f"largest fall in weekly hours {v:.0%} (over 50% is the rule of thumb's alarm)"
    if name == "still_charting":
        on = bool(features[name])
        return on, f"{'still' if on else 'no longer'} in the Top 10 on day {days}"
    if name == "log_season_number":
        n = season["season_number"] or 1
        return n, f"season {n}" + (" (a first season)" if n == 1
                                   else f" (renewed {formats.count(n - 1, 'time')} before)")
    if name == "runtime_hours":
        v = features[name]
        return round(v, 2), f"runtime {int(v)}h {round(v % 1 * 60):02d}m"
    if name == "retention_weeks_3_4":
        v = features[name]
        return round(v, 3), (f"weeks 3 and 4 averaged {v:.0%} of its best week's views" if v
                             else "no Top 10 views in weeks 3 and 4")
    if name == "unscripted":
        on = bool(features[name])
        return on, ("an unscripted show (cheaper to make: renewed on smaller audiences)" if on
                    else "a scripted show (costlier: it needs a bigger audience)")
    if name == "comedy":
        on = bool(features[name])
        return on, "a scripted comedy" if on else "not a scripted comedy"
    if name == "animated":
        on = bool(features[name])
        return on, "animation, anime or kids" if on else "live action"
    if name == "previous_ratio":
        if not features["has_previous"]:
            return None, "no earlier season in the data to compare with"
        ratio = math.exp(features[name])
        return round(ratio, 3), (f"{ratio:.0%} of the previous season's views at the same age" if ratio < 1.5
                                 else f"{ratio:.1f}x the previous season's views at the same age")
    if name == "has_previous":
        on = bool(features[name])
        return on, "a returning show (its previous season charted)" if on else "no earlier season in the data"
    if name == "reached_no1":
        on = bool(features[name])
        return on, "reached No. 1" if on else "never reached No. 1"
    if name == "non_english":
        on = bool(features[name])
        return on, "non-English" if on else "English-language"
    raise KeyError(name)


def reasons(effects: np.ndarray, features: dict[str, float], extra: dict[str, Any],
            season: dict[str, Any], days: int, top: int = 3) -> list[dict[str, Any]]:
    """The ``top`` features that moved the log-odds most, against an average season."""
    names = list(FEATURES)
    effects = np.array(effects, dtype=float)
    order = [i for i in sorted(range(len(names)), key=lambda i: -abs(effects[i])) if effects[i] != 0][:top]
    out = []
    for i in order:
        value, words = describe(names[i], features, extra, season, days)
        if effects[i] > 0:
            direction = "raises the odds"
        elif names[i] in VOLUME:
            # Its weight is never negative (more views never lower the odds): below the average
            # season it lifts the odds less than most, which is what the effect measures.
            direction = "below the average season, so it lifts the odds less than most"
        else:
            direction = "lowers the odds"
        out.append({"feature": names[i], "value": value, "effect": round(float(effects[i]), 3),
                    "text": f"{words}: {direction}"})
    return out


def similar(z: np.ndarray, z_train: np.ndarray, weights: np.ndarray, train: list[dict[str, Any]],
            top: int = 5) -> list[dict[str, Any]]:
    """Nearest decided seasons in standardised feature space, weighted by the model's coefficients."""
    if not len(train):
        return []
    distance = np.sqrt((((z_train - z) * weights) ** 2).sum(axis=1))
    order = np.argsort(distance, kind="stable")[:top]
    return [{"slug": train[i]["slug"], "title": train[i]["title"], "outcome": train[i]["outcome"],
             "similarity": round(float(1 / (1 + distance[i])), 3)} for i in order]
