"""The typed surface: every report fits its model (so the API's schemas are the truth), the
facade answers in models, and everything in ``renewcast.__all__`` exists."""

from __future__ import annotations

import datetime as dt

import pytest

import renewcast
from renewcast import lookup, models, report
from renewcast.library import Store

from .conftest import TODAY


def test_every_season_report_fits_its_model(con) -> None:
    slugs = [s for (s,) in con.execute("SELECT slug FROM seasons ORDER BY first_week DESC, slug").fetchall()]
    # Every TV season of the last year and a spread of the rest, films included.
    sample = slugs[:400] + slugs[400::25]
    for slug in sample:
        season = lookup.season_by_slug(con, slug)
        models.SeasonReport.model_validate(report.season_report(con, season))


def test_the_api_answers_fit_their_models(con) -> None:
    models.WeekLists.model_validate({**report.latest_week(con), "known": report.freshness(con)})
    rows, note = report.board_or_note(con)
    models.Board.model_validate({"board": rows, "note": note})
    page = report.season_page(con, "the-imperfects-season-1")
    models.SeasonAnswer.model_validate({**page["report"], "forecast": page["forecast"],
                                        "forecast_note": page["forecast_note"]})
    models.Comparison.model_validate(report.compare_report(
        [report.season_report(con, lookup.resolve(con, t)) for t in ("The Imperfects", "Resident Evil")]))


def test_the_facade_answers_in_models(built_store) -> None:
    db = Store(built_store.path)
    imperfects = db.season("the imperfects")
    assert isinstance(imperfects, models.SeasonReport)
    assert imperfects.headline == "Canceled after 1 season: announced 2022-11-08"
    assert imperfects.premiere == dt.date(2022, 9, 8)
    assert [w.hours_viewed for w in imperfects.weeks] == [24_070_000, 35_020_000, 12_760_000]
    assert db.known().today == dt.date.fromisoformat(TODAY)
    assert db.week().week == dt.date(2026, 7, 19)
    board = db.board()
    assert board.board and all(e.status == "awaiting" for e in board.board)
    then = db.board(dt.date(2022, 10, 1))
    assert "the-imperfects-season-1" in {e.slug for e in then.board}
    compared = db.compare("The Imperfects", "Resident Evil")
    assert compared.ratios[0].first_week_views == pytest.approx(0.332, abs=0.001)
    with pytest.raises(renewcast.TitleNotFound):
        db.season("no such show at all")


def test_models_are_frozen(built_store) -> None:
    known = Store(built_store.path).known()
    with pytest.raises(Exception, match="frozen"):
        known.stale = False  # type: ignore[misc]


def test_everything_exported_exists() -> None:
    for name in renewcast.__all__:
        assert getattr(renewcast, name) is not None, name
    assert renewcast.Store is Store


def test_the_api_publishes_the_models_as_its_schemas(built_store) -> None:
    from .conftest import web_client

    spec = web_client(built_store.path).get("/openapi.json").json()
    for path, model in (("/api/v1/seasons/{slug}", "SeasonAnswer"), ("/api/v1/board", "Board"),
                        ("/api/v1/latest-week", "WeekLists"), ("/api/v1/backtest", "BacktestAnswer")):
        schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{model}"}, path
    season = spec["components"]["schemas"]["SeasonAnswer"]
    assert {"headline", "known", "weeks", "ledger", "forecast", "forecast_note"} <= set(season["properties"])
