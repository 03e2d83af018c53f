"""Renewal forecasts on the real bundled data and real researched decisions."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from sklearn.utils.estimator_checks import parametrize_with_checks

from renewcast import forecast
from renewcast.cli import main
from renewcast.errors import RenewcastError, StoreError
from renewcast.forecast import model as model_io
from renewcast.forecast.core import HORIZONS, Forecaster, ForecastError
from renewcast.forecast.features import FEATURES, load_history, season_extra, season_features
from renewcast.forecast.model import RenewalModel
from renewcast.ledger import BUNDLED_LEDGER
from renewcast.store import Store

from .conftest import TODAY

LEDGER = BUNDLED_LEDGER  # the shipped, researched decisions
IMPERFECTS = "the-imperfects-season-1"


def load_decisions(store: Store, path: Path = LEDGER) -> None:
    """Real decisions through the ledger import."""
    from renewcast.ledger import import_ledger

    import_ledger(store, path)


@pytest.fixture(scope="module")
def fc_store(built_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The built store plus researched decisions, trained."""
    store = Store(tmp_path_factory.mktemp("forecast") / "fc.duckdb")
    shutil.copyfile(built_store.path, store.path)
    load_decisions(store)
    forecast.train(store)
    return store


@pytest.fixture
def fc(fc_store: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    with fc_store.reading() as con:
        yield con


@parametrize_with_checks([RenewalModel()])
def test_estimator_follows_the_sklearn_contract(estimator: RenewalModel, check: object) -> None:
    check(estimator)  # type: ignore[operator]


def test_fresh_store_has_forecasts_and_show_falls_back(built_store: Store) -> None:
    with built_store.reading() as con:
        assert con.execute("SELECT count(*) FROM forecasts").fetchone()[0] > 500
        stored = forecast.forecast_season(con, IMPERFECTS)
    assert stored["slug"] == IMPERFECTS and 0 <= stored["probability"] <= 1


def test_forecast_for_the_imperfects_before_and_after_its_cancellation(fc: duckdb.DuckDBPyConnection) -> None:
    before = forecast.forecast_season(fc, IMPERFECTS, dt.date(2022, 11, 7))
    assert before["status"] == "awaiting"
    assert before["horizon_days"] == 56 and before["timeline"]["days_since_premiere"] == 61
    assert before["rule_of_thumb_says_canceled"] is True  # -64% in week 3
    assert 0 < before["probability"] < 1 and before["trained_on"] >= 20
    assert {r["feature"] for r in before["reasons"]} <= set(FEATURES) and len(before["reasons"]) == 3
    assert all(r["text"] and isinstance(r["effect"], float) for r in before["reasons"])
    assert before["similar"] and all(s["outcome"] in ("renewed", "canceled") for s in before["similar"])
    assert IMPERFECTS not in {s["slug"] for s in before["similar"]}
    after = forecast.forecast_season(fc, IMPERFECTS, dt.date(2022, 11, 8))
    assert after["status"] == "canceled"
    t = after["timeline"]
    assert t["median_days"] <= t["p90_days"] and t["in_limbo"] is False


def test_features_see_only_weeks_before_the_horizon_and_the_date(fc: duckdb.DuckDBPyConnection) -> None:
    history = load_history(fc)
    # Week 1 ends 2022-09-11, week 2 on 09-18: a 7-day horizon sees week 1 only, whatever the date.
    h7 = season_features(history, IMPERFECTS, 7, dt.date(2023, 1, 1))
    assert h7 == season_features(history, IMPERFECTS, 7, dt.date(2022, 9, 14))
    h28 = season_features(history, IMPERFECTS, 28, dt.date(2023, 1, 1))
    early = season_features(history, IMPERFECTS, 28, dt.date(2022, 9, 17))  # week 2 not yet over
    assert early["log_views"] == h7["log_views"] < h28["log_views"]
    assert h28["weeks_share"] == 0.75 and early["weeks_share"] == 1.0  # 3 of 4 weeks; 1 of 1
    assert season_extra(history, IMPERFECTS, 28, dt.date(2023, 1, 1))["worst_drop"] == pytest.approx(0.64, abs=0.01)
    assert season_extra(history, IMPERFECTS, 28, dt.date(2022, 9, 17))["worst_drop"] == 0.0


def test_honesty_flipping_later_outcomes_changes_nothing_before(fc_store: Store, tmp_path: Path) -> None:
    day = dt.date(2023, 1, 15)
    with fc_store.reading() as con:
        board = forecast.board(con, day)
        decided = [r[0] for r in con.execute(
            "SELECT l.slug FROM ledger l JOIN seasons s USING (slug) WHERE l.announced_date <= ? "
            "AND s.premiere >= DATE '2021-06-28' ORDER BY l.slug LIMIT 5", [day]).fetchall()]
        singles = [forecast.forecast_season(con, s, day) for s in decided]
        later = con.execute("SELECT count(*) FROM ledger WHERE announced_date > ? "
                            "AND outcome IN ('renewed', 'canceled')", [day]).fetchone()[0]
    assert board and later > 20
    flipped = Store(tmp_path / "flipped.duckdb")
    shutil.copyfile(fc_store.path, flipped.path)
    with flipped.writing() as con:
        con.execute("UPDATE ledger SET outcome = CASE outcome WHEN 'renewed' THEN 'canceled' "
                    "ELSE 'renewed' END WHERE announced_date > ? AND outcome IN ('renewed', 'canceled')", [day])
    with flipped.reading() as con:
        assert json.dumps(forecast.board(con, day)) == json.dumps(board)
        assert json.dumps([forecast.forecast_season(con, s, day) for s in decided]) == json.dumps(singles)
        flipped_now = forecast.board(con, dt.date(2025, 6, 29))
    with fc_store.reading() as con:  # the later forecasts, which see those decisions, do change
        assert json.dumps(forecast.board(con, dt.date(2025, 6, 29))) != json.dumps(flipped_now)


def test_board_lists_awaiting_seasons_most_at_risk_first(fc: duckdb.DuckDBPyConnection) -> None:
    rows = forecast.board(fc)
    assert rows and all(r["status"] == "awaiting" for r in rows)
    probabilities = [r["probability"] for r in rows]
    assert probabilities == sorted(probabilities)
    as_of = dt.date.fromisoformat(rows[0]["as_of"])
    assert all(0 < r["timeline"]["days_since_premiere"] <= 731 for r in rows)  # two years, written out
    assert as_of == dt.date.fromisoformat(TODAY)  # today, not the newest data week
    limbo = [r for r in rows if r["timeline"]["in_limbo"]]
    assert all(r["timeline"]["days_since_premiere"] > r["timeline"]["p90_days"] for r in limbo)


def test_dates_outside_the_data_and_films_are_clear_errors(fc: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ForecastError, match="before the data starts"):
        forecast.forecast_season(fc, IMPERFECTS, dt.date(2020, 1, 1))
    with pytest.raises(ForecastError, match="in the future"):
        forecast.board(fc, dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(ForecastError, match="had not charted"):
        forecast.forecast_season(fc, IMPERFECTS, dt.date(2022, 9, 1))
    film = fc.execute("SELECT slug FROM seasons WHERE kind = 'Film' LIMIT 1").fetchone()[0]
    with pytest.raises(RenewcastError, match="only TV seasons"):
        Forecaster(load_history(fc)).season(film)


def test_model_file_round_trip_and_refusals(fc_store: Store, tmp_path: Path) -> None:
    head, models = forecast.load_models(fc_store)
    # Models are fitted for the (viewing days, days waited) pairs the current forecasts
    # need: features over the days the store covers, trained on seasons that waited as long.
    assert head["format"] == "renewcast-model" and head["version"] == 2
    pairs = [tuple(int(x) for x in key.split("/")) for key in models]
    assert pairs and all(h in HORIZONS and w in HORIZONS and w >= h for h, w in pairs)
    # Today (data to Jul 19, today Dec 1) every awaiting season has waited past day 91.
    assert {w for _, w in pairs} >= {182} and all(isinstance(m, RenewalModel) for m in models.values() if m)
    stranger = tmp_path / "x.model.joblib"
    stranger.write_bytes(b"\x80\x04 not ours")
    with pytest.raises(StoreError, match="not a renewcast model"):
        model_io.load(stranger)
    old = tmp_path / "old.model.joblib"
    model_io.save(old, {"models": {}}, {})
    data = old.read_bytes().replace(b'"version": 2', b'"version": 0', 1)
    old.write_bytes(data)
    with pytest.raises(StoreError, match="renewcast train"):
        model_io.load(old)


def test_training_is_deterministic(fc: duckdb.DuckDBPyConnection) -> None:
    day = dt.date(2024, 3, 1)
    a = Forecaster(load_history(fc), day).board()
    b = Forecaster(load_history(fc), day).board()
    assert json.dumps(a) == json.dumps(b)


def test_cli_show_forecast_and_errors(fc_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENEWCAST_DB", str(fc_store.path))
    runner = CliRunner()
    with fc_store.reading() as con:
        waiting = forecast.board(con)[0]["title"]
    shown = runner.invoke(main, ["show", waiting])
    assert shown.exit_code == 0 and "chance of renewal" in shown.output
    decided = runner.invoke(main, ["show", "The Imperfects"])
    assert decided.exit_code == 0 and "chance of renewal" not in decided.output.split("Track record")[0]
    past = runner.invoke(main, ["show", "The Imperfects", "--as-of", "2022-11-01", "--json"])
    assert past.exit_code == 0 and json.loads(past.output)["forecast"]["status"] == "awaiting"
    board = runner.invoke(main, ["forecast", "--as-of", "2024-03-01", "--json"])
    rows = json.loads(board.output)["board"]
    assert board.exit_code == 0 and rows
    assert {"probability", "in_limbo", "reasons", "days_since_premiere"} <= set(rows[0])
    text = runner.invoke(main, ["forecast"])
    assert text.exit_code == 0 and "most at risk first" in text.output
    bad = runner.invoke(main, ["forecast", "--as-of", "2019-01-01"])
    assert bad.exit_code == 1 and "before the data starts" in bad.output and "Traceback" not in bad.output
    unknown = runner.invoke(main, ["show", "Zzzqx Nonexistent Show", "--as-of", "2023-01-01"])
    assert unknown.exit_code == 1 and "no title matches" in unknown.output


def test_show_without_forecasts_says_how_to_get_them(store_copy: Store) -> None:
    with store_copy.reading() as con:
        waiting = forecast.board(con)[0]["title"]  # a season Netflix still has to decide
    with store_copy.writing() as con:
        con.execute("DROP TABLE forecasts")
    with store_copy.reading() as con, pytest.raises(StoreError, match="renewcast train"):
        forecast.board(con)
    runner = CliRunner()
    out = runner.invoke(main, ["--db", str(store_copy.path), "show", waiting])
    assert out.exit_code == 0 and "no forecast yet" in out.output
