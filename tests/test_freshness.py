"""Stored forecasts know when they are out of date, and the backtest speaks for each season."""

from __future__ import annotations

from click.testing import CliRunner

from renewcast import ledger
from renewcast.cli import main
from renewcast.forecast.service import backtested, stored_forecast, train, walk_forward
from renewcast.store import Store

STALE = "computed before the latest change"


def forecast_of(store: Store, slug: str = "the-imperfects-season-1") -> dict:
    with store.reading() as con:
        found = stored_forecast(con, slug)
    assert found is not None
    return found


def test_forecasts_go_stale_on_new_decisions_and_fresh_on_train(store_copy: Store) -> None:
    assert forecast_of(store_copy)["stale"] is False  # built with the store
    walk_forward(store_copy, 28)  # recording a backtest changes no data
    assert forecast_of(store_copy)["stale"] is False
    ledger.add_entry(store_copy, show_title="Resident Evil", season=1, outcome="canceled", announced="2022-08-26",
                     source="https://example.org/resident-evil-canceled", note="test")
    assert forecast_of(store_copy)["stale"] is True
    train(store_copy)
    assert forecast_of(store_copy)["stale"] is False


def test_show_quotes_what_the_backtest_said_before_the_decision(store_copy: Store) -> None:
    walk_forward(store_copy, 28)
    with store_copy.reading() as con:
        said = backtested(con, "the-imperfects-season-1")
    assert said is not None
    assert said["predicted_on"] == "2022-10-06" and said["outcome"] == "canceled"
    assert said["model_probability"] < 0.5  # the model saw it coming, a month before Netflix said so
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "show", "The Imperfects"])
    assert "Track record: on 2022-10-06 (day 28)" in result.output
    assert STALE not in result.output


def test_cli_writes_retrain_stale_forecasts(store_copy: Store) -> None:
    runner = CliRunner()
    added = runner.invoke(main, ["--db", str(store_copy.path), "ledger", "add", "Resident Evil", "--season", "1",
                                 "--outcome", "canceled", "--announced", "2022-08-26",
                                 "--source", "https://example.org/resident-evil-canceled"])
    assert added.exit_code == 0, added.output
    assert "Retrained the forecasts" in added.output
    assert forecast_of(store_copy)["stale"] is False


def test_no_train_leaves_them_marked_stale(store_copy: Store, tmp_path) -> None:
    from renewcast.config import BUNDLED_DATA

    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "ingest", "--no-train",
                                       str(BUNDLED_DATA / "netflix-top10" / "most-popular.tsv")])
    assert result.exit_code == 0, result.output
    assert "Retrained" not in result.output
    assert forecast_of(store_copy)["stale"] is True
