"""The decision ledger on the real built store: import, corrections, history, strict files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from renewcast import build, catalog, ledger, signals
from renewcast.cli import main
from renewcast.errors import InputError
from renewcast.store import Store, rebuild_derived
from renewcast.titles import normalize

from . import conftest
from .conftest import TODAY, sha256

HEADER = "show_title,season,outcome,announced,source,note,season_title\n"
RE_SOURCE = "https://www.example.com/resident-evil-canceled"
IMPERFECTS = "the-imperfects-season-1"


@pytest.fixture
def store_copy(store_copy: Store) -> Store:
    """The private copy, with no decision yet on the seasons these tests record."""
    with store_copy.writing() as con:
        con.execute("DELETE FROM ledger WHERE show_title IN ('Resident Evil', 'Squid Game')")
    return store_copy


def write(tmp_path: Path, text: str | bytes, name: str = "ledger.csv") -> Path:
    return conftest.write(tmp_path, text, name)


def current(store: Store, show: str, season: int) -> dict:
    rows = store.query("SELECT * FROM ledger WHERE show_title = ? AND season = ?", [show, season])
    assert len(rows) == 1
    return rows[0]


# -- the shipped ledger -------------------------------------------------------------------
def test_fresh_store_holds_the_bundled_imperfects_decision(con) -> None:
    status = ledger.status(con, IMPERFECTS)
    assert status is not None
    assert status["outcome"] == "canceled"
    assert status["announced"] == "2022-11-08"
    assert status["announced_date"] == "2022-11-08"
    assert status["source"].startswith("https://")
    assert status["recorded_by"] == "bundled"
    assert status["season_title"] == "The Imperfects: Season 1"


def test_every_shipped_row_is_loaded(con) -> None:
    shipped = ledger.parse_ledger_file(ledger.BUNDLED_LEDGER)
    stored = {(normalize(r["show_title"]), r["season"], r["outcome"]): r
              for r in ledger.list_entries(con) + ledger.list_entries(con, "reported")}
    assert {e.key for e in shipped} == set(stored)
    for entry in shipped:
        assert stored[entry.key]["announced_date"] == entry.announced_date.isoformat()
        if entry.outcome in ledger.NEEDS_SOURCE:
            assert entry.source and entry.source.startswith(("http://", "https://"))


def test_awaiting_is_the_boards_population(con) -> None:
    from renewcast import status

    today = dt.date.fromisoformat(TODAY)
    waiting = {r["slug"] for r in status.awaiting(con, today, today)}
    decided = {r["slug"] for r in ledger.list_entries(con) if r["slug"]}
    assert IMPERFECTS not in waiting
    assert not waiting & decided
    assert all(catalog.label_for(con, s).awaits_decision for s in waiting)
    assert 50 < len(waiting) < 400  # the board's size, not every undecided TV season (1,165 in 0.3.2)


# -- import, correct, history ----------------------------------------------------------------
def test_import_add_history_round_trip(store_copy: Store, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER
                 + f"Resident Evil,1,canceled,2022-08-26,{RE_SOURCE},canceled after 1 season,"
                 "Resident Evil: Season 1\n"
                 "Squid Game,1,renewed,2022-06,https://www.example.com/squid-game-2,,\n")
    report = ledger.import_ledger(store_copy, path, recorded_by="alice")
    assert (len(report.added), len(report.changed), len(report.unmatched)) == (2, 0, 0)
    assert current(store_copy, "Resident Evil", 1)["slug"] == "resident-evil-season-1"
    squid = current(store_copy, "Squid Game", 1)
    assert squid["slug"] == "squid-game-season-1"  # matched by show and season number
    assert squid["announced"] == "2022-06" and squid["announced_date"] == dt.date(2022, 6, 30)
    assert squid["recorded_by"] == "alice"

    again = ledger.import_ledger(store_copy, path, recorded_by="bob")
    assert (len(again.added), len(again.changed), len(again.unchanged)) == (0, 0, 2)
    assert current(store_copy, "Squid Game", 1)["recorded_by"] == "alice"  # untouched

    fix = ledger.add_entry(store_copy, show_title="Squid Game", season=1, outcome="renewed",
                           announced="2022-06-12", source="https://www.example.com/squid-game-2-official",
                           recorded_by="carol")
    assert len(fix.changed) == 1
    with store_copy.reading() as con:
        rows = ledger.history(con, "squid game")
    assert [(r["announced"], r["current"], r["recorded_by"]) for r in rows] == [
        ("2022-06", False, "alice"), ("2022-06-12", True, "carol")]
    assert rows[0]["replaced_by"] == "carol" and rows[0]["replaced_at"] is not None
    assert store_copy.query("SELECT count(*) AS n FROM ledger WHERE show_title = 'Squid Game'")[0]["n"] == 1


def test_a_corrected_file_keeps_the_old_row_in_history(store_copy: Store, tmp_path: Path) -> None:
    ledger.import_ledger(store_copy, write(tmp_path, HEADER + f"Resident Evil,1,canceled,2022-08,{RE_SOURCE},,\n"),
                         recorded_by="first")
    report = ledger.import_ledger(  # the same event, now dated to the day
        store_copy, write(tmp_path, HEADER + f"Resident Evil,1,canceled,2022-08-26,{RE_SOURCE},,\n", "fix.csv"),
        recorded_by="second")
    assert len(report.changed) == 1
    now = current(store_copy, "Resident Evil", 1)
    assert (now["announced"], now["recorded_by"]) == ("2022-08-26", "second")
    old = store_copy.query("SELECT * FROM ledger_history WHERE show_title = 'Resident Evil'")
    assert [(r["outcome"], r["announced"], r["recorded_by"], r["replaced_by"]) for r in old] == [
        ("canceled", "2022-08", "first", "second")]
    with store_copy.reading() as con:
        status = ledger.status(con, "resident-evil-season-1")
    assert status is not None and status["outcome"] == "canceled"
    assert [h["announced"] for h in status["history"]] == ["2022-08"]


def test_a_new_outcome_is_the_next_event_of_the_story(store_copy: Store, tmp_path: Path) -> None:
    ledger.import_ledger(store_copy, write(tmp_path, HEADER + f"Resident Evil,1,renewed,2022-08-01,{RE_SOURCE},,\n"))
    report = ledger.import_ledger(
        store_copy, write(tmp_path, HEADER + f"Resident Evil,1,reversed,2022-08-26,{RE_SOURCE},,\n", "b.csv"))
    assert len(report.added) == 1 and not report.changed
    with store_copy.reading() as con:
        status = ledger.status(con, "resident-evil-season-1")
        then = ledger.status(con, "resident-evil-season-1", dt.date(2022, 8, 10))
    assert status is not None and then is not None
    assert [e["outcome"] for e in status["events"]] == ["renewed", "reversed"]
    assert (status["outcome"], then["outcome"]) == ("reversed", "renewed")


def test_bundled_row_correction_is_history_too(store_copy: Store, tmp_path: Path) -> None:
    ledger.add_entry(store_copy, show_title="The Imperfects", season=1, outcome="canceled",
                     announced="2022-11", source="https://www.example.com/imperfects",
                     season_title="The Imperfects: Season 1", recorded_by="editor")
    with store_copy.reading() as con:
        rows = ledger.history(con, "The Imperfects: Season 1")
    assert [(r["recorded_by"], r["current"]) for r in rows] == [("bundled", False), ("editor", True)]


def test_tsv_is_detected_by_content(store_copy: Store, tmp_path: Path) -> None:
    tsv = HEADER.replace(",", "\t") + f"Resident Evil\t1\tcanceled\t2022-08-26\t{RE_SOURCE}\tone, two\t\n"
    entries = ledger.parse_ledger_file(write(tmp_path, tsv, "ledger.txt"))
    assert [(e.show_title, e.season, e.note) for e in entries] == [("Resident Evil", 1, "one, two")]


@pytest.mark.parametrize(("text", "expected"), [
    ("2023-02", dt.date(2023, 2, 28)),
    ("2024-02", dt.date(2024, 2, 29)),
    ("2022-12", dt.date(2022, 12, 31)),
    ("2022-11-08", dt.date(2022, 11, 8)),
])
def test_month_only_dates_mean_the_last_day(tmp_path: Path, text: str, expected: dt.date) -> None:
    entry, = ledger.parse_ledger_file(write(tmp_path, HEADER + f"X,1,canceled,{text},{RE_SOURCE},,\n"))
    assert (entry.announced, entry.announced_date) == (text, expected)


def test_month_only_date_in_the_store(store_copy: Store) -> None:
    ledger.add_entry(store_copy, show_title="Resident Evil", season=1, outcome="canceled", announced="2022-08",
                     source=RE_SOURCE)
    row = current(store_copy, "Resident Evil", 1)
    assert (row["announced"], row["announced_date"]) == ("2022-08", dt.date(2022, 8, 31))


# -- seasons that never charted --------------------------------------------------------------
def test_a_season_that_never_charted_is_kept_and_flagged(store_copy: Store, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "Resident Evil,2,canceled,2022-08-26,https://www.example.com/re2,,\n"
                 f"Resident Evil,1,canceled,2022-08-26,{RE_SOURCE},,\n")
    report = ledger.import_ledger(store_copy, path)
    assert [(e.show_title, e.season) for e in report.unmatched] == [("Resident Evil", 2)]
    with store_copy.reading() as con:
        rows = {(r["show_title"], r["season"]): r for r in ledger.list_entries(con, "canceled")}
    assert rows[("Resident Evil", 2)]["slug"] is None
    assert rows[("Resident Evil", 2)]["flag"] == ledger.NOT_CHARTED
    assert rows[("Resident Evil", 1)]["charted"] and "flag" not in rows[("Resident Evil", 1)]


def test_slugs_follow_a_rebuild_of_the_seasons(store_copy: Store) -> None:
    ledger.add_entry(store_copy, show_title="Resident Evil", season=1, outcome="canceled",
                     announced="2022-08-26", source=RE_SOURCE)
    with store_copy.writing() as con:
        con.execute("UPDATE ledger SET slug = NULL")
        con.execute("UPDATE signals SET slug = 'stale'")
        rebuild_derived(con)
        build.rematch(con)
    assert current(store_copy, "Resident Evil", 1)["slug"] == "resident-evil-season-1"
    assert current(store_copy, "The Imperfects", 1)["slug"] == IMPERFECTS
    slugs = {r["slug"] for r in store_copy.query("SELECT slug FROM signals")}
    assert IMPERFECTS in slugs and "stale" not in slugs


# -- malformed files: one line, one column, nothing written ------------------------------------
GOOD = f"Resident Evil,1,canceled,2022-08-26,{RE_SOURCE},,\n"
BAD_FILES = {
    "bad outcome": (HEADER + GOOD + f"Squid Game,1,cancelled,2022-06,{RE_SOURCE},,\n", 3, "outcome", "canceled"),
    "bad date": (HEADER + f"Squid Game,1,renewed,2022-13-01,{RE_SOURCE},,\n", 2, "announced", "not a real date"),
    "not a date": (HEADER + GOOD + f"Squid Game,1,renewed,June 2022,{RE_SOURCE},,\n", 3, "announced", "YYYY-MM"),
    "future date": (HEADER + f"Squid Game,1,renewed,2999-01-01,{RE_SOURCE},,\n", 2, "announced", "future"),
    "missing source": (HEADER + GOOD + "Squid Game,1,renewed,2022-06,,,\n", 3, "source", "needs its source"),
    "source not http": (HEADER + "Squid Game,1,final,2022-06,www.example.com,,\n", 2, "source", "http(s)"),
    "bad season": (HEADER + f"Squid Game,one,renewed,2022-06,{RE_SOURCE},,\n", 2, "season", "season number"),
    "empty title": (HEADER + f",1,renewed,2022-06,{RE_SOURCE},,\n", 2, "show_title", "empty"),
    "wrong column": (HEADER.replace("announced", "date"), 1, "date", "allowed columns"),
    "duplicate season": (HEADER + GOOD + GOOD, 3, "season", "already on line 2"),
    "too many fields": (HEADER + GOOD + f"Squid Game,1,renewed,2022-06,{RE_SOURCE},a,b,c\n", 3, None, "8 fields"),
    "not utf-8": ((HEADER + GOOD).encode() + f"Élite,1,renewed,2022-06,{RE_SOURCE},Série,\n".encode("latin-1"),
                  3, "show_title", "UTF-8"),
    "not utf-8 in a note": ((HEADER + GOOD).encode() + f"Elite,1,renewed,2022-06,{RE_SOURCE},Série,\n"
                            .encode("latin-1"), 3, "note", "UTF-8"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_malformed_rows_name_line_and_column_and_change_nothing(store_copy: Store, tmp_path: Path,
                                                                 case: str) -> None:
    text, line, column, words = BAD_FILES[case]
    path = write(tmp_path, text)
    before = sha256(store_copy.path)
    with pytest.raises(InputError) as caught:
        ledger.import_ledger(store_copy, path, recorded_by="test")
    err = caught.value
    assert (err.path, err.line, err.column) == (str(path), line, column)
    assert words in str(err)
    assert f"line {line}" in str(err)
    assert sha256(store_copy.path) == before


def test_missing_required_column(tmp_path: Path) -> None:
    path = write(tmp_path, "show_title,season,outcome,announced\nX,1,limited,2022-01\n")
    with pytest.raises(InputError, match="missing column 'source'"):
        ledger.parse_ledger_file(path)


def test_add_refuses_a_source_that_is_not_http(store_copy: Store) -> None:
    before = sha256(store_copy.path)
    with pytest.raises(InputError, match="not an http"):
        ledger.add_entry(store_copy, show_title="Resident Evil", season=1, outcome="renewed",
                         announced="2022-08", source="ftp://example.com/x")
    assert sha256(store_copy.path) == before


# -- the command line ----------------------------------------------------------------------------
def test_show_prints_the_decision_and_signals(cli_env: Store) -> None:
    result = CliRunner().invoke(main, ["show", "The Imperfects"])
    assert result.exit_code == 0, result.output
    assert "Canceled after 1 season: announced 2022-11-08. Source: https://comicbook.com/" in result.output
    assert "petition signatures 1,300 on change.org (2022-11)" in result.output
    assert "IMDb rating 6.1/10" in result.output
    data = json.loads(CliRunner().invoke(main, ["show", "The Imperfects", "--json"]).output)
    assert data["ledger"]["outcome"] == "canceled"
    assert {s["kind"] for s in data["signals"]} >= {"petition_signatures", "rt_audience", "imdb_rating"}


def test_show_says_awaiting_without_a_decision(cli_env: Store, con) -> None:
    from renewcast import status

    today = dt.date.fromisoformat(TODAY)
    slug = next(r["slug"] for r in status.awaiting(con, today, today))
    result = CliRunner().invoke(main, ["show", slug])
    assert result.exit_code == 0, result.output
    # The answer first: its odds while Netflix still has to decide.
    assert "% chance of a Season " in result.output.splitlines()[1]
    assert result.output.splitlines()[2].startswith("Main reason: ")
    film = con.execute("SELECT slug FROM seasons WHERE kind = 'Film' LIMIT 1").fetchone()[0]
    assert json.loads(CliRunner().invoke(main, ["show", film, "--json"]).output)["ledger"] is None


def test_cli_add_import_list_history(store_copy: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENEWCAST_DB", str(store_copy.path))
    runner = CliRunner()
    added = runner.invoke(main, ["ledger", "add", "Resident Evil", "--season", "1", "--outcome", "canceled",
                                 "--announced", "2022-08-26", "--source", RE_SOURCE, "--by", "dana"])
    assert added.exit_code == 0, added.output
    assert "Recorded: Resident Evil: Season 1 canceled" in added.output

    refused = runner.invoke(main, ["ledger", "add", "Resident Evil", "--season", "1", "--outcome", "renewed",
                                   "--announced", "2022-08", "--source", "not-a-url"])
    assert refused.exit_code == 1
    assert refused.output.count("\n") == 1 and "column 'source'" in refused.output

    path = write(tmp_path, HEADER + "Resident Evil,1,canceled,2022-08,https://www.example.com/other,,\n"
                 "Made Up Show,1,canceled,2022-01-05,https://www.example.com/made-up,,\n")
    imported = runner.invoke(main, ["ledger", "import", str(path), "--by", "erin"])
    assert imported.exit_code == 0, imported.output
    assert "1 added, 1 changed" in imported.output
    assert "not in the Top 10" in imported.output and "Made Up Show season 1" in imported.output

    listed = runner.invoke(main, ["ledger", "list", "--outcome", "canceled"])
    made_up = next(line for line in listed.output.splitlines() if line.startswith("Made Up Show"))
    assert made_up.rstrip().endswith(ledger.NOT_CHARTED)
    rows = json.loads(runner.invoke(main, ["ledger", "list", "--json"]).output)
    assert {r["show_title"] for r in rows} >= {"Resident Evil", "Made Up Show", "The Imperfects"}

    history = runner.invoke(main, ["ledger", "history", "Resident Evil"])
    assert history.exit_code == 0, history.output
    assert "replaced" in history.output and "by erin" in history.output and "current" in history.output

    waiting = runner.invoke(main, ["ledger", "list", "--awaiting", "--json"])
    assert "resident-evil-season-1" not in {r["slug"] for r in json.loads(waiting.output)}


def test_cli_import_of_a_bad_file_is_one_line(cli_env: Store, tmp_path: Path) -> None:
    before = sha256(cli_env.path)
    path = write(tmp_path, HEADER + "Squid Game,1,renewd,2022-06,https://www.example.com/x,,\n")
    result = CliRunner().invoke(main, ["ledger", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {path}, line 2, column 'outcome': 'renewd' is not allowed "
        "(one of: renewed, renewed_final, canceled, final, reversed, limited, reported)")
    assert sha256(cli_env.path) == before


def test_cli_outcome_choices_match_the_library() -> None:
    from renewcast import cli

    assert tuple(cli._OUTCOMES) == ledger.OUTCOMES


def test_list_filters_by_status(con) -> None:
    assert all(r["outcome"] == "canceled" for r in ledger.list_entries(con, "canceled"))
    assert all(r["outcome"] != "reported" for r in ledger.list_entries(con))
    with pytest.raises(InputError, match="renewed_final, canceled, final, reversed, limited, reported"):
        ledger.list_entries(con, "maybe")


def test_cli_import_without_a_file_loads_the_shipped_ledger(store_copy: Store,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENEWCAST_DB", str(store_copy.path))
    with store_copy.writing() as con:  # an older store, built before the ledger shipped
        con.execute("DELETE FROM ledger")
        con.execute("DELETE FROM signals")
    for group in ("ledger", "signal"):
        result = CliRunner().invoke(main, [group, "import"])
        assert result.exit_code == 0, result.output
        assert "added" in result.output
    shipped = ledger.parse_ledger_file(ledger.BUNDLED_LEDGER)
    assert store_copy.query("SELECT count(*) AS n FROM ledger")[0]["n"] == len(shipped)
    assert store_copy.query("SELECT recorded_by FROM ledger LIMIT 1")[0]["recorded_by"] == "bundled"
    shipped_signals = signals.parse_signals_file(signals.BUNDLED_SIGNALS)
    assert store_copy.query("SELECT count(*) AS n FROM signals")[0]["n"] == len(shipped_signals)
