"""What the CLI and web call: train and store forecasts, read them fast, run backtests.

``train`` writes the current forecasts into the ``forecasts`` table and the fitted
models beside the database (``<db>.model.joblib``), so ``show`` and the web read one
row and never import scikit-learn. A forecast ``--as-of`` a past date is computed
live, training on what was public on that date only.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb

from renewcast.errors import StoreError
from renewcast.forecast.order import board_order
from renewcast.store import Store, forecasts_are_stale, rows_as_dicts

FORECAST_SCHEMA = """
CREATE TABLE IF NOT EXISTS forecasts (
    slug VARCHAR PRIMARY KEY, as_of DATE NOT NULL, horizon INTEGER NOT NULL,
    probability DOUBLE NOT NULL, status VARCHAR NOT NULL, awaiting BOOLEAN NOT NULL,
    in_limbo BOOLEAN NOT NULL, payload VARCHAR NOT NULL, trained_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS forecast_history (
    slug VARCHAR NOT NULL, as_of DATE NOT NULL, probability DOUBLE NOT NULL, trained_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS backtests (
    created_at TIMESTAMP NOT NULL, horizon INTEGER NOT NULL, ledger VARCHAR NOT NULL,
    payload VARCHAR NOT NULL);
"""

NO_FORECAST = "no forecast yet: run 'renewcast train'"


def model_path(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".model.joblib")


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
    return bool(row and row[0])


def record_forecasts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Compute the current forecast of every covered TV season and store them (open write connection)."""
    from renewcast.forecast.core import Forecaster, eligible
    from renewcast.forecast.features import load_history

    history = load_history(con)
    forecaster = Forecaster(history)
    awaiting = set(forecaster.awaiting())
    con.execute(FORECAST_SCHEMA)
    con.execute("DELETE FROM forecasts")
    now = dt.datetime.now()
    rows = []
    for slug, season in history.seasons.items():
        if not eligible(history, slug) or season["first_week"] > forecaster.as_of:
            continue
        f = forecaster.season(slug)
        f["awaiting"] = slug in awaiting
        rows.append([slug, f["as_of"], f["horizon_days"], f["probability"], f["status"], f["awaiting"],
                     f["timeline"]["in_limbo"] and f["awaiting"], json.dumps(f, default=str), now])
    if rows:
        con.executemany("INSERT INTO forecasts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        # Each awaiting season's forecast, kept per training: the title feeds report big moves.
        con.executemany("INSERT INTO forecast_history VALUES (?, ?, ?, ?)",
                        [[r[0], r[1], r[3], now] for r in rows if r[5]])
    con.execute("INSERT OR REPLACE INTO meta SELECT 'forecasts_version', value FROM meta WHERE key = 'data_version'")
    # The waits behind the 30/90-day decision odds, so a board read on a later day answers
    # for the days waited then (time is read at answer time, not at training).
    con.execute("INSERT OR REPLACE INTO meta VALUES ('hazard_waits', ?)", [json.dumps(
        {g: {"days": w.days.tolist(), "decided": w.decided.tolist(), "canceled": w.canceled.tolist()}
         for g, w in forecaster.groups().items()})])
    # Keyed "horizon/waited": features over the first days, trained on seasons still undecided then.
    models = {f"{h}/{w}": fit.model for (h, w), fit in forecaster._fitted.items()}
    return {"as_of": forecaster.as_of, "forecasts": len(rows), "awaiting": len(awaiting), "models": models,
            "trained_on": {f"{h}/{w}": len(fit.y) for (h, w), fit in forecaster._fitted.items()}}


def train(store: Store) -> dict[str, Any]:
    """Rebuild the forecasts table and the model file; returns what was trained."""
    from renewcast.forecast import model as model_io
    from renewcast.forecast.features import FEATURES

    with store.writing() as con:
        done = record_forecasts(con)
    models = done.pop("models")
    head = model_io.save(model_path(store), {"models": models, "features": list(FEATURES)},
                         {"as_of": done["as_of"].isoformat(), "horizons": sorted(models),
                          "trained_on": done["trained_on"]})
    return {**done, "as_of": done["as_of"].isoformat(), "model_file": str(model_path(store)), "header": head}


def load_models(store: Store) -> tuple[dict[str, Any], dict[int, Any]]:
    """The header and the per-horizon models ``train`` saved (refuses files it did not write)."""
    from renewcast.forecast import model as model_io

    head, payload = model_io.load(model_path(store))
    return head, payload["models"]


def stored_forecast(con: duckdb.DuckDBPyConnection, slug: str) -> dict[str, Any] | None:
    """The forecast ``train`` stored for a season, or None (no table, no row)."""
    try:  # cheaper than asking the catalog first: this runs on every season page
        row = con.execute("SELECT payload FROM forecasts WHERE slug = ?", [slug]).fetchone()
    except duckdb.CatalogException:
        return None
    if not row:
        return None
    from renewcast import clock

    return {**aged(json.loads(row[0]), clock.today(), stored_waits(con)), "stale": forecasts_are_stale(con)}


#: A move of the stored forecast by more than this (in probability) is news for a title feed.
FEED_MOVE = 0.10


def forecast_moves(con: duckdb.DuckDBPyConnection, slugs: list[str]) -> list[dict[str, Any]]:
    """Trainings that moved a season's forecast by more than FEED_MOVE, newest first."""
    if not slugs or not _has_table(con, "forecast_history"):
        return []
    rows = rows_as_dicts(con.execute(
        "SELECT slug, as_of, trained_at, probability, lag(probability) OVER (PARTITION BY slug ORDER BY trained_at) "
        "AS before FROM forecast_history WHERE slug IN (SELECT unnest(?::VARCHAR[])) ORDER BY trained_at DESC",
        [slugs]))
    return [r for r in rows if r["before"] is not None and round(abs(r["probability"] - r["before"]), 9) > FEED_MOVE]


def forecast_season(con: duckdb.DuckDBPyConnection, slug: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """A season's forecast: stored when ``as_of`` is None (never computed on the spot: a
    page or API read stays a single row), else computed from what was public then."""
    if as_of is None:
        found = stored_forecast(con, slug)
        if found is not None:
            return found
        raise StoreError(_why_none(con, slug))
    from renewcast.forecast.core import Forecaster
    from renewcast.forecast.features import load_history

    return Forecaster(load_history(con), as_of).season(slug)


def _why_none(con: duckdb.DuckDBPyConnection, slug: str) -> str:
    """Why a season has no stored forecast, from two cheap lookups."""
    if not _has_table(con, "forecasts"):
        return NO_FORECAST
    row = con.execute("SELECT s.kind, s.premiere, (SELECT min(week) FROM top10_global) FROM seasons s "
                      "WHERE s.slug = ?", [slug]).fetchone()
    if row is None:
        return f"no season '{slug}' in the store"
    kind, premiere, first = row
    if kind != "TV":
        return "forecasts cover TV seasons only"
    if premiere is not None and first is not None and premiere < first - dt.timedelta(days=6):
        return (f"no forecast: it premiered {premiere}, before the Top 10 data begins ({first}), "
                "so its first weeks are not in the store")
    return "no forecast stored for this season yet: run 'renewcast train'"


def stored_waits(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    import numpy as np

    from renewcast.forecast import hazard

    row = con.execute("SELECT value FROM meta WHERE key = 'hazard_waits'").fetchone()
    if not row:
        return None
    return {g: hazard.Waits(np.array(w["days"], dtype=int), np.array(w["decided"], dtype=int),
                            np.array(w["canceled"], dtype=int)) for g, w in json.loads(row[0]).items()}


def aged(payload: dict[str, Any], today: dt.date, waits: dict[str, Any] | None) -> dict[str, Any]:
    """A stored forecast read on ``today``: the days waited, limbo and the 30/90-day decision
    odds as of today (the probability itself is the trained day's, and says so: ``as_of``)."""
    from renewcast.forecast import hazard

    out = dict(payload)
    premiere = dt.date.fromisoformat(payload["premiere"]) if payload.get("premiere") else None
    if premiere is None:
        return out
    days = (today - premiere).days + 1
    timeline = dict(payload["timeline"])
    timeline["days_since_premiere"] = days
    p90 = timeline.get("p90_days")
    timeline["in_limbo"] = payload.get("status") == "awaiting" and p90 is not None and days > p90
    out["timeline"] = timeline
    out["answered_on"] = today.isoformat()
    if payload.get("decision_odds") is not None and waits is not None:
        out["decision_odds"] = hazard.answer(waits, payload.get("format_group") or "all", days)
    return out


def board(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """TV seasons awaiting a decision, most at risk first. The stored board is read as of
    today: only seasons still awaiting one today (``renewcast.status``), their waits aged."""
    if as_of is None:
        if not _has_table(con, "forecasts"):
            raise StoreError(NO_FORECAST)
        from renewcast import clock
        from renewcast import status as rules

        today = clock.today()
        waiting = {slug for slug, st in rules.all_statuses(con, today, today).items() if st["outcome"] == "awaiting"}
        waits = stored_waits(con)
        rows = con.execute("SELECT slug, payload FROM forecasts WHERE awaiting").fetchall()
        return sorted((aged(json.loads(p), today, waits) for slug, p in rows if slug in waiting), key=board_order)
    from renewcast.forecast.core import Forecaster
    from renewcast.forecast.features import load_history

    return Forecaster(load_history(con), as_of).board()


def walk_forward(store: Store, horizon: int = 28, ledger: Path | str | None = None, *,
             save: bool = True) -> dict[str, Any]:
    """Run the walk-forward backtest; store the result (for the web's track record)."""
    from renewcast.forecast.backtest import run_backtest
    from renewcast.forecast.features import load_history

    with store.reading() as con:
        history = load_history(con)
        external = _external(con, ledger) if ledger is not None else None
    result = run_backtest(history, horizon, external)
    result["created_at"] = dt.datetime.now().isoformat(timespec="seconds")
    if ledger is not None:
        result["ledger"] = str(ledger)
    if save:
        with store.writing(changes_data=False) as con:
            con.execute(FORECAST_SCHEMA)
            con.execute("INSERT INTO backtests VALUES (?, ?, ?, ?)",
                        [dt.datetime.now(), horizon, result["ledger"], json.dumps(result, default=str)])
    return result


def _external(con: duckdb.DuckDBPyConnection, path: Path | str) -> list[dict[str, Any]]:
    from renewcast import _records as rec
    from renewcast.ledger import parse_ledger_file

    index = rec.SeasonIndex(con)
    return [{"show_title": e.show_title, "season": e.season, "outcome": e.outcome,
             "announced_date": e.announced_date,
             "slug": index.match(e.show_title, e.season, e.season_title or "")}
            for e in parse_ledger_file(path)]


#: The horizons of the track record (days after the premiere); the first quoted is 28.
TRACK_HORIZONS = (14, 28, 56)


def latest_backtest(con: duckdb.DuckDBPyConnection, horizon: int = 28) -> dict[str, Any] | None:
    """The newest stored backtest of the store's own ledger at ``horizon`` days (falls
    back to any other), or None."""
    try:
        rows = rows_as_dicts(con.execute(
            "SELECT payload FROM backtests ORDER BY ledger = 'store' DESC, horizon = ? DESC, created_at DESC "
            "LIMIT 1", [horizon]))
    except duckdb.CatalogException:
        return None
    return json.loads(rows[0]["payload"]) if rows else None


def backtest_parts(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A backtest's scores by slice: all decisions (its top level), development and frozen."""
    return {"all": {"n": result["n"], **{m: result[m] for m in ("model", "rule", "majority")}},
            **result.get("slices", {})}


def backtest_summary(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The newest stored backtest of the store's ledger at each horizon: per slice (all,
    development, frozen) and method, n with AUC, accuracy, Brier and their intervals."""
    try:
        rows = rows_as_dicts(con.execute(
            "SELECT payload FROM backtests WHERE ledger = 'store' "
            "QUALIFY row_number() OVER (PARTITION BY horizon ORDER BY created_at DESC) = 1 ORDER BY horizon"))
    except duckdb.CatalogException:
        return []
    out = []
    for row in rows:
        result = json.loads(row["payload"])
        for part, found in backtest_parts(result).items():
            for method in ("model", "rule", "majority"):
                m = found[method]
                ci = m.get("interval_95") or {}
                out.append({"horizon_days": result["horizon_days"], "slice": part, "method": method,
                            "n": found["n"], **{k: m.get(k) for k in ("auc", "accuracy", "brier")},
                            **{f"{k}_interval_95": ci.get(k) for k in ("auc", "accuracy", "brier")}})
    return out


def track_record(store: Store) -> list[dict[str, Any]]:
    """Run and store the backtest at every track-record horizon; the summary."""
    for horizon in TRACK_HORIZONS:
        walk_forward(store, horizon)
    with store.reading() as con:
        return backtest_summary(con)


def ensure_backtest(store: Store) -> None:
    """Run and store the backtests once, so the track record is never empty."""
    with store.reading() as con:
        if latest_backtest(con) is not None:
            return
    track_record(store)


def backtested(con: duckdb.DuckDBPyConnection, slug: str) -> dict[str, Any] | None:
    """What the stored walk-forward backtest predicted for this season before its decision."""
    found = latest_backtest(con)
    if found is None:
        return None
    for row in found.get("predictions", []):
        if row["slug"] == slug:
            return {**row, "horizon_days": found["horizon_days"]}
    return None


def retrain_if_stale(store: Store) -> dict[str, Any] | None:
    """Retrain when the store holds forecasts computed before its latest data change.

    A store that never had forecasts (a bare ``ingest`` into a new file) is left alone.
    """
    with store.reading() as con:
        if not _has_table(con, "forecasts") or not forecasts_are_stale(con):
            return None
    return train(store)
