"""Fan and critic signals on the real built store: the seeds' figures, imports, strict files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from renewcast import signals
from renewcast.cli import main
from renewcast.errors import InputError
from renewcast.store import Store

from . import conftest
from .conftest import sha256

HEADER = "show_title,season,kind,value,observed,platform,url,note\n"
IMPERFECTS = "the-imperfects-season-1"


def write(tmp_path: Path, text: str | bytes, name: str = "signals.csv") -> Path:
    return conftest.write(tmp_path, text, name)


def test_fresh_store_holds_the_seeds_figures(con) -> None:
    found = {(s["kind"], s["platform"]): (s["value"], s["observed"]) for s in signals.for_season(con, IMPERFECTS)}
    assert found == {
        ("petition_signatures", "change.org"): (1300, "2022-11"),
        ("rt_audience", None): (79, "2022-11-08"),
        ("imdb_rating", None): (6.1, "2022-11-08"),
        ("imdb_votes", None): (1500, "2022-11-08"),
        ("hashtag_views", "tiktok"): (9_000_000, "2022-11"),
        ("social_posts", "instagram"): (1000, "2022-11"),
    }


def test_as_of_hides_what_was_not_yet_public(con) -> None:
    def kinds(day: dt.date) -> set[str]:
        return {s["kind"] for s in signals.for_season(con, IMPERFECTS, as_of=day)}

    assert kinds(dt.date(2022, 10, 31)) == set()
    # '2022-11' counts from the month's last day; the dated figures from their day.
    assert kinds(dt.date(2022, 11, 8)) == {"rt_audience", "imdb_rating", "imdb_votes"}
    assert len(kinds(dt.date(2022, 11, 30))) == 6


def test_import_add_round_trip(store_copy: Store, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "Resident Evil,1,imdb_rating,4.1,2022-07-20,,https://www.imdb.com/title/x/,\n"
                 'Resident Evil,1,petition_signatures,"12,500",2022-08,change.org,,save it\n')
    report = signals.import_signals(store_copy, path)
    assert (len(report.added), len(report.unmatched)) == (2, 0)
    assert (len(signals.import_signals(store_copy, path).unchanged)) == 2

    update = signals.add_signal(store_copy, show_title="Resident Evil", season=1, kind="petition_signatures",
                                value="13000", observed="2022-08", platform="Change.org", note="save it")
    assert len(update.changed) == 1  # same season, kind, platform and date: the value is replaced
    with store_copy.reading() as con:
        found = signals.for_season(con, "resident-evil-season-1")
        listed = signals.list_signals(con, "resident evil")
    assert [(s["kind"], s["value"], s["observed_date"]) for s in found] == [
        ("imdb_rating", 4.1, "2022-07-20"), ("petition_signatures", 13000, "2022-08-31")]
    assert found == listed


def test_a_season_that_never_charted_is_kept(store_copy: Store, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "Resident Evil,2,petition_signatures,50000,2022-09,change.org,,\n")
    report = signals.import_signals(store_copy, path)
    assert [(o.show_title, o.season) for o in report.unmatched] == [("Resident Evil", 2)]
    with store_copy.reading() as con:
        row, = signals.list_signals(con, "Resident Evil")
    assert row["slug"] is None and not row["charted"]


GOOD = "Resident Evil,1,imdb_rating,4.1,2022-07-20,,,\n"
BAD_FILES = {
    "unknown kind": (HEADER + GOOD + "Resident Evil,1,likes,10,2022-07-20,,,\n", 3, "kind", "imdb_rating"),
    "rating out of range": (HEADER + "Resident Evil,1,imdb_rating,41,2022-07-20,,,\n", 2, "value", "0 to 10"),
    "not a number": (HEADER + "Resident Evil,1,imdb_votes,many,2022-07-20,,,\n", 2, "value", "not a number"),
    "count not whole": (HEADER + "Resident Evil,1,imdb_votes,1.5,2022-07-20,,,\n", 2, "value", "whole"),
    "bad date": (HEADER + GOOD + "Resident Evil,1,imdb_votes,15,2022-02-30,,,\n", 3, "observed", "real date"),
    "bad url": (HEADER + "Resident Evil,1,imdb_votes,15,2022-02,,imdb.com,\n", 2, "url", "http(s)"),
    "wrong column": (HEADER.replace("platform", "site") + GOOD, 1, "site", "allowed columns"),
    "duplicate": (HEADER + GOOD + GOOD, 3, "observed", "already on line 2"),
    "not utf-8": ((HEADER + GOOD).encode() + "Resident Evil,1,imdb_votes,15,2022-02,,,vidéo\n".encode("latin-1"),
                  3, "note", "UTF-8"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_malformed_rows_name_line_and_column_and_change_nothing(store_copy: Store, tmp_path: Path,
                                                                 case: str) -> None:
    text, line, column, words = BAD_FILES[case]
    path = write(tmp_path, text)
    before = sha256(store_copy.path)
    with pytest.raises(InputError) as caught:
        signals.import_signals(store_copy, path)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert words in str(caught.value) and str(path) in str(caught.value)
    assert sha256(store_copy.path) == before


def test_shipped_signals_file_parses() -> None:
    observations = signals.parse_signals_file(signals.BUNDLED_SIGNALS)
    assert {o.show_title for o in observations} >= {"The Imperfects"}
    assert all(o.url is None or o.url.startswith("http") for o in observations)


def test_cli_signal_add_import_list(store_copy: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENEWCAST_DB", str(store_copy.path))
    runner = CliRunner()
    added = runner.invoke(main, ["signal", "add", "Resident Evil", "--season", "1", "--kind", "rt_audience",
                                 "--value", "27", "--observed", "2022-07-20"])
    assert added.exit_code == 0, added.output
    assert "Recorded: Resident Evil: Season 1 rt_audience = 27" in added.output

    bad = runner.invoke(main, ["signal", "add", "Resident Evil", "--season", "1", "--kind", "rt_audience",
                               "--value", "270", "--observed", "2022-07-20"])
    assert bad.exit_code == 1 and "out of range" in bad.output and bad.output.count("\n") == 1

    path = write(tmp_path, HEADER.replace(",", "\t")
                 + "Resident Evil\t1\thashtag_views\t1000000\t2022-08\ttiktok\t\t\n")
    imported = runner.invoke(main, ["signal", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    assert "1 added" in imported.output

    listed = runner.invoke(main, ["signal", "list", "Resident Evil"])
    assert "Rotten Tomatoes audience 27%" in listed.output and "hashtag views 1,000,000" in listed.output
    everything = json.loads(runner.invoke(main, ["signal", "list", "--json"]).output)
    assert {IMPERFECTS, "resident-evil-season-1", "cowboy-bebop-season-1"} <= {s["slug"] for s in everything}
    assert "No signals recorded" in runner.invoke(main, ["signal", "list", "Squid Game"]).output
