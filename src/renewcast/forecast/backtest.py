"""The honest walk-forward backtest.

For every TV season whose renewed/canceled decision was announced after its prediction
date (premiere + N days), a model is trained on the decisions public on that date only,
with features computed from the data public then, and its forecast is scored against
what Netflix decided. Two baselines are scored on the same seasons:

* ``rule``: the seeds' rule of thumb (a drop of over 50% within the first month means
  canceled), mapped to P(renewed) = 0.2 when it says canceled and 0.8 otherwise (also
  when it cannot be applied: no first-month weeks). At a horizon under 28 days it sees
  only the weeks so far.
* ``majority``: always renewed, with P(renewed) = the renewal rate among the decisions
  public on the prediction date that the model trains on (seasons still undecided N days
  after their premiere: a stronger baseline than the rate over all decisions).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

import numpy as np

from renewcast.forecast.core import eligible, fit_at, netflix_decides
from renewcast.forecast.features import LABELS, History, season_extra, season_features, vector
from renewcast.titles import title_of

RULE_PROBABILITY = {True: 0.2, False: 0.8, None: 0.8}
BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
METHODS = ("model", "rule", "majority")
#: The frozen slice: decisions announced in the twelve months before this day were set
#: aside when the features were chosen (on the decisions before it) and are reported on
#: their own, so at least one figure was never looked at while the model was shaped.
FROZEN_FROM = dt.date(2025, 12, 1)
SLICES = ("all", "development", "frozen")
#: Bootstrap resamples for the figures' 95% intervals (seasons resampled with replacement).
RESAMPLES = 1000


def evaluation_rows(history: History, horizon: int, external: list[dict[str, Any]] | None = None,
                    part: str = "all") -> list[dict[str, Any]]:
    """Decisions to forecast: announced after premiere + horizon, with data to forecast from.

    ``part``: all of them, the ``development`` decisions (announced before FROZEN_FROM)
    or the ``frozen`` ones (on or after it).
    """
    if part not in SLICES:
        raise ValueError(f"part must be one of {SLICES}, not {part!r}")
    source = external if external is not None else history.first_decisions()
    rows = []
    for r in source:
        if part != "all" and (r["announced_date"] >= FROZEN_FROM) != (part == "frozen"):
            continue
        slug = r.get("slug")
        if (r["outcome"] not in LABELS or not slug or not eligible(history, slug)
                or not netflix_decides(history, slug)):
            continue
        predict_on = history.seasons[slug]["premiere"] + dt.timedelta(days=horizon)
        if r["announced_date"] > predict_on and predict_on <= history.last_week + dt.timedelta(days=7):
            rows.append({**r, "predict_on": predict_on})
    return sorted(rows, key=lambda r: (r["predict_on"], r["slug"]))


def scores(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    if not len(y):
        return {"n": 0, "auc": None, "accuracy": None, "brier": None}
    auc = float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else None
    return {"n": len(y), "auc": round(auc, 4) if auc is not None else None,
            "accuracy": round(float(((p >= 0.5).astype(int) == y).mean()), 4),
            "brier": round(float(brier_score_loss(y, p, pos_label=1)), 4)}


def intervals(y: np.ndarray, probabilities: dict[str, np.ndarray], resamples: int = RESAMPLES,
              seed: int = 0) -> dict[str, dict[str, list[float] | None]]:
    """95% bootstrap intervals of each method's AUC, accuracy and Brier score.

    The same resampled seasons score every method, so their intervals are comparable.
    A resample is a count per season (how often it was drawn), so every resample's
    figures come from one matrix product: AUC = w1' M w0 / (sum w1 * sum w0), with M the
    pairwise "renewed season ranked above canceled season" matrix (ties count half).
    """
    n = len(y)
    if n < 2 or resamples < 1:
        return {m: {"auc": None, "accuracy": None, "brier": None} for m in probabilities}
    rng = np.random.default_rng(seed)
    counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(resamples)]).astype(float)
    pos, neg = counts * y, counts * (1 - y)
    both = (pos.sum(axis=1) > 0) & (neg.sum(axis=1) > 0)
    out: dict[str, dict[str, list[float] | None]] = {}
    for m, p in probabilities.items():
        above = (p[:, None] > p[None, :]) + 0.5 * (p[:, None] == p[None, :])
        auc = ((pos @ above) * neg).sum(axis=1)[both] / (pos.sum(axis=1) * neg.sum(axis=1))[both]
        right = ((p >= 0.5).astype(int) == y).astype(float)
        figures = {"auc": auc, "accuracy": counts @ right / n, "brier": counts @ ((p - y) ** 2) / n}
        out[m] = {k: ([round(float(q), 4) for q in np.quantile(v, [0.025, 0.975])] if len(v) else None)
                  for k, v in figures.items()}
    return out


def calibration(y: np.ndarray, p: np.ndarray) -> list[dict[str, Any]]:
    out = []
    for lo, hi in itertools.pairwise(BINS):
        mask = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if mask.any():
            out.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(mask.sum()),
                        "mean_predicted": round(float(p[mask].mean()), 3),
                        "observed_renewed": round(float(y[mask].mean()), 3)})
    return out


def run_backtest(history: History, horizon: int = 28, external: list[dict[str, Any]] | None = None,
                 params: dict[str, Any] | None = None, part: str = "all",
                 resamples: int = RESAMPLES) -> dict[str, Any]:
    rows = evaluation_rows(history, horizon, external, part)
    by_date: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_date[r["predict_on"]].append(r)
    scored: list[dict[str, Any]] = []
    skipped: list[str] = []
    fits: dict[dt.date, Any] = {}
    for day in sorted(by_date):
        # The model is refitted once a week, on the Monday on or before the forecast day: a
        # few days less knowledge than the day allows (never more), for a fifth of the fits.
        trained = day - dt.timedelta(days=day.weekday())
        if trained not in fits:
            fits[trained] = fit_at(history, horizon, trained, params)
        fit = fits[trained]
        group = by_date[day]
        if fit.model is None:  # too few public decisions to train on: not forecastable
            skipped += [r["slug"] for r in group]
            continue
        X = np.array([vector(season_features(history, r["slug"], horizon, day)) for r in group])
        probs = fit.proba(X)
        for r, prob in zip(group, probs, strict=True):
            s = history.seasons[r["slug"]]
            rule = season_extra(history, r["slug"], horizon, day)["rule_says_canceled"]
            scored.append({
                "slug": r["slug"], "title": title_of(s),
                "year": s["premiere"].year, "language": s["language"], "outcome": r["outcome"],
                "renewed": LABELS[r["outcome"]], "announced": r["announced_date"].isoformat(),
                "predicted_on": day.isoformat(), "trained_as_of": trained.isoformat(), "trained_on": len(fit.y),
                "model_probability": float(prob), "rule_probability": RULE_PROBABILITY[rule],
                "majority_probability": fit.base_rate,
            })
    y = np.array([r["renewed"] for r in scored], dtype=int)
    result: dict[str, Any] = {
        "horizon_days": horizon, "n": len(scored), "skipped_too_little_history": len(skipped),
        "ledger": "store" if external is None else "external", "slice": part,
        "frozen_from": FROZEN_FROM.isoformat(),
        "rule_mapping": "rule says canceled -> P(renewed)=0.2, otherwise (or not applicable) 0.8",
        "majority_mapping": "P(renewed) = renewal rate among the training decisions public on the "
                            "prediction date (seasons undecided N days after their premiere)",
    }
    probabilities = {m: np.array([r[f"{m}_probability"] for r in scored], dtype=float) for m in METHODS}
    ci = intervals(y, probabilities, resamples)
    for method in METHODS:
        p = probabilities[method]
        result[method] = {**scores(y, p), "interval_95": ci[method], "calibration": calibration(y, p)}
    # The frozen slice's forecasts are the same ones (each was made from what was public on
    # its day), scored apart: the decisions of the last twelve months, never used to choose.
    result["slices"] = {}
    for name in ("development", "frozen"):
        rows_in = [r for r in scored if (r["announced"] >= FROZEN_FROM.isoformat()) == (name == "frozen")]
        ys = np.array([r["renewed"] for r in rows_in], dtype=int)
        ps = {m: np.array([r[f"{m}_probability"] for r in rows_in], dtype=float) for m in METHODS}
        ci_s = intervals(ys, ps, resamples)
        result["slices"][name] = {"n": len(rows_in), "renewed": int(ys.sum()),
                                  **{m: {**scores(ys, ps[m]), "interval_95": ci_s[m]} for m in METHODS}}
    result["by_year"] = _breakdown(scored, "year")
    result["by_language"] = _breakdown(scored, "language")
    result["misses"] = [
        {k: r[k] for k in ("slug", "title", "outcome", "announced", "predicted_on")} | {
            "probability": round(r["model_probability"], 3)}
        for r in scored if (r["model_probability"] >= 0.5) != bool(r["renewed"])]
    result["predictions"] = [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
                             for r in scored]
    return result


def _breakdown(scored: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in scored:
        groups[r[key]].append(r)
    out = []
    for value in sorted(groups):
        rows = groups[value]
        y = np.array([r["renewed"] for r in rows], dtype=int)
        entry: dict[str, Any] = {key: value, "n": len(rows), "renewed": int(y.sum())}
        for method in METHODS:
            s = scores(y, np.array([r[f"{method}_probability"] for r in rows], dtype=float))
            entry[method] = {k: s[k] for k in ("auc", "accuracy", "brier")}
        out.append(entry)
    return out
