"""What makes a forecast trustworthy: signs, intervals, calibration, waiting, what it would take."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import duckdb
import numpy as np
import pytest

from renewcast.forecast import hazard
from renewcast.forecast.core import Forecaster, format_group, netflix_decides
from renewcast.forecast.features import FEATURES, VOLUME, load_history
from renewcast.forecast.model import RenewalModel, SignedLogistic
from renewcast.store import Store
from renewcast.web.db import Database


@pytest.fixture(scope="module")
def forecaster(built_store: Store) -> Iterator[Forecaster]:
    with built_store.reading() as con:
        history = load_history(con)
    yield Forecaster(history)


@pytest.fixture(scope="module")
def board(forecaster: Forecaster) -> list[dict]:
    return forecaster.board()


def test_views_never_lower_the_odds(forecaster: Forecaster, board: list[dict]) -> None:
    signed = [i for i, name in enumerate(FEATURES) if name in VOLUME]
    for fit in forecaster._fitted.values():
        if fit.model is not None:
            assert (fit.model.core_.coef_[signed] >= 0).all()
    for row in board:
        for reason in row["reasons"]:
            if reason["feature"] in VOLUME:
                # A volume reason never says it lowers the odds: below the average season it
                # lifts them less than most (its weight is never negative).
                assert not reason["text"].endswith("lowers the odds")
                assert reason["effect"] > 0 or reason["text"].endswith("lifts the odds less than most")


def test_the_sign_constraint_drops_a_negative_volume_weight() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] - x[:, 1] + rng.normal(size=400) > 0).astype(int)  # column 1 truly lowers the odds
    free = SignedLogistic().fit(x, y)
    signed = SignedLogistic(nonnegative=(1,)).fit(x, y)
    assert free.coef_[1] < 0 and signed.coef_[1] == 0.0 and signed.coef_[0] > 0


def test_every_board_forecast_has_an_interval_around_it(board: list[dict]) -> None:
    assert board
    for row in board:
        low, high = row["interval_95"]
        assert 0 <= low <= row["probability"] <= high <= 1
    assert any(high - low > 0.05 for low, high in (r["interval_95"] for r in board))


def test_only_seasons_netflix_decides_are_learnt_from(forecaster: Forecaster) -> None:
    h = forecaster.history
    for fit in forecaster._fitted.values():
        assert all(netflix_decides(h, t["slug"]) for t in fit.train)


def test_calibration_is_fitted_inside_training() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 3))
    y = (2 * x[:, 0] + rng.normal(size=300) > 1).astype(int)
    model = RenewalModel().fit(x, y)
    assert model.calibrated_ is not None  # Platt scaling on out-of-fold scores
    p = model.predict_proba(x)[:, 1]
    # The map is monotone: the core's order survives calibration.
    order = np.argsort(model.core_.decision_function(x))
    assert (np.diff(p[order]) >= -1e-12).all()
    assert RenewalModel(calibration=None).fit(x, y).calibrated_ is None


def test_waits_give_exact_aalen_johansen_odds() -> None:
    # Five seasons undecided on day 10: decided on days 20 (renewed), 25 (canceled) and
    # 200 (renewed); two still waiting, on day 50 and day 300.
    w = hazard.Waits(days=np.array([20, 25, 200, 50, 300]), decided=np.array([1, 1, 1, 0, 0]),
                     canceled=np.array([0, 1, 0, 0, 0]))
    decision, cancel = w.within(10, 30)  # days 11-40: two of five decided, one canceled
    assert decision == pytest.approx(2 / 5) and cancel == pytest.approx(1 / 5)
    # Days 11-200: then 1 of the 2 still at risk on day 200 (the day-50 one left censored).
    decision, cancel = w.within(10, 190)
    assert decision == pytest.approx(2 / 5 + 3 / 5 * 1 / 2) and cancel == pytest.approx(1 / 5)
    assert w.within(10, 9) == (0.0, 0.0)  # nothing before day 20
    assert w.at_risk(25) == 3


def test_reasons_are_in_plain_words(board: list[dict]) -> None:
    texts = [r["text"] for row in board for r in row["reasons"]]
    texts += [row["what_it_would_take"]["text"] for row in board if row.get("what_it_would_take")]
    assert texts and not [t for t in texts if "(s)" in t]
    seasons = {r["text"].split(":")[0] for row in board for r in row["reasons"] if r["feature"] == "log_season_number"}
    # The board has first, second and later seasons: each says its count in words.
    assert {"season 1 (a first season)", "season 2 (renewed once before)", "season 3 (renewed twice before)"} <= seasons


def test_board_rows_carry_decision_odds(board: list[dict], forecaster: Forecaster) -> None:
    for row in board:
        odds = row["decision_odds"]
        assert odds["days_waited"] == row["timeline"]["days_since_premiere"]
        d30, d90 = odds["within_30_days"], odds["within_90_days"]
        assert 0 <= d30["canceled"] <= d30["decision"] <= d90["decision"] <= 1 and d30["canceled"] <= d90["canceled"]
        group = format_group(forecaster.history, row["slug"])
        assert odds["compared_with"] in (group, "all")


def test_what_it_would_take_lifts_the_forecast_past_half_at_its_boundary(forecaster: Forecaster) -> None:
    # On 2025-10-14 the newest week (Oct 12) had House of Guinness charting, under 50%.
    h = forecaster.history
    then = Forecaster(h, dt.date(2025, 10, 14))
    board = then.board()
    takes = [r for r in board if r["what_it_would_take"]]
    assert takes and all(r["probability"] < 0.5 for r in takes)
    row = next(r for r in takes if r["title"] == "House of Guinness: Season 1")
    take = row["what_it_would_take"]
    assert row["title"] == "House of Guinness: Season 1" and "would lift the forecast past 50%" in take["text"]
    s, rows = h.seasons[row["slug"]], [r for r in h.weeks[row["slug"]] if r["week"] <= dt.date(2025, 10, 12)]
    through = dt.date.fromisoformat(take["through"])
    fit = then.fitted(take["horizon_days"], max(take["horizon_days"], row["waited_days"]))
    weeks = [dt.date(2025, 10, 19) + dt.timedelta(days=7 * i) for i in range(take["weeks"])]
    runtime = rows[-1]["runtime"] or s["runtime_hours"] or 1.0

    def chance(views: float) -> float:
        import dataclasses

        from renewcast.forecast.features import season_features, vector

        extra = [{**rows[-1], "week": w, "weekly_views": round(views), "weekly_hours_viewed": round(views * runtime),
                  "cumulative_weeks_in_top_10": rows[-1]["cumulative_weeks_in_top_10"] + i + 1}
                 for i, w in enumerate(weeks)]
        what_if = dataclasses.replace(h, weeks={**h.weeks, row["slug"]: rows + extra}, last_week=through,
                                      _cache={}, _extra={})
        return float(fit.proba(np.array([vector(season_features(what_if, row["slug"], take["horizon_days"],
                                                                max(then.as_of, through)))]))[0])

    assert chance(take["views_per_week"] * 1.02) >= 0.5 > chance(take["views_per_week"] * 0.98)
    assert chance(0) < 0.5


def test_a_get_never_computes_a_live_forecast(built_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from renewcast.forecast import core

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a live forecast was computed on a GET")

    monkeypatch.setattr(core.Forecaster, "__init__", refuse)
    from .conftest import web_client

    client = web_client(built_store.path)
    with built_store.reading() as con:
        old = con.execute("SELECT slug FROM seasons WHERE kind = 'TV' AND premiere < DATE '2021-06-01' "
                          "AND slug NOT IN (SELECT slug FROM forecasts) LIMIT 1").fetchone()[0]
    assert client.get(f"/title/{old}").status_code == 200
    api = client.get(f"/api/v1/seasons/{old}").json()
    assert api["forecast"] is None and api["forecast_note"].startswith("no forecast")


def test_concurrent_requests_for_one_page_compute_it_once(built_store: Store) -> None:
    db = Database(built_store.path)
    calls = []

    def slow(con: duckdb.DuckDBPyConnection) -> int:
        calls.append(1)
        time.sleep(0.3)
        return int(con.execute("SELECT count(*) FROM seasons").fetchone()[0])  # type: ignore[index]

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(db.cached(("slow",), slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.close()
    assert len(calls) == 1 and len(set(results)) == 1 and len(results) == 8
