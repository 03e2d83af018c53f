"""The walk-forward backtest: honest by construction, and its output shape."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from renewcast import catalog, forecast
from renewcast.cli import main
from renewcast.forecast.backtest import run_backtest
from renewcast.forecast.features import load_history
from renewcast.ledger import BUNDLED_LEDGER
from renewcast.store import Store

LEDGER = BUNDLED_LEDGER  # the shipped, researched decisions


@pytest.fixture(scope="module")
def bt_store(built_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Store:
    from renewcast.ledger import import_ledger

    store = Store(tmp_path_factory.mktemp("backtest") / "bt.duckdb")
    shutil.copyfile(built_store.path, store.path)
    import_ledger(store, LEDGER)
    return store


@pytest.fixture(scope="module")
def result(bt_store: Store) -> dict:
    return forecast.walk_forward(bt_store, 28)


def test_every_forecast_is_made_before_its_decision_from_earlier_decisions(bt_store: Store, result: dict) -> None:
    with bt_store.reading() as con:
        events = con.execute("SELECT slug, s.premiere, announced_date, outcome FROM ledger l JOIN seasons s "
                             "USING (slug) WHERE s.premiere >= DATE '2021-06-28' AND length(announced) = 10 "
                             "AND outcome <> 'reported' ORDER BY announced_date"
                             ).fetchall()
        premieres = dict(con.execute("SELECT slug, premiere FROM seasons").fetchall())
        # Only decisions dated to the day train; only seasons Netflix decides are learnt from and scored.
        decides = {slug for slug, label in catalog.labels_by_slug(con).items() if label.netflix_decides == "yes"}
    assert {p["slug"] for p in result["predictions"]} <= decides
    assert result["n"] == len(result["predictions"]) > 50
    for p in result["predictions"]:
        day = dt.date.fromisoformat(p["predicted_on"])
        assert day == premieres[p["slug"]] + dt.timedelta(days=28)
        assert dt.date.fromisoformat(p["announced"]) > day
        # The model was trained on the Monday on or before the forecast day (weekly refits).
        trained = dt.date.fromisoformat(p["trained_as_of"])
        assert trained.weekday() == 0 and 0 <= (day - trained).days < 7
        # Trained on each season's decision as it stood that day (a renewal later withdrawn
        # counts as the withdrawal once public), for seasons still undecided 28 days in.
        latest: dict[str, tuple] = {}
        for slug, premiere, announced, outcome in events:
            if announced <= trained and slug in decides:
                latest[slug] = (premiere, announced, outcome)
        assert p["trained_on"] == sum(
            1 for premiere, announced, outcome in latest.values()
            if outcome in ("renewed", "renewed_final", "canceled", "reversed")
            and announced > premiere + dt.timedelta(days=28))
        assert 0 <= p["model_probability"] <= 1 and p["rule_probability"] in (0.2, 0.8)


def test_scores_for_each_method_and_breakdowns(result: dict) -> None:
    for method in ("model", "rule", "majority"):
        s = result[method]
        assert {"auc", "accuracy", "brier"} <= set(s) and 0 <= s["brier"] <= 1 and 0 <= s["accuracy"] <= 1
        assert sum(c["n"] for c in s["calibration"]) == result["n"]
        # 95% bootstrap intervals around each figure (the same resampled seasons for every method).
        for figure in ("auc", "accuracy", "brier"):
            low, high = s["interval_95"][figure]
            assert low <= s[figure] <= high and high - low > 0.01
    assert sum(g["n"] for g in result["by_year"]) == result["n"]
    assert {g["language"] for g in result["by_language"]} <= {"English", "Non-English"}
    missed = {m["slug"] for m in result["misses"]}
    assert missed == {p["slug"] for p in result["predictions"] if (p["model_probability"] >= 0.5) != bool(p["renewed"])}
    # The model must beat always-renewed on Brier score (the data supports it).
    assert result["model"]["brier"] < result["majority"]["brier"]


def test_latest_backtest_is_stored_for_the_web(bt_store: Store, result: dict) -> None:
    with bt_store.reading() as con:
        latest = forecast.latest_backtest(con)
    assert latest is not None and latest["n"] == result["n"] and latest["model"] == result["model"]


def test_external_ledger_and_cli_json(bt_store: Store, tmp_path: Path) -> None:
    lines = LEDGER.read_text().splitlines()
    small = tmp_path / "external.csv"
    small.write_text("\n".join(lines[:1] + [ln for ln in lines[1:] if ",2024-" in ln]) + "\n")
    runner = CliRunner()
    out = runner.invoke(main, ["--db", str(bt_store.path), "backtest", "--ledger", str(small),
                               "--horizon-days", "14", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["horizon_days"] == 14 and data["ledger"] == str(small) and data["n"] > 0
    assert all(p["announced"].startswith(("2024", "2025")) for p in data["predictions"])
    for method in ("model", "rule", "majority"):
        assert {"auc", "accuracy", "brier"} <= set(data[method])
    text = runner.invoke(main, ["--db", str(bt_store.path), "backtest", "--horizon-days", "7"])
    assert text.exit_code == 0 and "Misses" in text.output and "Calibration" in text.output


def test_backtest_is_deterministic(bt_store: Store) -> None:
    runs = []
    for _ in range(2):
        with bt_store.reading() as con:
            runs.append(json.dumps(run_backtest(load_history(con), 14)))
    assert runs[0] == runs[1]
