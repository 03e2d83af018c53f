"""Forecasts as of a date: train on what was public then, predict, explain, time the decision."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from renewcast import clock, formats
from renewcast import status as rules
from renewcast.catalog import UNKNOWN as UNKNOWN_LABEL
from renewcast.errors import RenewcastError, SeasonNotFound
from renewcast.forecast import explain, hazard
from renewcast.forecast.features import (
    FEATURES,
    LABELS,
    UNSCRIPTED,
    VOLUME,
    History,
    season_extra,
    season_features,
    vector,
)
from renewcast.forecast.model import RenewalModel
from renewcast.forecast.order import board_order
from renewcast.titles import title_of

#: Horizons (days after the premiere) with a model each; a forecast uses the largest one
#: the season has reached, so its features mean what they meant in training.
#: The longer ones are the survival view: a season still undecided on day 182 is scored
#: by a model of the seasons that were still undecided then, a different bet from day 28.
HORIZONS = (7, 14, 28, 56, 91, 182, 365)
#: The most views a week "what it would take" tries (about twice the biggest week on record).
WHAT_IF_CEILING = 150e6
#: Bootstrap refits behind each forecast's interval.
RESAMPLES = 100
#: Fewer public decisions than this and no model is trained (the forecast is the base rate).
MIN_TRAINING = 20
#: A decision is overdue ("in limbo") past this quantile of the usual wait.
LIMBO_QUANTILE = 0.9


class ForecastError(RenewcastError):
    """A forecast that cannot be made as asked (date outside the data, a film, ...)."""


def default_as_of(history: History) -> dt.date:
    """'Now' is today: decisions up to today count, and days waited count to today,
    however old the newest Top 10 week is."""
    return max(clock.today(), history.last_week)


def check_as_of(history: History, as_of: dt.date | None) -> dt.date:
    if as_of is None:
        return default_as_of(history)
    if as_of < history.first_week:
        raise ForecastError(f"--as-of {as_of} is before the data starts (first Top 10 week "
                            f"{history.first_week}); pick a later date")
    if as_of > clock.today():
        raise ForecastError(f"--as-of {as_of} is in the future; pick a date up to {clock.today()}")
    return as_of


def horizon_for(days: int) -> int:
    return max((h for h in HORIZONS if h <= days), default=HORIZONS[0])


def eligible(history: History, slug: str) -> bool:
    """A TV season whose first weeks the store covers (premiered after the data began)."""
    s = history.seasons.get(slug)
    return s is not None and s["premiere"] >= history.first_week - dt.timedelta(days=6)


def format_group(history: History, slug: str) -> str:
    """scripted, unscripted or unknown, from the catalog's format."""
    label = history.labels.get(slug)
    if label is None or label.format in ("unknown", "sports_live"):
        return "unknown"
    return "unscripted" if label.format in UNSCRIPTED else "scripted"


def netflix_decides(history: History, slug: str) -> bool:
    """The catalog says Netflix decides this season's future: the only seasons the model
    learns from, is scored on, and forecasts (a licensed show's fate is another's call)."""
    label = history.labels.get(slug)
    return label is not None and label.netflix_decides == "yes"


@dataclass
class Fitted:
    horizon: int
    as_of: dt.date
    model: RenewalModel | None  # None: too few public decisions; the base rate stands in
    base_rate: float
    X: np.ndarray
    y: np.ndarray
    train: list[dict[str, Any]]
    waited: int = 0  # trained on seasons still undecided this many days after the premiere
    _bootstrap: list[Any] | None = None

    def proba(self, X: np.ndarray) -> np.ndarray:
        if self.model is None:
            return np.full(len(X), self.base_rate)
        return np.asarray(self.model.predict_proba(X)[:, 1])

    def interval(self, X: np.ndarray) -> np.ndarray:
        """A 95% interval (low, high) per row: the model refitted on ``RESAMPLES`` bootstrap
        resamples of its training decisions, each through the fitted calibration map. It
        says how much the forecast rests on which seasons happened to be decided."""
        if self.model is None:
            n = max(len(self.y), 1)  # the base rate's own binomial spread
            half = 1.96 * np.sqrt(self.base_rate * (1 - self.base_rate) / n)
            return np.tile([max(0.0, self.base_rate - half), min(1.0, self.base_rate + half)], (len(X), 1))
        if self._bootstrap is None:
            from renewcast.forecast.model import fit_signed

            rng = np.random.default_rng(0)
            core = self.model.core_
            signed = np.zeros(self.X.shape[1], dtype=bool)
            signed[list(self.model.nonnegative)] = True
            fits = []
            for _ in range(RESAMPLES):
                idx = rng.integers(0, len(self.y), len(self.y))
                if len(set(self.y[idx].tolist())) < 2:
                    continue
                Xb = self.X[idx]
                mean, scale = Xb.mean(axis=0), Xb.std(axis=0)
                scale[scale == 0] = 1.0
                # Start from the columns the full fit kept: usually one fit per resample.
                _, lr, coef = fit_signed((Xb - mean) / scale, self.y[idx], self.model.C, signed, core.keep_)
                fits.append((mean, scale, coef, float(lr.intercept_[0])))
            self._bootstrap = fits
        X = np.asarray(X, dtype=float)
        scores = np.array([((X - mean) / scale) @ coef + b for mean, scale, coef, b in self._bootstrap])
        draws = self.model.calibrate(scores.ravel()).reshape(scores.shape)
        return np.asarray(np.quantile(draws, [0.025, 0.975], axis=0).T)


def training_rows(history: History, as_of: dt.date, horizon: int, waited: int | None = None
                  ) -> list[dict[str, Any]]:
    """Renewed/canceled decisions public on ``as_of`` about covered seasons Netflix
    decides, that were still pending ``waited`` (default: ``horizon``) days after the
    premiere.

    The model answers "no decision yet on day N: renewed or not?", so it learns from the
    seasons that were in that position. Renewals announced before (or days after) a
    premiere say little about early viewing; leaving them out improved the backtest's
    Brier score and accuracy at 14 and 28 days, with the same AUC.
    """
    pending = dt.timedelta(days=waited if waited is not None else horizon)
    rows = []
    for r in history.decisions(as_of, dated_only=True):
        if r["outcome"] in LABELS and eligible(history, r["slug"]) and netflix_decides(history, r["slug"]):
            premiere = history.seasons[r["slug"]]["premiere"]
            if premiere <= as_of and r["announced_date"] > premiere + pending:
                rows.append(r)
    return rows


def fit_at(history: History, horizon: int, as_of: dt.date, params: dict[str, Any] | None = None,
           waited: int | None = None) -> Fitted:
    """A model trained only on what was public on ``as_of``: features over the first
    ``horizon`` days, learnt from the seasons still undecided on day ``waited``."""
    rows = training_rows(history, as_of, horizon, waited)
    X = np.array([vector(season_features(history, r["slug"], horizon, as_of)) for r in rows],
                 dtype=float).reshape(len(rows), len(FEATURES))
    y = np.array([LABELS[r["outcome"]] for r in rows], dtype=int)
    base = float(y.mean()) if len(y) else 0.5
    model = None
    if len(y) >= MIN_TRAINING and len(set(y.tolist())) == 2:
        signed = tuple(i for i, name in enumerate(FEATURES) if name in VOLUME)
        model = RenewalModel(**{"nonnegative": signed, **(params or {})}).fit(X, y)
    train = [{"slug": r["slug"], "outcome": r["outcome"],
              "title": title_of(history.seasons[r["slug"]])}
             for r in rows]
    return Fitted(horizon, as_of, model, base, X, y, train, waited if waited is not None else horizon)


def timeline_stats(history: History, as_of: dt.date) -> tuple[float | None, float | None]:
    """Median and 90th percentile of days from premiere to a public decision, as of a date."""
    days = [(r["announced_date"] - history.seasons[r["slug"]]["premiere"]).days
            for r in history.decisions(as_of, dated_only=True) if r["outcome"] in LABELS]
    days = [d for d in days if d > 0]
    if not days:
        return None, None
    return float(np.median(days)), float(np.quantile(days, LIMBO_QUANTILE))


def status_of(history: History, slug: str, as_of: dt.date) -> str:
    found = [r["outcome"] for r in history.decisions(as_of) if r["slug"] == slug]
    return found[-1] if found else "awaiting"


class Forecaster:
    """Forecasts for many seasons as of one date, sharing the fitted models."""

    def __init__(self, history: History, as_of: dt.date | None = None) -> None:
        self.history = history
        self.as_of = check_as_of(history, as_of)
        self._fitted: dict[tuple[int, int], Fitted] = {}
        self._waits: dict[str, hazard.Waits] | None = None
        self.median_days, self.p90_days = timeline_stats(history, self.as_of)

    def fitted(self, horizon: int, waited: int | None = None) -> Fitted:
        """The model for features over ``horizon`` days, of seasons undecided on day
        ``waited``; a shorter wait stands in when too few seasons waited that long."""
        waited = horizon if waited is None else waited
        while True:
            key = (horizon, waited)
            if key not in self._fitted:
                self._fitted[key] = fit_at(self.history, horizon, self.as_of, waited=waited)
            fit = self._fitted[key]
            shorter = [h for h in HORIZONS if horizon <= h < waited]
            if fit.model is not None or not shorter:
                return fit
            waited = shorter[-1]

    def groups(self) -> dict[str, hazard.Waits]:
        """Waits for a decision by format group, for the hazard answer."""
        if self._waits is None:
            h = self.history
            undecided = self.undecided_days()
            slugs = [slug for slug, s in h.seasons.items()
                     if eligible(h, slug) and netflix_decides(h, slug) and s["first_week"] <= self.as_of]
            by: dict[str, list[str]] = {"all": slugs, "scripted": [], "unscripted": []}
            for slug in slugs:
                group = format_group(h, slug)
                if group in by:
                    by[group].append(slug)
            caps = self.next_season_days()
            self._waits = {g: hazard.waits(h, self.as_of, members, undecided, LABELS, caps)
                           for g, members in by.items()}
        return self._waits

    def next_season_days(self) -> dict[str, int]:
        """Days from each season's premiere to its next season's first Top 10 week, where
        that had charted by the date: the renewal was public by then whatever the ledger dates."""
        h, as_of = self.history, self.as_of
        by_show: dict[str, list[dict[str, Any]]] = {}
        for s in h.seasons.values():
            by_show.setdefault(s["show_title"], []).append(s)
        out: dict[str, int] = {}
        for slug, s in h.seasons.items():
            later = [o["first_week"] for o in by_show[s["show_title"]] if s["season_number"] and o["season_number"]
                     and o["season_number"] > s["season_number"] and o["first_week"] <= as_of]
            if later:
                out[slug] = (min(later) - s["premiere"]).days
        return out

    def undecided_days(self) -> dict[str, int]:
        """Each undecided season that could await a decision, with the days it was at risk
        as of the date: all of them while on the board; until its next season charted (a
        renewal, day unknown: censored there) or two years (it left the board) otherwise."""
        h, as_of = self.history, self.as_of
        decided = {r["slug"] for r in h.decisions(as_of, dated_only=True)}
        caps = self.next_season_days()
        past = as_of < clock.today()
        out: dict[str, int] = {}
        for slug, s in h.seasons.items():
            label = h.labels.get(slug)
            if slug in decided or label is None or not label.could_await(past=past) or not s["season_number"]:
                continue
            if "limited series" in (s["season_title"] or "").lower() or s["premiere"] > as_of:
                continue
            days = min((as_of - s["premiere"]).days, caps.get(slug, rules.BOARD_DAYS))
            out[slug] = max(0, min(days, rules.BOARD_DAYS))
        return out

    def season(self, slug: str) -> dict[str, Any]:
        h = self.history
        s = h.seasons.get(slug)
        if s is None:
            raise SeasonNotFound(f"'{slug}' is not a TV season in the store; only TV seasons get renewal forecasts")
        if s["first_week"] > self.as_of:
            raise ForecastError(f"{s['season_title'] or s['show_title']} had not charted by {self.as_of} "
                                f"(first Top 10 week {s['first_week']})")
        if not eligible(h, slug):
            raise ForecastError(f"{s['season_title'] or s['show_title']} premiered {s['premiere']}, before "
                                f"the Top 10 data begins ({h.first_week}); its first weeks are not in the store")
        days = (self.as_of - s["premiere"]).days + 1
        # Features over the days the store covers; the model of seasons that waited as long.
        covered = (min(self.as_of, h.last_week) - s["premiere"]).days + 1
        horizon = horizon_for(covered)
        fit = self.fitted(horizon, horizon_for(days))
        feats = season_features(h, slug, horizon, self.as_of)
        extra = season_extra(h, slug, horizon, self.as_of)
        x = np.array([vector(feats)])
        probability = float(fit.proba(x)[0])
        low, high = (float(v) for v in fit.interval(x)[0])
        status = status_of(h, slug, self.as_of)
        reasons: list[dict[str, Any]] = []
        similar: list[dict[str, Any]] = []
        if fit.model is not None:
            window = min(covered, horizon)
            reasons = explain.reasons(fit.model.effects(x)[0], feats, extra, s, window)
            others = [i for i, t in enumerate(fit.train) if t["slug"] != slug]
            similar = explain.similar(fit.model.standardise(x)[0], fit.model.standardise(fit.X[others]),
                                      fit.model.weights(), [fit.train[i] for i in others])
        in_limbo = status == "awaiting" and self.p90_days is not None and days > self.p90_days
        waiting = status == "awaiting" and netflix_decides(h, slug)
        return {
            "slug": slug,
            "title": title_of(s),
            "category": s["category"],
            "probability": round(probability, 4),
            "interval_95": [round(min(low, probability), 4), round(max(high, probability), 4)],
            "as_of": self.as_of.isoformat(),
            "horizon_days": horizon,
            "waited_days": fit.waited,
            "status": status,
            "reasons": reasons,
            "similar": similar,
            "rule_of_thumb_says_canceled": extra["rule_says_canceled"],
            "trained_on": len(fit.y),
            "base_rate": round(fit.base_rate, 4),
            "premiere": s["premiere"].isoformat(),
            "format_group": format_group(h, slug),
            "timeline": {"days_since_premiere": days, "median_days": self.median_days,
                         "p90_days": self.p90_days, "in_limbo": in_limbo},
            "decision_odds": (hazard.answer(self.groups(), format_group(h, slug), days) if waiting else None),
            "what_it_would_take": self.what_it_would_take(slug, probability) if waiting else None,
        }

    def what_it_would_take(self, slug: str, probability: float) -> dict[str, Any] | None:
        """For a season in the store's newest week and under 50%: the views a week, over
        the weeks after the store's data up to the next horizon, that would lift the
        forecast past 50% (the fans' question: how many of us must watch?)."""
        h, s = self.history, self.history.seasons[slug]
        # The newest week public on the date (a week is dated by its Sunday).
        newest = min(h.last_week, self.as_of - dt.timedelta(days=(self.as_of.weekday() + 1) % 7))
        rows = [r for r in h.weeks.get(slug, []) if r["week"] <= newest]
        if probability >= 0.5 or not rows or rows[-1]["week"] != newest:
            return None
        first_new = newest + dt.timedelta(days=7)
        target = next((t for t in HORIZONS if s["premiere"] + dt.timedelta(days=t - 1) >= first_new), None)
        if target is None:
            return None
        through = s["premiere"] + dt.timedelta(days=target - 1)
        new_weeks = [first_new + dt.timedelta(days=7 * i) for i in range((through - first_new).days // 7 + 1)]
        fit = self.fitted(target, max(target, horizon_for((self.as_of - s["premiere"]).days + 1)))
        if fit.model is None:
            return None
        runtime = rows[-1]["runtime"] or s["runtime_hours"] or 1.0

        def chance(views: float) -> float:
            extra = [{**rows[-1], "week": w, "weekly_views": round(views),
                      "weekly_hours_viewed": round(views * runtime),
                      "cumulative_weeks_in_top_10": rows[-1]["cumulative_weeks_in_top_10"] + i + 1}
                     for i, w in enumerate(new_weeks)]
            what_if = dataclasses.replace(h, weeks={**h.weeks, slug: rows + extra}, last_week=through,
                                          _cache={}, _extra={})
            feats = season_features(what_if, slug, target, max(self.as_of, through))
            return float(fit.proba(np.array([vector(feats)]))[0])

        lo, hi = 0.0, WHAT_IF_CEILING
        if chance(lo) >= 0.5:
            return None  # past 50% by then whatever it draws: nothing to ask of the fans
        if chance(hi) < 0.5:
            span = formats.count(len(new_weeks), "week")
            return {"views_per_week": None, "weeks": len(new_weeks), "through": through.isoformat(),
                    "horizon_days": target, "text": f"No audience in the Top 10's range over the {span} "
                    f"to {through:%b %-d} (day {target}) would lift the forecast past 50%."}
        for _ in range(30):  # the chance only rises with views (the signs are constrained)
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if chance(mid) >= 0.5 else (mid, hi)
        views = float(hi)
        return {"views_per_week": round(views), "weeks": len(new_weeks), "through": through.isoformat(),
                "horizon_days": target,
                "text": f"About {formats.millions(views)} views a week in the "
                        f"{formats.count(len(new_weeks), 'week')} after "
                        f"{newest:%b %-d} (to day {target}) would lift the forecast past 50%."}

    @functools.cached_property
    def _awaiting(self) -> list[str]:
        return self._find_awaiting()

    def awaiting(self) -> list[str]:
        """The seasons awaiting a decision on the date (computed once per forecaster)."""
        return list(self._awaiting)

    def _find_awaiting(self) -> list[str]:
        """Seasons Netflix still has to decide on the date: ``status.resolve`` says
        ``awaiting`` (the one rule the season page, the API and ``ledger list`` use)."""
        h, as_of = self.history, self.as_of
        decided = {r["slug"] for r in h.decisions(as_of)}
        by_show: dict[str, list[dict[str, Any]]] = {}
        for s in h.seasons.values():
            by_show.setdefault(s["show_title"], []).append(s)
        out = []
        for slug, s in h.seasons.items():
            if slug in decided:
                continue
            found = rules.resolve({**s, "kind": "TV"}, h.labels.get(slug, UNKNOWN_LABEL), None,
                                   rules.later_season(s, by_show[s["show_title"]], as_of), as_of,
                                   h.first_week, clock.today())
            if found is not None and found["outcome"] == rules.AWAITING:
                out.append(slug)
        return out

    def board(self) -> list[dict[str, Any]]:
        rows = [self.season(slug) for slug in self.awaiting()]
        rows.sort(key=board_order)
        return rows
