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


def test_the_all_time_lists_link_to_their_seasons(cli_env, built_store) -> None:
    result = CliRunner().invoke(main, ["most-popular", "--json"])
    lists = json.loads(result.output)["lists"]
    assert sorted(lists) == ["Films (English)", "Films (Non-English)", "TV (English)", "TV (Non-English)"]
    assert all(len(rows) == 10 for rows in lists.values())
    squid = next(r for r in lists["TV (Non-English)"] if r["season_title"] == "Squid Game: Season 1")
    assert squid["rank"] == 1 and squid["slug"]
    # Titles that premiered before the weekly lists began have no season page to link to.
    assert next(r for r in lists["Films (English)"] if r["show_title"] == "Bird Box")["slug"] is None
    page = web_client(built_store.path).get("/most-popular").text
    assert f'href="/title/{squid["slug"]}"' in page


def test_billions_read_as_billions() -> None:
    from renewcast.formats import millions

    assert (millions(1_373_600_000), millions(999_994_999), millions(24_070_000)) == ("1.37B", "999.99M", "24.07M")


def test_large_answers_are_gzipped(built_store) -> None:
    client = web_client(built_store.path)
    big = client.get("/api/v1/board", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip" and big.json()["board"]
    small = client.get("/api/v1/titles", params={"q": "zzzz"}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # under 1 KB: not worth it


def test_bulk_endpoints_fit_their_models(built_store) -> None:
    from renewcast import models

    client = web_client(built_store.path)
    page = client.get("/api/v1/seasons", params={"category": "TV (English)", "limit": 5}).json()
    models.SeasonList.model_validate(page)
    assert page["total"] > 500 and len(page["seasons"]) == 5
    assert all(s["category"] == "TV (English)" for s in page["seasons"])
    canceled = client.get("/api/v1/seasons", params={"status": "canceled", "premiered_from": "2022-09-01",
                                                     "premiered_to": "2022-09-30"}).json()
    assert "the-imperfects-season-1" in {s["slug"] for s in canceled["seasons"]}
    assert client.get("/api/v1/seasons", params={"status": "maybe"}).status_code == 422
    decisions = client.get("/api/v1/ledger").json()
    models.LedgerList.model_validate(decisions)
    assert len(decisions["decisions"]) >= 448
    rows = client.get("/api/v1/catalog").json()
    models.CatalogList.model_validate(rows)
    assert len(rows["rows"]) >= 1234


def test_the_feeds_are_valid_atom(built_store) -> None:
    import feedparser

    client = web_client(built_store.path)
    decisions = feedparser.parse(client.get("/feeds/decisions.atom").content)
    assert not decisions.bozo and decisions.version == "atom10"
    dates = [e.updated for e in decisions.entries]
    assert dates == sorted(dates, reverse=True) and len(decisions.entries) == 200
    weeks = feedparser.parse(client.get("/feeds/top10.atom").content)
    assert not weeks.bozo and weeks.entries[0].link.endswith("/week/2026-07-19")
    assert "New No. 1 in TV (English): Little House on the Prairie: Season 1." in weeks.entries[0].summary
    show = feedparser.parse(client.get("/feeds/title/the-imperfects-season-1.atom").content)
    assert [e.title for e in show.entries] == ["Canceled: The Imperfects: Season 1"]
    assert client.get("/feeds/title/no-such-show.atom").status_code == 404
    home = client.get("/").text
    assert '<link rel="alternate" type="application/atom+xml" title="renewcast: renewal decisions" ' \
           'href="/feeds/decisions.atom">' in home


def test_compare_puts_partial_first_weeks_per_day_and_pads_nothing(con) -> None:
    reports = [report.season_report(con, lookup_season(con, q)) for q in ("Squid Game#3", "Wednesday#2")]
    result = report.compare_report(reports)
    ratio = result["ratios"][0]
    days = [s["first_week_days"] for s in result["seasons"]]
    assert days[0] != days[1] and ratio["same_first_week_length"] is False
    views = [s["first_week_views"] for s in result["seasons"]]
    assert ratio["first_week_views_per_day"] == pytest.approx((views[0] / days[0]) / (views[1] / days[1]))
    assert all(any(cell for cell in week["seasons"]) for week in result["weeks"])


def lookup_season(con, query: str) -> dict:
    from renewcast import lookup

    name, _, number = query.partition("#")
    return lookup.resolve(con, name, int(number) if number else None)


def test_country_pages_show_any_covered_week(built_store) -> None:
    client = web_client(built_store.path)
    page = client.get("/country/fr", params={"week": "2022-09-15"})
    assert page.status_code == 200
    assert "France: Netflix Top 10, week of Sep 12 – Sep 18, 2022" in page.text
    assert '<a href="/title/the-imperfects-season-1">The Imperfects: Season 1</a>' in page.text
    assert 'href="/country/FR?week=2022-09-11" rel="prev"' in page.text
    assert "cover the weeks ending 2021-07-04 to 2022-11-13" in page.text
    assert client.get("/country/FR", params={"week": "2024-01-01"}).status_code == 404  # after the coverage
    season = client.get("/title/the-imperfects-season-1").text
    assert 'href="/country/DE?week=' in season and 'href="/country/FR?week=' in season


def test_the_week_index_and_entry_kinds(built_store) -> None:
    client = web_client(built_store.path)
    index = client.get("/api/v1/weeks").json()
    weeks = [w["week"] for w in index["weeks"]]
    assert weeks[0] == "2026-07-19" and weeks[-1] == "2021-07-04" and len(weeks) == len(set(weeks)) == 264
    sept = next(w for w in index["weeks"] if w["week"] == "2022-09-11")
    assert sept["ranked_by"] == "hours" and sept["url"] == "/api/v1/weeks/2022-09-11" and len(sept["no1"]) == 4
    tv = client.get("/api/v1/weeks/2022-09-11").json()["lists"]["TV (English)"]
    imperfects = tv[2]
    assert (imperfects["places_up"], imperfects["entry"]) == (None, "new")  # its first week
    later = client.get("/api/v1/weeks/2022-09-18").json()["lists"]["TV (English)"]
    second = next(r for r in later if r["show_title"] == "The Imperfects")
    assert (second["places_up"], second["entry"]) == (-1, "stayed")  # No. 3 -> No. 4
    for rows in client.get("/api/v1/weeks/2026-07-19").json()["lists"].values():
        for r in rows:
            assert (r["places_up"] is None) == (r["entry"] != "stayed")
            assert r["entry"] != "new" or r["cumulative_weeks_in_top_10"] == 1


def test_charts_show_every_week_and_go_log_when_lines_differ_tenfold(built_store, con) -> None:
    from renewcast.web import charts

    a, b = charts.Series("a", [(1, 10.0)]), charts.Series("b", [(1, 100.0)])
    assert charts.tenfold([a, b]) and not charts.tenfold([a, charts.Series("b", [(1, 99.0)])])
    client = web_client(built_store.path)
    # Squid Game's first season came back to the Top 10 when the second premiered.
    weeks = report.season_report(con, report.lookup.season_by_slug(con, "squid-game-season-1"))["weeks"]
    last = max(w["week_since_premiere"] for w in weeks)
    assert last > 100
    page = client.get("/title/squid-game-season-1").text
    # The first 12 weeks by default, every week on request; the table keeps them all.
    assert "weeks 1 to 12." in page and f"Weeks 1 to 12 of {last}" in page
    every = client.get("/title/squid-game-season-1?weeks=all").text
    assert f"weeks 1 to {last}." in every and "Views (log scale)" not in every  # its peers are its size
    logged = client.get("/title/squid-game-season-1?weeks=all&scale=log").text
    assert f"weeks 1 to {last}; views on a log scale" in logged and "Views (log scale)" in logged
    small = client.get("/title/the-imperfects-season-1").text
    assert "weeks 1 to 4." in small or "weeks 1 to 4;" in small
    assert "Views (log scale)" in client.get("/title/the-imperfects-season-1?scale=log").text
    assert client.get("/title/the-imperfects-season-1?scale=sideways").status_code == 422


def test_a_title_feed_reports_forecast_moves_over_ten_points(store_copy) -> None:
    import feedparser

    with store_copy.writing(changes_data=False) as con:
        con.execute("DELETE FROM forecast_history WHERE slug = 'the-hawk-season-1'")
        for day, p in (("2026-08-01", 0.30), ("2026-08-08", 0.40), ("2026-08-15", 0.51), ("2026-08-22", 0.55)):
            con.execute("INSERT INTO forecast_history VALUES ('the-hawk-season-1', ?, ?, ?)",
                        [day, p, f"{day} 12:00:00"])
    feed = feedparser.parse(web_client(store_copy.path).get("/feeds/title/the-hawk-season-1.atom").content)
    moves = [e.title for e in feed.entries if e.title.startswith("Forecast")]
    # 30 -> 40 is exactly ten points (not news), 40 -> 51 is eleven, 51 -> 55 four.
    assert moves == ["Forecast up: The Hawk: Season 1, 40% -> 51%"]
    assert not feed.bozo


def test_a_season_page_shows_where_it_charted_by_region(built_store) -> None:
    import re

    page = web_client(built_store.path).get("/title/the-imperfects-season-1").text
    cells = re.findall(r'<g class="cell (rank-\w+)"><title>([^<]*)</title>', page)
    assert len(cells) == 94  # every country in Netflix's lists, charted or not
    assert sum(css != "rank-none" for css, _ in cells) == 59
    shade = {title.split(":")[0]: css for css, title in cells}
    assert shade["France"] == shade["Germany"] == shade["Belgium"] == "rank-top3"
    assert any(css == "rank-none" for css, _ in cells)
    regions = re.findall(r'<text class="label" x="0" y="\d+">(\w+)</text>', page)
    assert regions == ["Africa", "Americas", "Asia", "Europe", "Oceania"]


def test_a_season_page_draws_a_world_map_shaded_by_best_rank(built_store) -> None:
    import re

    client = web_client(built_store.path)
    page = client.get("/title/the-imperfects-season-1").text
    assert '<img src="/title/the-imperfects-season-1/map.svg"' in page
    svg = client.get("/title/the-imperfects-season-1/map.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    shaded = dict(re.findall(r'<g id="c-([a-z]{2})" class="(top|mid|pale)">', svg.text))
    # The seed's "performed best in central Europe", on the map: Belgium, France, Hungary top 3.
    assert shaded["fr"] == shaded["be"] == shaded["hu"] == "top"
    # 59 countries charted; the map's shapes lack six of Netflix's 94 (Bahamas, Guadeloupe, Martinique,
    # New Caledonia, Qatar, Trinidad and Tobago): five of them charted, and the list beside names them.
    assert sum(v != "pale" for v in shaded.values()) == 54 and len(shaded) == 88
    assert "prefers-color-scheme:dark" in svg.text and "<script" not in svg.text
    # A season the country lists never covered has no map (and says why).
    assert client.get("/title/castlevania-nocturne-season-2/map.svg").status_code == 404
