"""Input outside the bounds (sources/bounds.py) is refused with one line naming the file,
line and column, exit 1, and the store byte-identical: never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from renewcast import ledger
from renewcast.cli import main
from renewcast.store import Store

from .conftest import sha256

HEADER = ("week\tcategory\tweekly_rank\tshow_title\tseason_title\tweekly_hours_viewed\truntime\tweekly_views\t"
          "cumulative_weeks_in_top_10\n")
GOOD = "2026-07-26\tTV (English)\t1\tA Show\tA Show: Season 1\t50000000\t5.0\t10000000\t1\n"

CASES = {
    # A Sunday, but 72 years ahead: it used to retrain forecasts "as of 2099" and empty the board.
    "a week in 2099": ("2099-06-28\tTV (English)\t1\tA Show\tA Show: Season 1\t50000000\t5.0\t10000000\t1\n",
                       2, "week", "in the future"),
    "a week before the lists began": ("2021-06-20\tTV (English)\t1\tA\tA: Season 1\t5\t5.0\t1\t1\n",
                                      2, "week", "before Netflix's first Top 10 week"),
    "25-digit hours": ("2026-07-26\tTV (English)\t1\tA Show\tA Show: Season 1\t1234567890123456789012345\t5.0\t1\t1\n",
                       2, "weekly_hours_viewed", "not a real figure"),
    "infinite runtime": ("2026-07-26\tTV (English)\t1\tA Show\tA Show: Season 1\t500\tinf\t1\t1\n",
                         2, "runtime", "not a runtime"),
    "rank 11": ("2026-07-26\tTV (English)\t11\tA Show\tA Show: Season 1\t500\t5.0\t1\t1\n",
                2, "weekly_rank", "outside 1..10"),
    "one slot twice": (GOOD + GOOD.replace("A Show", "Another"), 3, "weekly_rank", "is already on line 2"),
}


@pytest.mark.parametrize("name", CASES)
def test_out_of_bounds_is_one_line_and_changes_nothing(store_copy: Store, tmp_path: Path, name: str) -> None:
    body, line, column, words = CASES[name]
    bad = tmp_path / "bad.tsv"
    bad.write_text(HEADER + body, encoding="utf-8")
    before = sha256(store_copy.path)
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "ingest", "--no-train", str(bad)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert f"bad.tsv, line {line}, column '{column}'" in result.output and words in result.output
    assert sha256(store_copy.path) == before


def test_a_week_a_few_days_ahead_is_fine(store_copy: Store, tmp_path: Path) -> None:
    ok = tmp_path / "next.tsv"
    ok.write_text(HEADER + GOOD.replace("2026-07-26", "2026-12-06"), encoding="utf-8")  # today + 5 days
    report = store_copy.ingest([ok])
    assert report.rows == 1


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "x.duckdb"), "ingest", str(tmp_path / "nope.tsv")])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "nope.tsv: no such file" in result.output
    assert not (tmp_path / "x.duckdb").exists()


def test_a_signal_never_marks_forecasts_stale(store_copy: Store) -> None:
    from renewcast import signals
    from renewcast.store import forecasts_are_stale

    signals.add_signal(store_copy, show_title="The Imperfects", season=1, kind="imdb_rating", value="6.2",
                       observed="2022-11-20")
    with store_copy.reading() as con:
        assert not forecasts_are_stale(con)
    ledger.add_entry(store_copy, show_title="Resident Evil", season=1, outcome="canceled", announced="2022-08-26",
                     source="https://example.org/re")
    with store_copy.reading() as con:
        assert forecasts_are_stale(con)


def test_the_store_keeps_its_mode_and_leaves_no_temporary_files(store_copy: Store) -> None:
    store_copy.path.chmod(0o644)
    stale = store_copy.path.with_name(store_copy.path.name + ".dead1234.tmp")
    stale.write_bytes(b"left by a writer killed with -9")
    ledger.add_entry(store_copy, show_title="Resident Evil", season=1, outcome="canceled", announced="2022-08-26",
                     source="https://example.org/re")
    assert store_copy.path.stat().st_mode & 0o777 == 0o644
    assert not stale.exists()
    assert sorted(p.name for p in store_copy.path.parent.iterdir()) == ["copy.duckdb", "copy.duckdb.lock"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    from renewcast.web.tables import to_csv

    text = to_csv((["title", "hours"], [["=cmd|' /C calc'!A0", 5], ["+1", -3], ["@SUM(A1)", None], ["Plain", 1]]))
    assert text.splitlines() == ["title,hours", "'=cmd|' /C calc'!A0,5", "'+1,-3", "'@SUM(A1),", "Plain,1"]


def _write_client(store: Store):  # type: ignore[no-untyped-def]
    import warnings

    from renewcast.config import Settings
    from renewcast.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(create_app(store.path, settings=Settings(db=store.path, api_token="s3cret")),
                      raise_server_exceptions=False)


def test_hostile_requests_get_4xx_and_change_nothing(store_copy: Store) -> None:
    client = _write_client(store_copy)
    before = sha256(store_copy.path)
    big = b'{"show_title": "' + b"x" * 2_000_000 + b'"}'
    r = client.post("/api/v1/ledger", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413  # refused before the token is even looked at
    streamed = client.post("/api/v1/ledger", content=iter([b"{" + b" " * 600_000, b" " * 600_000 + b"}"]),
                           headers={"content-type": "application/json", "authorization": "Bearer s3cret"})
    assert streamed.status_code == 413
    auth = {"authorization": "Bearer s3cret"}
    nested = {"show_title": {"$gt": ""}, "season": 1, "outcome": "renewed", "announced": "2022-12-01",
              "source": "https://example.org/x"}
    assert client.post("/api/v1/ledger", json=nested, headers=auth).status_code == 422
    bad_date = {**nested, "show_title": "The Imperfects", "announced": "soon"}
    assert client.post("/api/v1/ledger", json=bad_date, headers=auth).status_code == 422
    r = client.post("/api/v1/ledger", json=bad_date, headers={"authorization": "Bearer sécret".encode()})
    assert r.status_code == 401
    r = client.delete("/api/v1/board")
    assert r.status_code == 405 and "GET" in r.headers["allow"]
    assert sha256(store_copy.path) == before


def test_if_none_match_star_is_unchanged_when_the_page_exists(store_copy: Store) -> None:
    client = _write_client(store_copy)
    assert client.get("/title/the-imperfects-season-1", headers={"if-none-match": "*"}).status_code == 304
    assert client.get("/title/no-such-season-anywhere", headers={"if-none-match": "*"}).status_code == 404


def _xlsx(path: Path, sheet_xml: bytes, extra: dict[str, bytes] | None = None) -> Path:
    """A minimal XLSX archive around one worksheet."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def test_a_sparse_sheet_is_refused_before_it_is_read(store_copy: Store, tmp_path: Path) -> None:
    sheet = (b'<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
             b'<row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>')
    path = _xlsx(tmp_path / "sparse.xlsx", sheet)
    assert path.stat().st_size < 2_000
    before = sha256(store_copy.path)
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "ingest", "--no-train", str(path)])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "spans 16,384 columns x 1,048,576 rows" in result.output
    assert sha256(store_copy.path) == before


def test_a_zip_bomb_is_refused_by_its_unpacked_size(store_copy: Store, tmp_path: Path) -> None:
    bomb = _xlsx(tmp_path / "bomb.xlsx", b"<worksheet/>", {"xl/media/pad.bin": b"\0" * 600_000_000})
    assert bomb.stat().st_size < 2_000_000
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "ingest", "--no-train", str(bomb)])
    assert result.exit_code == 1 and "unpacks to 600,000," in result.output


def test_a_sparse_sheet_without_a_declared_dimension_is_refused_too(tmp_path: Path) -> None:
    from renewcast.errors import InputError
    from renewcast.sources import parse_file

    sheet = (b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
             b'<row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>')
    with pytest.raises(InputError, match="spans 16,384 columns x 1,048,576 rows"):
        parse_file(_xlsx(tmp_path / "sparse2.xlsx", sheet))


def test_two_real_downloads_pasted_together_name_the_first_repeat(store_copy: Store, tmp_path: Path) -> None:
    from renewcast.config import BUNDLED_DATA

    header, *rows = (BUNDLED_DATA / "netflix-top10" / "all-weeks-global.tsv").read_text(
        encoding="utf-8").splitlines()
    rows = [r + "\n" for r in rows]  # Netflix's last line has no newline
    header += "\n"
    twice = tmp_path / "twice.tsv"
    twice.write_text(header + "".join(rows) + "".join(rows), encoding="utf-8")
    before = sha256(store_copy.path)
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "ingest", "--no-train", str(twice)])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    # The first row again, one past the last: line 1 is the header.
    assert f"twice.tsv, line {len(rows) + 2}, column 'weekly_rank'" in result.output
    assert "is already on line 2" in result.output
    assert sha256(store_copy.path) == before


@pytest.mark.parametrize(("label", "sheet"), [
    ("a dimension that understates the extent",
     b'<worksheet><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
     b'<row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>'),
    ("single-quoted references", b"<worksheet><sheetData><row r='1'><c r='XFD1048576'><v>1</v></c></row>"
                                 b"</sheetData></worksheet>"),
    ("an 8-digit row", b'<worksheet><sheetData><row r="12345678"><c r="A12345678"><v>1</v></c></row>'
                       b'</sheetData></worksheet>'),
    ("lower case and $", b'<worksheet><sheetData><row r="1"><c r="$xfd$1048576"><v>1</v></c></row>'
                         b'</sheetData></worksheet>'),
    ("a namespace prefix", b'<x:worksheet><x:sheetData><x:row r="9000000"><x:c r="A9000000"><x:v>1</x:v>'
                           b'</x:c></x:row></x:sheetData></x:worksheet>'),
    ("spaces around =", b'<worksheet><sheetData><row r = "1"><c r = "XFD1048576"><v>1</v></c></row>'
                        b'</sheetData></worksheet>'),
])
def test_every_spelling_of_a_far_cell_is_refused(store_copy: Store, tmp_path: Path, label: str, sheet: bytes) -> None:
    path = _xlsx(tmp_path / "far.xlsx", sheet)
    assert path.stat().st_size < 2_000, label
    before = sha256(store_copy.path)
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "ingest", "--no-train", str(path)])
    assert result.exit_code == 1 and result.output.count("\n") == 1, (label, result.output)
    assert "spans" in result.output and "cells" in result.output, label
    assert sha256(store_copy.path) == before


def test_millions_of_real_cells_are_refused_by_count(tmp_path: Path) -> None:
    from renewcast.errors import InputError
    from renewcast.sources import parse_file

    row = b'<row r="1">' + b"<c><v>1</v></c>" * 6_000_000 + b"</row>"  # 6 M cells, no far reference
    path = _xlsx(tmp_path / "dense.xlsx", b"<worksheet><sheetData>" + row + b"</sheetData></worksheet>")
    assert path.stat().st_size < 1_000_000
    with pytest.raises(InputError, match=r"\(6,000,000 cells\)"):
        parse_file(path)


def test_netflixs_largest_xlsx_is_well_inside_the_caps() -> None:
    import zipfile

    from renewcast.config import BUNDLED_DATA
    from renewcast.sources import _read
    from renewcast.sources.bounds import MAX_XLSX_CELLS, MAX_XLSX_UNPACKED_BYTES

    archive = zipfile.ZipFile(BUNDLED_DATA / "netflix-top10" / "all-weeks-countries-2022-11.xlsx")
    assert 3 * sum(i.file_size for i in archive.infolist()) < MAX_XLSX_UNPACKED_BYTES
    with archive.open("xl/worksheets/sheet1.xml") as sheet:
        cols, rows, cells = _read._sheet_extent(sheet)
    assert (cols, rows, cells) == (8, 134_621, 1_076_968)
    assert 3 * cols * rows < MAX_XLSX_CELLS
