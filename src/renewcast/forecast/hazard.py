"""When Netflix decides: the chance of a decision (and of a cancellation) within a window.

A season still undecided on day ``d`` after its premiere is compared with the seasons
that were still undecided on day ``d`` themselves: how many were decided by day
``d + 30`` or ``d + 90``, and how many of those were canceled. Seasons still waiting
on the date count for as long as they have waited (censored), so a long silence is
not mistaken for a decision. This is the Aalen-Johansen estimator of the cumulative
incidence of each outcome, written out here because it is a few lines of numpy and
a survival library would be the largest dependency renewcast has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Windows (days from now) the answer covers.
WINDOWS = (30, 90)
#: Fewer seasons than this still undecided on the day, and the group widens to all formats.
MIN_AT_RISK = 30


@dataclass(frozen=True)
class Waits:
    """Days from premiere to the first decision (``canceled``: 1 canceled, 0 renewed) or,
    for seasons still waiting, to the date (``decided`` 0)."""

    days: np.ndarray
    decided: np.ndarray
    canceled: np.ndarray

    def at_risk(self, day: int) -> int:
        return int((self.days > day).sum())

    def within(self, day: int, window: int) -> tuple[float, float]:
        """P(a decision, a cancellation) in (day, day + window], given none by ``day``."""
        alive = self.days > day
        days, decided, canceled = self.days[alive], self.decided[alive], self.canceled[alive]
        survival, decision, cancel = 1.0, 0.0, 0.0
        for t in np.unique(days[(decided == 1) & (days <= day + window)]):
            at_t = days >= t
            events = (days == t) & (decided == 1)
            n, d = int(at_t.sum()), int(events.sum())
            share = d / n
            decision += survival * share
            cancel += survival * int((events & (canceled == 1)).sum()) / n
            survival *= 1 - share
        return decision, cancel


def waits(history: Any, as_of: dt.date, slugs: list[str], undecided: dict[str, int],
          labels: dict[str, int], known_by: dict[str, int] | None = None) -> Waits:
    """The waits of ``slugs`` as of a date: their first public decision after the
    premiere, or, for the seasons still undecided, the days they were at risk
    (``undecided``: still waiting today, or until they left the board without a decision:
    two years on, or when their next season charted). Leaving out the ones that left would
    keep only the quick decisions in the risk set, and the odds would run about twice too high."""
    first: dict[str, dict[str, Any]] = {}
    for r in history.decisions(as_of, dated_only=True):  # a wait needs its day
        if r["outcome"] in labels:
            first.setdefault(r["slug"], r)
    days, decided, canceled = [], [], []
    for slug in slugs:
        premiere = history.seasons[slug]["premiere"]
        if slug in first:
            wait = (first[slug]["announced_date"] - premiere).days
            if known_by and slug in known_by and first[slug]["outcome"] in ("renewed", "renewed_final"):
                wait = min(wait, known_by[slug])  # its next season was out: the renewal was public
            if wait > 0:  # renewed before it premiered: never waited
                days.append(wait)
                decided.append(1)
                canceled.append(1 - labels[first[slug]["outcome"]])
        elif slug in undecided:
            days.append(undecided[slug])
            decided.append(0)
            canceled.append(0)
    return Waits(np.array(days, dtype=int), np.array(decided, dtype=int), np.array(canceled, dtype=int))


def answer(groups: dict[str, Waits], group: str, day: int) -> dict[str, Any]:
    """The hazard answer for a season undecided on ``day``, from its group's waits (or
    everyone's, when too few of its group waited that long)."""
    chosen = group if group in groups and groups[group].at_risk(day) >= MIN_AT_RISK else "all"
    w = groups[chosen]
    out: dict[str, Any] = {"days_waited": day, "compared_with": chosen, "still_undecided_then": w.at_risk(day)}
    for window in WINDOWS:
        decision, cancel = w.within(day, window) if w.at_risk(day) else (0.0, 0.0)
        out[f"within_{window}_days"] = {"decision": round(decision, 3), "canceled": round(cancel, 3)}
    return out
