"""The title catalog: every TV show in the global Top 10 labelled, each label resting on
evidence, editable with a history, and bad rows refused whole."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from renewcast import catalog
from renewcast.cli import main
from renewcast.config import BUNDLED_DATA
from renewcast.errors import InputError
from renewcast.store import Store
from renewcast.titles import normalize

from .conftest import sha256, write

HEADER = "show_title,season,netflix_decides,format,run,evidence,source,note\n"


def test_every_tv_show_in_the_global_top10_has_a_row(con) -> None:
    shipped = {e.key[0] for e in catalog.parse_catalog_file(catalog.BUNDLED_CATALOG)}
    shows = {normalize(s) for (s,) in con.execute("SELECT DISTINCT show_title FROM seasons WHERE kind = 'TV'")
             .fetchall()}
    assert shows <= shipped


def test_every_page_label_cites_its_page_and_the_readme_counts_match() -> None:
    entries = catalog.parse_catalog_file(catalog.BUNDLED_CATALOG)
    for e in entries:
        if e.evidence and "page" in e.evidence.split("+"):
            assert e.source and e.source.startswith(("https://", "http://")), e.show_title
    readme = (BUNDLED_DATA / "README.md").read_text(encoding="utf-8")
    for value in catalog.DECIDES:
        n = sum(e.netflix_decides == value for e in entries)
        assert re.search(rf"\| netflix_decides = {value} \| {n:,} \|", readme), value


def test_licensed_and_live_shows_are_labelled(con) -> None:
    labels = {e.show_title: e for e in catalog.parse_catalog_file(catalog.BUNDLED_CATALOG)}
    assert labels["Raw"].format == "sports_live" and labels["Raw"].netflix_decides == "no"  # WWE's weekly show
    for licensed in ("The Walking Dead: The Ones Who Live", "Dark Winds", "1883", "Prison Break"):
        assert labels[licensed].netflix_decides == "no", licensed
    assert labels["The Imperfects"].netflix_decides == "yes"


def test_a_season_row_overrides_its_show(store_copy: Store) -> None:
    catalog.set_entry(store_copy, show_title="Squid Game", season=3, netflix_decides="yes",
                      format="scripted_drama", run="ended", source="https://example.org/final", evidence="page")
    with store_copy.reading() as con:
        s3 = con.execute("SELECT slug FROM seasons WHERE show_title = 'Squid Game' AND season_number = 3"
                         ).fetchone()[0]
        s1 = con.execute("SELECT slug FROM seasons WHERE show_title = 'Squid Game' AND season_number = 1"
                         ).fetchone()[0]
        assert catalog.label_for(con, s3).scope == "season" and catalog.label_for(con, s3).run == "ended"
        assert catalog.label_for(con, s1).scope == "show"


def test_set_keeps_the_old_row_in_history(store_copy: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENEWCAST_DB", str(store_copy.path))
    runner = CliRunner()
    done = runner.invoke(main, ["catalog", "set", "The Imperfects", "--netflix-decides", "no", "--format",
                                "scripted_drama", "--run", "ended", "--source", "https://example.org/x",
                                "--by", "dana", "--no-train"])
    assert done.exit_code == 0, done.output
    assert "Corrected: The Imperfects: netflix_decides=no" in done.output
    hist = runner.invoke(main, ["catalog", "history", "The Imperfects", "--json"])
    import json

    rows = json.loads(hist.output)
    assert [(r["netflix_decides"], r["current"]) for r in rows] == [("yes", False), ("no", True)]
    listed = runner.invoke(main, ["catalog", "list", "--netflix-decides", "no", "--json"])
    assert any(r["show_title"] == "The Imperfects" for r in json.loads(listed.output))


BAD = {
    "label": ("Foo,,maybe,reality,ongoing,,,\n", 2, "netflix_decides"),
    "format": ("Foo,,yes,sitcom,ongoing,,,\n", 2, "format"),
    "page without source": ("Foo,,yes,reality,ongoing,page,,\n", 2, "source"),
    "evidence": ("Foo,,yes,reality,ongoing,hunch,,\n", 2, "evidence"),
    "duplicate": ("Foo,,yes,reality,ongoing,,,\nfoo,,no,reality,ongoing,,,\n", 3, "show_title"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_rows_name_line_and_column_and_change_nothing(store_copy: Store, tmp_path: Path, name: str) -> None:
    body, line, column = BAD[name]
    before = sha256(store_copy.path)
    with pytest.raises(InputError) as err:
        catalog.import_catalog(store_copy, write(tmp_path, HEADER + "Bar,,yes,reality,ongoing,,,\n" + body, "c.csv"))
    assert err.value.line == line + 1 and err.value.column == column
    assert sha256(store_copy.path) == before


def test_the_shipped_file_is_sorted_and_one_row_per_show() -> None:
    with open(catalog.BUNDLED_CATALOG, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    keys = [(normalize(r["show_title"]), r["season"]) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
