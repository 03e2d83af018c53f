"""Parsing Netflix's files: every bundled file, both formats, and bad input."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renewcast.errors import InputError
from renewcast.sources import parse_file

from .conftest import ENGAGEMENT, TOP10

GLOBAL_HEADER = ("week\tcategory\tweekly_rank\tshow_title\tseason_title\tweekly_hours_viewed\truntime\t"
                 "weekly_views\tcumulative_weeks_in_top_10")


def test_every_bundled_file_is_recognised() -> None:
    kinds = {p.name: [t.kind for t in parse_file(p)] for p in sorted(TOP10.iterdir())}
    assert kinds == {
        "all-weeks-countries-2022-11.xlsx": ["top10_country"],
        "all-weeks-countries.tsv": ["top10_country"],
        "all-weeks-global-2025-07-01.tsv": ["top10_global"],
        "all-weeks-global.tsv": ["top10_global"],
        "most-popular-2025-07-01.tsv": ["most_popular"],
        "most-popular.tsv": ["most_popular"],
    }


@pytest.mark.parametrize(("name", "report", "sheets"), [
    ("2023Jan-Jun", "2023-H1", ["Mixed"]),
    ("2023Jul-Dec", "2023-H2", ["TV", "Film"]),
    ("2024Jan-Jun", "2024-H1", ["TV", "Film"]),
    ("2024Jul-Dec", "2024-H2", ["TV", "Film"]),
    ("2025Jan-Jun", "2025-H1", ["TV", "Film"]),
])
def test_all_five_engagement_layouts(name: str, report: str, sheets: list[str]) -> None:
    tables = parse_file(ENGAGEMENT / f"What_We_Watched_A_Netflix_Engagement_Report_{name}.xlsx")
    assert [t.meta["report"] for t in tables] == [report] * len(sheets)
    assert [t.meta["sheet_kind"] for t in tables] == sheets
    assert all(t.rows > 5000 for t in tables)


def test_engagement_values_and_original_titles() -> None:
    tv = parse_file(ENGAGEMENT / "What_We_Watched_A_Netflix_Engagement_Report_2024Jul-Dec.xlsx")[0]
    i = tv.columns["title_english"].index("Squid Game: Season 2")
    assert tv.columns["title_original"][i] == "오징어 게임: 시즌 2"
    assert tv.columns["Runtime"][i] == pytest.approx(7 + 10 / 60)
    assert tv.columns["Release Date"][i] == dt.date(2024, 12, 26)
    assert tv.columns["Hours Viewed"][i] == 619_900_000


def test_global_values() -> None:
    table = parse_file(TOP10 / "all-weeks-global.tsv")[0]
    assert table.rows == 10_560
    first = {k: v[0] for k, v in table.columns.items()}
    assert first == {"week": dt.date(2026, 7, 19), "category": "Films (English)", "weekly_rank": 1,
                     "show_title": "Shipwrecked: Nightmare at Sea", "season_title": None,
                     "weekly_hours_viewed": 16_600_000, "runtime": 1.5, "weekly_views": 11_100_000,
                     "cumulative_weeks_in_top_10": 2}


def test_kind_comes_from_columns_not_name(tmp_path: Path) -> None:
    renamed = tmp_path / "something.txt"
    shutil.copyfile(TOP10 / "most-popular.tsv", renamed)
    assert parse_file(renamed)[0].kind == "most_popular"


def test_xlsx_and_tsv_give_the_same_table(tmp_path: Path) -> None:
    lines = (TOP10 / "all-weeks-global.tsv").read_text(encoding="utf-8").splitlines()[:300]
    book = openpyxl.Workbook()
    sheet = book.active
    for line in lines:
        sheet.append(line.split("\t"))
    xlsx = tmp_path / "global.xlsx"
    book.save(xlsx)
    tsv = tmp_path / "global.tsv"
    tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert parse_file(xlsx)[0].columns == parse_file(tsv)[0].columns


def test_extra_columns_are_ignored(tmp_path: Path) -> None:
    lines = (TOP10 / "all-weeks-global.tsv").read_text(encoding="utf-8").splitlines()[:20]
    path = tmp_path / "newer.tsv"
    path.write_text("\n".join(f"{line}\t{'is_staggered_launch' if i == 0 else 'False'}\t"
                              f"{'episode_launch_details' if i == 0 else ''}"
                              for i, line in enumerate(lines)) + "\n", encoding="utf-8")
    table = parse_file(path)[0]
    assert table.rows == 19 and "is_staggered_launch" not in table.columns


def _global_file(tmp_path: Path, *rows: str, header: str = GLOBAL_HEADER) -> Path:
    path = tmp_path / "bad.tsv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


GOOD_ROW = "2022-09-11\tTV (English)\t3\tThe Imperfects\tThe Imperfects: Season 1\t24070000\t\t\t1"


@pytest.mark.parametrize(("row", "line", "column", "words"), [
    (GOOD_ROW.replace("\t3\t", "\tthree\t"), 3, "weekly_rank", "bad value 'three'"),
    (GOOD_ROW.replace("2022-09-11", "2022-09-12"), 3, "week", "not a Sunday"),
    (GOOD_ROW.replace("24070000", "-5"), 3, "weekly_hours_viewed", "negative"),
    (GOOD_ROW.replace("\t3\t", "\t11\t"), 3, "weekly_rank", "outside 1..10"),
    (GOOD_ROW.replace("The Imperfects\tThe", "\tThe"), 3, "show_title", "required"),
])
def test_bad_values_name_line_and_column(tmp_path: Path, row: str, line: int, column: str, words: str) -> None:
    path = _global_file(tmp_path, GOOD_ROW, row)
    with pytest.raises(InputError) as err:
        parse_file(path)
    assert (err.value.line, err.value.column) == (line, column)
    assert words in str(err.value) and str(path) in str(err.value)


def test_missing_column(tmp_path: Path) -> None:
    header = GLOBAL_HEADER.replace("\tweekly_rank", "")
    path = _global_file(tmp_path, GOOD_ROW.replace("\t3\t", "\t"), header=header)
    with pytest.raises(InputError, match="missing column\\(s\\) weekly_rank"):
        parse_file(path)


def test_truncated_file(tmp_path: Path) -> None:
    text = (TOP10 / "all-weeks-global.tsv").read_text(encoding="utf-8")
    path = tmp_path / "cut.tsv"
    path.write_text(text[: len(text) // 2], encoding="utf-8")  # cut mid-row
    with pytest.raises(InputError, match="truncated") as err:
        parse_file(path)
    assert err.value.line is not None


@pytest.mark.parametrize(("content", "words"), [
    (b"", "empty"),
    (b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "HTML"),
    (b"just some words\nwithout tabs\n", "no tab"),
    (GLOBAL_HEADER.encode() + b"\n", "no rows"),
    ((GLOBAL_HEADER + "\n" + GOOD_ROW.replace("Imperfects", "Imperfécts")).encode("latin-1"), "not UTF-8"),
    (b"PK\x03\x04 this is not really a zip file", "corrupt"),
])
def test_unreadable_files(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "file.tsv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=words):
        parse_file(path)


def test_truncated_xlsx(tmp_path: Path) -> None:
    data = (TOP10 / "all-weeks-countries-2022-11.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match="corrupt"):
        parse_file(path)


def test_unknown_header(tmp_path: Path) -> None:
    path = tmp_path / "other.tsv"
    path.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a Netflix"):
        parse_file(path)


# Titles as Netflix writes them: any printable text without tabs or line breaks,
# including quotes, colons, emoji and non-Latin scripts.
titles = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40,
).map(str.strip).filter(lambda t: t not in ("", "N/A"))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(
    # Inside the bounds: Sundays from the first list to the suite's today (2026-12-07).
    st.dates(dt.date(2021, 6, 28), dt.date(2026, 11, 30)).map(lambda d: d + dt.timedelta(days=6 - d.weekday())),
    st.integers(1, 10), titles, st.one_of(st.none(), titles), st.integers(0, 10**10),
    st.one_of(st.none(), st.floats(0.01, 500, allow_nan=False).map(lambda f: round(f, 4))),
    st.one_of(st.none(), st.integers(0, 10**9)), st.integers(1, 200)), min_size=1, max_size=15,
    unique_by=lambda r: (r[0], r[1])))  # one title per (week, rank) slot
def test_tsv_round_trip(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple]) -> None:
    def cell(value: object) -> str:
        return "N/A" if value is None else str(value)

    lines = [GLOBAL_HEADER] + [
        "\t".join([week.isoformat(), "TV (English)", str(rank), show, cell(season), str(hours),
                   cell(runtime), cell(views), str(weeks)])
        for week, rank, show, season, hours, runtime, views, weeks in rows]
    path = tmp_path_factory.mktemp("rt") / "global.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = parse_file(path)[0]
    assert list(zip(*table.columns.values(), strict=True)) == [
        (week, "TV (English)", rank, show, season, hours, runtime, views, weeks)
        for week, rank, show, season, hours, runtime, views, weeks in rows]
