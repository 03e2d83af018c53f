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
from renewcast.store import Store, forecasts_are_stale, rows_as_dicts

FORECAST_SCHEMA = """
CREATE TABLE IF NOT EXISTS forecasts (
    slug VARCHAR PRIMARY KEY, as_of DATE NOT NULL, horizon INTEGER NOT NULL,
    probability DOUBLE NOT NULL, status VARCHAR NOT NULL, awaiting BOOLEAN NOT NULL,
    in_limbo BOOLEAN NOT NULL, payload VARCHAR NOT NULL, trained_at TIMESTAMP NOT NULL);
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
    con.execute("INSERT OR REPLACE INTO meta SELECT 'forecasts_version', value FROM meta WHERE key = 'data_version'")
    models = {h: fit.model for h, fit in forecaster._fitted.items()}
    return {"as_of": forecaster.as_of, "forecasts": len(rows), "awaiting": len(awaiting), "models": models,
            "trained_on": {h: len(fit.y) for h, fit in forecaster._fitted.items()}}


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
    return {**json.loads(row[0]), "stale": forecasts_are_stale(con)}


def forecast_season(con: duckdb.DuckDBPyConnection, slug: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """A season's forecast: stored when ``as_of`` is None, else computed from what was public then."""
    if as_of is None:
        found = stored_forecast(con, slug)
        if found is not None:
            return found
        if not _has_table(con, "forecasts"):
            raise StoreError(NO_FORECAST)
    from renewcast.forecast.core import Forecaster
    from renewcast.forecast.features import load_history

    return Forecaster(load_history(con), as_of).season(slug)


def board_order(row: dict[str, Any]) -> tuple[float, int, str]:
    """Most at risk first: the lowest chance of renewal, then the longest wait."""
    return (row["probability"], -row["timeline"]["days_since_premiere"], row["slug"])


def board(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """TV seasons awaiting a decision, most at risk first."""
    if as_of is None:
        if not _has_table(con, "forecasts"):
            raise StoreError(NO_FORECAST)
        rows = con.execute("SELECT payload FROM forecasts WHERE awaiting").fetchall()
        return sorted((json.loads(r[0]) for r in rows), key=board_order)
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


def latest_backtest(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The newest stored backtest of the store's own ledger (falls back to any), or None."""
    try:
        rows = rows_as_dicts(con.execute(
            "SELECT payload FROM backtests ORDER BY ledger = 'store' DESC, created_at DESC LIMIT 1"))
    except duckdb.CatalogException:
        return None
    return json.loads(rows[0]["payload"]) if rows else None


def ensure_backtest(store: Store, horizon: int = 28) -> None:
    """Run and store the backtest once, so the track record is never empty."""
    with store.reading() as con:
        if latest_backtest(con) is not None:
            return
    walk_forward(store, horizon)


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
