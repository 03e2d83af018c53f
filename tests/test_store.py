"""The store: idempotent ingests, Netflix's restatements, and all-or-nothing writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renewcast import lookup
from renewcast.errors import InputError
from renewcast.store import Store

from .conftest import TOP10, sha256
from .test_sources import GLOBAL_HEADER, titles


def counts(store: Store) -> dict[str, int]:
    tables = ["top10_global", "top10_country", "engagement", "most_popular", "seasons", "title_keys"]
    return {t: store.query(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables}


def test_built_store_holds_every_file(built_store: Store) -> None:
    c = counts(built_store)
    assert c["top10_global"] == 10_560
    assert c["top10_country"] == 134_620  # the 2022-11 XLSX is a superset of the 2022-03 TSV
    assert c["most_popular"] == 40
    assert c["engagement"] == 82_114
    reports = built_store.query("SELECT report, published FROM reports ORDER BY report")
    assert [r["report"] for r in reports] == ["2023-H1", "2023-H2", "2024-H1", "2024-H2", "2025-H1"]


def test_ingesting_the_same_file_twice_changes_nothing(store_copy: Store) -> None:
    before = counts(store_copy)
    store_copy.ingest([TOP10 / "all-weeks-global.tsv", TOP10 / "most-popular.tsv"])
    assert counts(store_copy) == before


def test_restated_title_replaces_and_stays_findable(store_copy: Store, tmp_path: Path) -> None:
    """An older download named a slot differently; the newer name wins, the old one is an alias."""
    lines = (TOP10 / "all-weeks-global.tsv").read_text(encoding="utf-8").splitlines()
    old = [line.replace("The Imperfects", "Los Imperfectos") if "The Imperfects" in line else line
           for line in lines]
    older = tmp_path / "older.tsv"
    older.write_text("\n".join(old) + "\n", encoding="utf-8")
    report = store_copy.ingest([older])
    assert report.renamed == 1  # one (show, season) pair renamed, three weekly rows
    assert store_copy.query("SELECT count(*) AS n FROM top10_global WHERE show_title = 'The Imperfects'")[0]["n"] == 0
    report = store_copy.ingest([TOP10 / "all-weeks-global.tsv"])
    rows = store_copy.query("SELECT show_title FROM top10_global WHERE week = '2022-09-11' AND weekly_rank = 3 "
                            "AND category = 'TV (English)'")
    assert rows == [{"show_title": "The Imperfects"}]
    assert counts(store_copy)["top10_global"] == 10_560
    with store_copy.reading() as con:
        assert lookup.resolve(con, "Los Imperfectos")["slug"] == "the-imperfects-season-1"


def test_a_bad_file_among_good_ones_loads_nothing(store_copy: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text(GLOBAL_HEADER + "\n2022-09-11\tTV (English)\tx\tA\tN/A\t1\t\t\t1\n", encoding="utf-8")
    before = sha256(store_copy.path)
    with pytest.raises(InputError, match="line 2, column 'weekly_rank'"):
        store_copy.ingest([TOP10 / "most-popular.tsv", bad])
    assert sha256(store_copy.path) == before


def test_a_crash_half_way_leaves_the_store_as_it_was(store_copy: Store) -> None:
    before = sha256(store_copy.path)
    with pytest.raises(RuntimeError), store_copy.writing() as con:
        con.execute("DELETE FROM top10_global")
        raise RuntimeError("power cut")
    assert sha256(store_copy.path) == before
    assert sorted(p.name for p in store_copy.path.parent.iterdir() if p.suffix != ".lock") == ["copy.duckdb"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.tuples(titles, st.one_of(st.none(), titles)), min_size=1, max_size=10,
                      unique_by=lambda t: t[0]))
def test_titles_round_trip_through_the_store(tmp_path: Path, names: list[tuple[str, str | None]]) -> None:
    names = [*names, ('Say "Hi": Season 1 & more', "Пример: 시즌 1 🎬"), ("N/A-ish", None)]
    lines = [GLOBAL_HEADER] + [
        f"2022-09-{11 + 7 * (i // 10):02d}\tTV (English)\t{i % 10 + 1}\t{show}\t{season or 'N/A'}\t{1000 * (i + 1)}"
        f"\tN/A\tN/A\t1"
        for i, (show, season) in enumerate(names)]
    path = tmp_path / "odd.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Store(tmp_path / f"rt-{abs(hash(tuple(names)))}.duckdb")
    store.ingest([path])
    rows = store.query("SELECT show_title, season_title FROM top10_global ORDER BY weekly_hours_viewed")
    assert [(r["show_title"], r["season_title"]) for r in rows] == names


def test_a_folder_ingest_matches_the_build_and_a_bad_tsv_names_line_and_column(built_store: Store,
                                                                                tmp_path: Path) -> None:
    """A TSV DuckDB refuses is re-read by the strict parser for the one-line error."""
    folders = [TOP10.parent / "netflix-top10", TOP10.parent / "netflix-engagement"]
    store = Store(tmp_path / "folders.duckdb")
    store.ingest(folders)
    assert counts(store) == counts(built_store)
    broken = tmp_path / "broken"
    shutil.copytree(TOP10, broken)
    path = broken / "all-weeks-global.tsv"
    path.write_text(path.read_text(encoding="utf-8").replace("\t3\tThe Imperfects", "\tthree\tThe Imperfects"),
                    encoding="utf-8")
    before = sha256(store.path)
    with pytest.raises(InputError, match=r"all-weeks-global.tsv, line \d+, column 'weekly_rank'"):
        store.ingest([broken])
    assert sha256(store.path) == before


def test_duckdb_reads_the_tsvs_as_the_strict_parser_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path (DuckDB's read_csv) and the strict parser give the same tables."""
    from renewcast import store as store_module

    files = [TOP10 / n for n in ("all-weeks-global.tsv", "all-weeks-global-2025-07-01.tsv",
                                 "all-weeks-countries.tsv", "most-popular.tsv")]
    fast = Store(tmp_path / "fast.duckdb")
    fast.ingest(files)
    monkeypatch.setattr(store_module, "stage_tsv", lambda con, path, table: None)
    strict = Store(tmp_path / "strict.duckdb")
    strict.ingest(files)
    for table in ("top10_global", "top10_country", "most_popular", "title_aliases", "seasons"):
        sql = f"SELECT * FROM {table} ORDER BY ALL"
        assert fast.query(sql) == strict.query(sql), table


def test_a_store_from_an_older_renewcast_is_upgraded_on_open(store_copy: Store) -> None:
    from renewcast import build

    with store_copy.writing() as con:  # what renewcast 0.1 left: schema 1, no derived country table
        con.execute("DROP TABLE season_countries")
        con.execute("DELETE FROM catalog")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    assert store_copy.schema_version() == 1
    build.ensure(store_copy)
    assert store_copy.schema_version() == 3
    assert store_copy.query("SELECT count(*) AS n FROM season_countries")[0]["n"] > 0
    assert store_copy.query("SELECT count(*) AS n FROM catalog")[0]["n"] > 1000
