"""Forecasts as of a date: train on what was public then, predict, explain, time the decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from renewcast import clock
from renewcast.errors import RenewcastError, SeasonNotFound
from renewcast.forecast import explain
from renewcast.forecast.features import FEATURES, LABELS, History, season_extra, season_features, vector
from renewcast.forecast.model import RenewalModel
from renewcast.forecast.service import board_order

#: Horizons (days after the premiere) with a model each; a forecast uses the largest one
#: the season has reached, so its features mean what they meant in training.
HORIZONS = (7, 14, 28, 56, 91)
#: Fewer public decisions than this and no model is trained (the forecast is the base rate).
MIN_TRAINING = 20
#: A decision is overdue ("in limbo") past this quantile of the usual wait.
LIMBO_QUANTILE = 0.9
#: How far back the board looks for seasons still awaiting a decision: two years, so a
#: season Netflix has left hanging stays visible, marked in limbo, rather than vanishing.
BOARD_DAYS = 730


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


@dataclass
class Fitted:
    horizon: int
    as_of: dt.date
    model: RenewalModel | None  # None: too few public decisions; the base rate stands in
    base_rate: float
    X: np.ndarray
    y: np.ndarray
    train: list[dict[str, Any]]

    def proba(self, X: np.ndarray) -> np.ndarray:
        if self.model is None:
            return np.full(len(X), self.base_rate)
        return np.asarray(self.model.predict_proba(X)[:, 1])


def training_rows(history: History, as_of: dt.date, horizon: int) -> list[dict[str, Any]]:
    """Renewed/canceled decisions public on ``as_of`` about covered seasons, that were
    still pending ``horizon`` days after the premiere.

    The model answers "no decision yet on day N: renewed or not?", so it learns from the
    seasons that were in that position. Renewals announced before (or days after) a
    premiere say little about early viewing; leaving them out improved the backtest's
    Brier score and accuracy at 14 and 28 days, with the same AUC.
    """
    rows = []
    for r in history.decisions(as_of):
        if r["outcome"] in LABELS and eligible(history, r["slug"]):
            premiere = history.seasons[r["slug"]]["premiere"]
            if premiere <= as_of and r["announced_date"] > premiere + dt.timedelta(days=horizon):
                rows.append(r)
    return rows


def fit_at(history: History, horizon: int, as_of: dt.date, params: dict[str, Any] | None = None) -> Fitted:
    """A model trained only on what was public on ``as_of``."""
    rows = training_rows(history, as_of, horizon)
    X = np.array([vector(season_features(history, r["slug"], horizon, as_of)) for r in rows],
                 dtype=float).reshape(len(rows), len(FEATURES))
    y = np.array([LABELS[r["outcome"]] for r in rows], dtype=int)
    base = float(y.mean()) if len(y) else 0.5
    model = None
    if len(y) >= MIN_TRAINING and len(set(y.tolist())) == 2:
        model = RenewalModel(**(params or {})).fit(X, y)
    train = [{"slug": r["slug"], "outcome": r["outcome"],
              "title": history.seasons[r["slug"]]["season_title"] or history.seasons[r["slug"]]["show_title"]}
             for r in rows]
    return Fitted(horizon, as_of, model, base, X, y, train)


def timeline_stats(history: History, as_of: dt.date) -> tuple[float | None, float | None]:
    """Median and 90th percentile of days from premiere to a public decision, as of a date."""
    days = [(r["announced_date"] - history.seasons[r["slug"]]["premiere"]).days
            for r in history.decisions(as_of) if r["outcome"] in LABELS]
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
        self._fitted: dict[int, Fitted] = {}
        self.median_days, self.p90_days = timeline_stats(history, self.as_of)

    def fitted(self, horizon: int) -> Fitted:
        if horizon not in self._fitted:
            self._fitted[horizon] = fit_at(self.history, horizon, self.as_of)
        return self._fitted[horizon]

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
        horizon = horizon_for(days)
        fit = self.fitted(horizon)
        feats = season_features(h, slug, horizon, self.as_of)
        extra = season_extra(h, slug, horizon, self.as_of)
        x = np.array([vector(feats)])
        probability = float(fit.proba(x)[0])
        status = status_of(h, slug, self.as_of)
        reasons: list[dict[str, Any]] = []
        similar: list[dict[str, Any]] = []
        if fit.model is not None:
            window = min(days, horizon)
            reasons = explain.reasons(fit.model.effects(x)[0], feats, extra, s, window)
            scaler = fit.model.pipeline_[0]
            others = [i for i, t in enumerate(fit.train) if t["slug"] != slug]
            similar = explain.similar(scaler.transform(x)[0], scaler.transform(fit.X[others]),
                                      fit.model.weights(), [fit.train[i] for i in others])
        in_limbo = status == "awaiting" and self.p90_days is not None and days > self.p90_days
        return {
            "slug": slug,
            "title": s["season_title"] or s["show_title"],
            "category": s["category"],
            "probability": round(probability, 4),
            "as_of": self.as_of.isoformat(),
            "horizon_days": horizon,
            "status": status,
            "reasons": reasons,
            "similar": similar,
            "rule_of_thumb_says_canceled": extra["rule_says_canceled"],
            "trained_on": len(fit.y),
            "base_rate": round(fit.base_rate, 4),
            "timeline": {"days_since_premiere": days, "median_days": self.median_days,
                         "p90_days": self.p90_days, "in_limbo": in_limbo},
        }

    def awaiting(self) -> list[str]:
        """Seasons Netflix still has to decide on the date: the catalog says Netflix decides
        them (an ongoing or unknown run, not a live event), no decision was public by then,
        and they premiered in the two years before it.

        A later season of the same show that has charted counts as a renewal; limited
        series and seasons without a season label are left out.
        """
        h, as_of = self.history, self.as_of
        decided = {r["slug"] for r in h.decisions(as_of)}
        charted_later: dict[str, int] = {}
        for s in h.seasons.values():
            if s["first_week"] <= as_of and s["season_number"]:
                charted_later[s["show_title"]] = max(charted_later.get(s["show_title"], 0), s["season_number"])
        out = []
        for slug, s in h.seasons.items():
            label = (s["season_title"] or "").lower()
            known = h.labels.get(slug)
            if known is None or not known.could_await(past=as_of < clock.today()):
                continue
            if (not label or "limited series" in label or not s["season_number"] or slug in decided
                    or not eligible(h, slug) or s["first_week"] > as_of
                    or (as_of - s["premiere"]).days > BOARD_DAYS
                    or charted_later.get(s["show_title"], 0) > s["season_number"]):
                continue
            out.append(slug)
        return out

    def board(self) -> list[dict[str, Any]]:
        rows = [self.season(slug) for slug in self.awaiting()]
        rows.sort(key=board_order)
        return rows
