"""The seeds' figures, reproduced from Netflix's official files (the acceptance test)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from renewcast import lookup, report
from renewcast.cli import main


@pytest.fixture
def imperfects(con) -> dict:
    return report.season_report(con, lookup.resolve(con, "The Imperfects"))


def test_weekly_table_matches_the_seeds(imperfects: dict) -> None:
    weeks = imperfects["weeks"]
    assert [w["hours_viewed"] for w in weeks] == [24_070_000, 35_020_000, 12_760_000]
    assert [w["rank"] for w in weeks] == [3, 4, 9]
    assert [w["week_in_top10"] for w in weeks] == [1, 2, 3]
    assert weeks[0]["change_fraction"] is None
    assert round(weeks[1]["change_fraction"] * 100) == 45
    assert round(weeks[2]["change_fraction"] * 100) == -64
    assert [(w["week_start"], w["week_end"]) for w in weeks] == [
        ("2022-09-05", "2022-09-11"), ("2022-09-12", "2022-09-18"), ("2022-09-19", "2022-09-25")]


def test_totals_premiere_runtime_and_views(imperfects: dict) -> None:
    assert imperfects["top10_hours_total"] == 71_850_000
    assert imperfects["premiere"] == "2022-09-08"
    assert imperfects["runtime"] == "7:09"
    assert imperfects["runtime_hours"] == pytest.approx(7.15)
    # "only 3.4 million CVE" in its first four days
    assert imperfects["first_week_days"] == 4
    assert imperfects["first_week_views"] == pytest.approx(3.4e6, rel=0.02)
    assert imperfects["weeks"][0]["views_source"] == "computed"


def test_a_third_of_resident_evil(con, imperfects: dict) -> None:
    resident_evil = report.season_report(con, lookup.resolve(con, "Resident Evil"))
    result = report.compare_report([imperfects, resident_evil])
    assert result["ratios"][0]["first_week_views"] == pytest.approx(1 / 3, abs=0.03)
    assert [row["week_since_premiere"] for row in result["weeks"]] == [1, 2, 3]


def test_rule_of_thumb_flags_the_imperfects(imperfects: dict) -> None:
    rule = imperfects["rule_of_thumb"]
    assert rule["says_canceled"] is True
    assert round(rule["largest_drop_fraction"] * 100) == -64
    assert rule["week"] == 3


def test_it_performed_best_in_central_europe(imperfects: dict) -> None:
    # The seed: "performed best in regions in central Europe, including France and Germany".
    # The 2022-11 country lists make it checkable: 59 countries, France, Germany, Belgium.
    countries = imperfects["countries"]
    assert countries["covered"] is True
    assert countries["countries_charted"] == 59
    best = {c["country_name"]: c for c in countries["all"]}
    for name in ("France", "Germany", "Belgium"):
        assert name in best
    assert best["France"]["best_rank"] <= 3 and best["Belgium"]["best_rank"] <= 3


def test_cli_prints_the_trade_press_table(cli_env) -> None:
    result = CliRunner().invoke(main, ["show", "The Imperfects"])
    assert result.exit_code == 0, result.output
    for figure in ("24.07M", "35.02M", "12.76M", "+45%", "-64%", "71.85M", "2022-09-08", "7:09", "3.37M"):
        assert figure in result.output
    assert "predicts cancellation" in result.output


def test_cli_json_has_the_documented_keys(cli_env) -> None:
    result = CliRunner().invoke(main, ["show", "The Imperfects", "--json"])
    data = json.loads(result.output)
    for key in ("show_title", "season_title", "category", "premiere", "runtime_hours", "top10_hours_total", "weeks"):
        assert key in data
    assert set(data["weeks"][0]) >= {"week_start", "week_end", "hours_viewed", "change_fraction", "rank",
                                     "week_in_top10", "views"}


def test_cli_compare_says_about_a_third(cli_env) -> None:
    result = CliRunner().invoke(main, ["compare", "The Imperfects", "Resident Evil"])
    assert result.exit_code == 0, result.output
    assert "about a third" in result.output
