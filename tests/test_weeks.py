"""Any week's Top 10: any day inside the week finds it, ranked as Netflix ranked it then."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from renewcast import report
from renewcast.cli import main

from .conftest import web_client


def test_the_week_the_imperfects_premiered(cli_env) -> None:
    result = CliRunner().invoke(main, ["top10", "--week", "2022-09-11"])
    assert result.exit_code == 0, result.output
    tv = result.output.split("TV (English)\n", 1)[1]
    third = next(line for line in tv.splitlines() if line.lstrip().startswith("3 "))
    assert "The Imperfects: Season 1" in third and "3.37M*" in third and "24.07M" in third
    assert "Ranked by hours, as Netflix ranked before June 2023" in result.output


@pytest.mark.parametrize("day", ["2022-09-05", "2022-09-08", "2022-09-11"])
def test_any_day_inside_the_week_finds_it(con, day: str) -> None:
    week = report.week_lists(con, dt.date.fromisoformat(day))
    assert (week["week_start"], week["week"]) == ("2022-09-05", "2022-09-11")
    assert (week["previous_week"], week["next_week"]) == ("2022-09-04", "2022-09-18")


@pytest.mark.parametrize(("day", "ranked_by"), [("2023-06-18", "hours"), ("2023-06-25", "views")])
def test_ranked_by_views_from_june_2023(con, day: str, ranked_by: str) -> None:
    assert report.week_lists(con, dt.date.fromisoformat(day))["ranked_by"] == ranked_by


def test_a_week_outside_the_data_is_one_line(cli_env) -> None:
    result = CliRunner().invoke(main, ["top10", "--week", "2019-01-01", "--json"])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "no Top 10 week holds 2019-01-01" in result.output


def test_week_pages_and_api(built_store) -> None:
    client = web_client(built_store.path)
    page = client.get("/week/2022-09-08")
    assert page.status_code == 200
    assert 'href="/week/2022-09-04" rel="prev"' in page.text and 'href="/week/2022-09-18" rel="next"' in page.text
    assert "The Imperfects: Season 1" in page.text
    api = client.get("/api/v1/weeks/2022-09-11").json()
    assert [r["show_title"] for r in api["lists"]["TV (English)"]][2] == "The Imperfects"
    assert client.get("/week/2030-01-04").status_code == 404
    newest = json.loads(CliRunner().invoke(main, ["--db", str(built_store.path), "top10", "--json"]).output)
    assert newest["next_week"] is None and newest["previous_week"] == "2026-07-12"
