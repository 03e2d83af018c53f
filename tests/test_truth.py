"""What is true today: the board holds only seasons Netflix still has to decide, decided
seasons lead with their decision, every answer says how old its data is, and the store
is the same whatever order Netflix's publications arrive in."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from renewcast import build, catalog, clock, ledger, report
from renewcast.cli import main
from renewcast.forecast import board
from renewcast.store import Store

from .conftest import TODAY, TOP10, web_client


@pytest.fixture(scope="module")
def board_rows(built_store: Store) -> list[dict]:
    with built_store.reading() as con:
        return board(con)


def test_the_board_holds_no_decided_season(built_store: Store, board_rows: list[dict]) -> None:
    assert board_rows, "the board should not be empty on the bundled data"
    slugs = {r["slug"] for r in board_rows}
    with built_store.reading() as con:
        decided = {slug for (slug,) in con.execute(
            "SELECT slug FROM ledger WHERE slug IS NOT NULL AND outcome <> 'reported' AND announced_date <= ?",
            [TODAY]).fetchall()}
    assert not slugs & decided
    # The ones the issue named: decided months ago, they were at the top of the old board.
    assert not slugs & {"she-the-people-season-1", "miss-governor-season-1", "the-waterfront-season-1"}


def test_the_board_holds_only_seasons_netflix_decides(built_store: Store, board_rows: list[dict]) -> None:
    with built_store.reading() as con:
        labels = catalog.labels_by_slug(con)
    for row in board_rows:
        label = labels[row["slug"]]
        assert label.netflix_decides == "yes", row["title"]
        assert label.run in ("ongoing", "unknown"), row["title"]
        assert not label.live_event, row["title"]
    titles = " | ".join(r["title"] for r in board_rows)
    for licensed in ("The Walking Dead", "Dark Winds", "1883", "Halo", "Prison Break", "Raw: "):
        assert licensed not in titles  # licensed shows, and WWE's weekly live show


def test_board_waits_count_to_today(board_rows: list[dict]) -> None:
    for row in board_rows:
        assert row["as_of"] == TODAY
    with_premiere = [r for r in board_rows if r["timeline"]["days_since_premiere"] > 141]
    assert with_premiere, "seasons that premiered before the last data week have waited over 141 days"


def test_the_board_as_it_stood_then(built_store: Store) -> None:
    with built_store.reading() as con:
        then = board(con, dt.date(2022, 10, 1))
    assert "the-imperfects-season-1" in {r["slug"] for r in then}  # undecided until 2022-11-08
    assert all(r["as_of"] == "2022-10-01" for r in then)


def test_a_decided_season_leads_with_its_decision_in_the_cli(cli_env: Store) -> None:
    result = CliRunner().invoke(main, ["show", "The Imperfects"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith("Canceled after 1 season: announced 2022-11-08")
    assert "chance of renewal" not in result.output.split("Track record")[0]


def test_a_decided_season_leads_with_its_decision_on_the_web(built_store: Store) -> None:
    html = web_client(built_store.path).get("/title/the-imperfects-season-1").text
    head = html.index('id="headline"')
    assert head < html.index('id="weeks"')
    assert "Canceled after 1 season" in html[head:head + 300]
    assert "Chance of renewal:" not in html
    countries = html[html.index('id="countries-h"'):]
    assert "France" in countries and "Germany" in countries and "59 of 94 countries" in countries


def test_show_verdicts(built_store: Store) -> None:
    with built_store.reading() as con:
        assert report.show_verdict(con, "Squid Game") == "Squid Game ended with Season 3."
        assert report.show_verdict(con, "The Imperfects") == "The Imperfects was canceled after Season 1."


def test_a_renewal_whose_season_is_out_is_not_the_shows_news(built_store: Store) -> None:
    """Castlevania: Nocturne's latest decision renewed it for Season 2, which is out and awaits its own."""
    from renewcast.lookup import resolve

    with built_store.reading() as con:
        assert report.show_verdict(con, "Devil May Cry") == "Devil May Cry will end with Season 3."
        second = report.season_report(con, resolve(con, "Castlevania: Nocturne", 2))
        assert second["show_verdict"] is None and "% chance of a Season 3 (plausibly" in second["headline"]
        # Known only by a page read on a day, never dated to the day: still its decision.
        dmc = report.season_report(con, resolve(con, "Devil May Cry", 2))
        assert dmc["headline"] == "Renewed for a final season 3: reported by 2026-12-07, day unknown"
        assert report.show_verdict(con, "The Witcher") == "The Witcher will end with Season 5."
        assert report.season_report(con, resolve(con, "The Witcher", 4))["show_verdict"] == (
            "The Witcher will end with Season 5.")  # Season 5 is not out yet


def test_a_seasons_whole_story_renewed_then_reversed(built_store: Store) -> None:
    with built_store.reading() as con:
        slug = con.execute("SELECT slug FROM seasons WHERE show_title = 'Inside Job' ORDER BY first_week").fetchone()
        assert slug is not None
        status = ledger.status(con, slug[0])
        before = ledger.status(con, slug[0], dt.date(2022, 12, 1))
    assert status is not None and before is not None
    assert [e["outcome"] for e in status["events"]] == ["renewed", "reversed"]
    assert status["outcome"] == "reversed" and before["outcome"] == "renewed"


def test_a_titles_case_never_makes_a_second_decision(store_copy: Store) -> None:
    ledger.add_entry(store_copy, show_title="the imperfects", season=1, outcome="canceled",
                     announced="2022-11-09", source="https://example.org/imperfects", note="test")
    with store_copy.reading() as con:
        rows = con.execute("SELECT show_title, announced FROM ledger WHERE lower(show_title) = 'the imperfects'"
                           ).fetchall()
        old = con.execute("SELECT count(*) FROM ledger_history WHERE lower(show_title) = 'the imperfects'"
                          ).fetchone()
    assert rows == [("the imperfects", "2022-11-09")]
    assert old == (1,)


@pytest.mark.parametrize(("today", "age", "stale"), [("2026-08-02", 14, False), ("2026-08-03", 15, True)])
def test_data_is_called_old_after_fourteen_days(built_store: Store, monkeypatch: pytest.MonkeyPatch,
                                                today: str, age: int, stale: bool) -> None:
    monkeypatch.setenv("RENEWCAST_TODAY", today)
    with built_store.reading() as con:
        known = report.freshness(con)
    assert known["data_through"] == "2026-07-19" and known["data_age_days"] == age
    assert known["stale"] is stale
    assert ("run renewcast refresh" in known["note"]) is stale


def test_every_answer_says_how_old_its_data_is(built_store: Store, cli_env: Store) -> None:
    expected = "Netflix data through Jul 19, 2026, 141 days ago: run renewcast refresh"
    result = CliRunner().invoke(main, ["show", "Squid Game"])
    assert expected in result.output
    client = web_client(built_store.path)
    for path in ("/", "/board", "/title/the-imperfects-season-1", "/track-record", "/search?q=squid"):
        html = client.get(path).text
        assert expected in html, path
        assert 'class="banner stale"' in html, path


def test_fresh_data_shows_no_banner(built_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENEWCAST_TODAY", "2026-07-25")
    html = web_client(built_store.path).get("/").text
    assert "6 days ago" in html and 'class="banner stale"' not in html


def test_today_can_be_pinned_and_must_be_a_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENEWCAST_TODAY", "2030-01-02")
    assert clock.today() == dt.date(2030, 1, 2)
    monkeypatch.setenv("RENEWCAST_TODAY", "soon")
    with pytest.raises(Exception, match="RENEWCAST_TODAY"):
        clock.today()


def _content(path: Path) -> dict[str, list[tuple]]:
    """Every table a user sees, row for row (not the ingest log or the data version)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("top10_global", "most_popular", "title_aliases", "seasons", "title_keys")}
    finally:
        con.close()


def test_publications_in_either_order_give_the_same_store(tmp_path: Path) -> None:
    new, old = TOP10 / "all-weeks-global.tsv", TOP10 / "all-weeks-global-2025-07-01.tsv"
    lists = [TOP10 / "most-popular.tsv", TOP10 / "most-popular-2025-07-01.tsv"]
    one, two = Store(tmp_path / "one.duckdb"), Store(tmp_path / "two.duckdb")
    one.ingest([new, lists[0]])
    one.ingest([old, lists[1]])  # the older publication after the newer one
    two.ingest([old, lists[1]])
    two.ingest([new, lists[0]])
    a, b = _content(one.path), _content(two.path)
    assert a == b
    names = {r[3] for r in a["top10_global"]}
    assert "Miss Governor" in names and "She the People" not in names  # the newer naming
    assert ("She the People", "She the People: Season 1", "Miss Governor", "Miss Governor: Season 1") in {
        r[:4] for r in a["title_aliases"]}


def test_a_first_ingest_builds_the_bundled_store_first(tmp_path: Path) -> None:
    db = tmp_path / "first.duckdb"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--no-train", str(TOP10 / "most-popular.tsv")])
    assert result.exit_code == 0, result.output
    with Store(db).reading() as con:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("engagement", "ledger", "catalog", "top10_country")}
    assert all(n > 0 for n in counts.values()), counts


def test_ingest_empty_makes_a_bare_store(tmp_path: Path) -> None:
    db = tmp_path / "bare.duckdb"
    result = CliRunner().invoke(main, ["--db", str(db), "ingest", "--empty", "--no-train",
                                       str(TOP10 / "most-popular.tsv")])
    assert result.exit_code == 0, result.output
    with Store(db).reading() as con:
        assert con.execute("SELECT count(*) FROM ledger").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM most_popular").fetchone() == (40,)


def test_build_ensure_is_idempotent(built_store: Store) -> None:
    assert build.ensure(built_store) is False


def test_the_home_page_board_says_how_many_wait(built_store: Store, board_rows: list[dict]) -> None:
    html = web_client(built_store.path).get("/").text
    assert re.search(rf"{len(board_rows)} seasons? Netflix still has to decide, as of {TODAY}", html)
    full = web_client(built_store.path).get("/board?sort=waiting").text
    assert full.count('<tr><td><a href="/title/') == len(board_rows)


def test_an_unnumbered_first_season_is_season_1_and_its_renewal_shows(cli_env) -> None:
    result = CliRunner().invoke(main, ["show", "Stranger Things", "--season", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Stranger Things  ·")
    assert lines[1].startswith("Renewed for season 2: announced 2016-08-31. Source: http")
    # Without a ledger row, a later season that charted is the renewal, where Netflix decides...
    later = CliRunner().invoke(main, ["show", "Worst Ex Ever", "--season", "1"]).output.splitlines()
    assert later[1] == "Renewed: season 2 followed (it charted in the Top 10)."
    # ...and never for a licensed show (another network renewed it).
    licensed = CliRunner().invoke(main, ["show", "Wrong Side of the Tracks", "--season", "1"]).output.splitlines()
    assert licensed[1].startswith("Licensed: another network decides")
    found = CliRunner().invoke(main, ["search", "stranger things"]).output.splitlines()[2:7]
    assert [line.split("  ")[0] for line in found] == [
        "Stranger Things", "Stranger Things 2", "Stranger Things 3", "Stranger Things 4", "Stranger Things 5"]


def test_a_bare_show_name_picks_its_latest_season_and_lists_the_others(cli_env) -> None:
    out = CliRunner().invoke(main, ["show", "Bridgerton"]).output.splitlines()
    # The show first (every season and its decision), then its latest season in full.
    assert out[0] == "Bridgerton: 4 seasons in the Top 10"
    rows = [line.split("  ")[0] for line in out if line.startswith("Bridgerton: Season ") and "·" not in line]
    assert rows[:4] == [f"Bridgerton: Season {n}" for n in (1, 2, 3, 4)]
    latest = out.index(next(line for line in out if line.startswith("Bridgerton: Season 4  ·")))
    assert latest > 8
    assert "Other seasons: Bridgerton: Season 1, Bridgerton: Season 2, Bridgerton: Season 3" in out[latest:]
    # A season asked for prints that season alone.
    assert CliRunner().invoke(main, ["show", "Bridgerton#2"]).output.startswith("Bridgerton: Season 2  ·")
