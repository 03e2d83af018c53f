"""Read a TSV or XLSX file into rows of cells, whatever Netflix put in it.

Format is recognised by content, not by name: an XLSX file is a zip archive.
Everything that can go wrong with the bytes themselves (empty, truncated, an HTML
error page saved under a .tsv name, another encoding) is reported here with the
file and line, so the parsers above only deal with columns and values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from renewcast.errors import InputError
from renewcast.sources import bounds

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None


@dataclass(frozen=True)
class Sheet:
    """One table of raw cells; ``first_line`` is the 1-based line/row of ``rows[0]``."""

    path: str
    name: str
    rows: list[list[Cell]]
    first_line: int = 1

    def numbered(self) -> Iterator[tuple[int, list[Cell]]]:
        for offset, row in enumerate(self.rows):
            yield self.first_line + offset, row


def is_xlsx(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def read_sheets(path: Path) -> list[Sheet]:
    """All sheets of ``path``: one for a TSV, one per worksheet for an XLSX."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a folder; pass files or use a folder path") from None
    if not data.strip():
        raise InputError(str(path), "the file is empty", hint="download it again")
    if is_xlsx(data[:4]):
        return _read_xlsx(path, data)
    return [_read_tsv(path, data)]


def _read_tsv(path: Path, data: bytes) -> Sheet:
    name = str(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            name,
            f"not UTF-8 text (byte 0x{data[err.start]:02x})",
            line=line,
            hint="Netflix publishes UTF-8; re-download the file or convert it with iconv",
        ) from None
    stripped = text.lstrip().lower()
    if stripped.startswith(("<!doctype", "<html", "<?xml", "<")):
        raise InputError(
            name,
            "this is an HTML/XML page, not a tab-separated Netflix file",
            line=1,
            hint="a failed download saves an error page; run 'renewcast refresh' again",
        )
    if "\t" not in text.split("\n", 1)[0]:
        raise InputError(
            name,
            "the first line has no tab: not a tab-separated file",
            line=1,
            hint="expected Netflix's TSV (or XLSX) download",
        )
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE, strict=True)
    try:
        rows: list[list[Cell]] = [list(r) for r in reader]
    except csv.Error as err:
        raise InputError(name, f"unreadable TSV: {err}", line=reader.line_num) from None
    return Sheet(name, "tsv", rows)


#: Every way a worksheet names a cell or a row, whatever the quoting, case, '$' or digit count:
#: r="XFD1048576", r='xfd1048576', r = "$A$12345678", <row r="99999999">. The extent is what
#: the references reach, never what a <dimension> element claims (it may lie, or be absent).
# Each pattern starts with a literal, so the scan runs at C speed (about 0.5 s for Netflix's
# 47 MB country sheet); a stray match elsewhere can only overstate the extent, never hide it.
_REF_COLUMN = re.compile(rb"""r\s*=\s*["']\$?([A-Za-z]{1,4})\$?[0-9]""")
_REF_ROW = re.compile(rb"""r\s*=\s*["']\$?[A-Za-z]{0,4}\$?([0-9]{1,12})["']""")
_DIMENSION = re.compile(rb"""dimension\s[^>]{0,160}?\bref\s*=\s*["'][^"']{0,24}?:\$?([A-Za-z]{1,4})\$?([0-9]{1,12})""")
#: Bytes carried from one chunk to the next, so a reference split across chunks is still seen.
_OVERLAP = 256


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _sheet_extent(sheet: Any) -> tuple[int, int, int]:
    """(columns, rows, cells) a worksheet's XML reaches, read in 1 MiB chunks (memory stays flat).
    Maxima over overlapping chunks are exact; the cell count takes each tag once."""
    columns: set[bytes] = set()
    rows = cells = 0
    tail = b""
    while True:
        chunk = sheet.read(1 << 20)
        last = not chunk
        data = tail + chunk
        cut = len(data) if last else max(0, len(data) - _OVERLAP)
        columns.update(_REF_COLUMN.findall(data))
        found = _REF_ROW.findall(data)
        for letters, number in _DIMENSION.findall(data):  # a dimension's far corner counts too
            columns.add(letters)
            found.append(number)
        if found:
            rows = max(rows, max(map(int, found)))
        # A cell tag is "<c " or "<c>" (or "<x:c "): counted where it starts before the cut.
        end = min(len(data), cut + 2)
        cells += data.count(b"<c ", 0, end) + data.count(b"<c>", 0, end) + data.count(b":c ", 0, end)
        if last:
            return max((_column_number(c) for c in columns), default=0), rows, cells
        tail = data[cut:]


def _check_xlsx_size(name: str, archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb, a sheet reaching millions of empty cells, or one holding millions of
    real ones, before the spreadsheet reader allocates for it (it would abort the process,
    not raise). The caps are a few times Netflix's largest file (``bounds``)."""
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > bounds.MAX_XLSX_UNPACKED_BYTES:
        raise InputError(name, f"the XLSX unpacks to {unpacked:,} bytes, over {bounds.MAX_XLSX_UNPACKED_BYTES:,}",
                         hint="not a Netflix file: theirs unpack to under 50 MB")
    for info in archive.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        with archive.open(info) as sheet:
            cols, rows, cells = _sheet_extent(sheet)
        if cols * rows > bounds.MAX_XLSX_CELLS or cells > bounds.MAX_XLSX_CELLS:
            raise InputError(name, f"the sheet {info.filename} spans {cols:,} columns x {rows:,} rows"
                             + (f" ({cells:,} cells)" if cells > bounds.MAX_XLSX_CELLS else ""),
                             hint=f"not a Netflix file: a sheet may span at most {bounds.MAX_XLSX_CELLS:,} cells")


def _read_xlsx(path: Path, data: bytes) -> list[Sheet]:
    from python_calamine import CalamineError, CalamineWorkbook  # heavy-ish; only when needed

    name = str(path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))  # reads the central directory: a cut-off file fails here
    except (zipfile.BadZipFile, EOFError, OSError) as err:
        raise InputError(
            name,
            f"corrupt or truncated XLSX ({err})",
            hint="download the file again",
        ) from None
    _check_xlsx_size(name, archive)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for sheet_name in book.sheet_names:
            rows: list[list[Cell]] = book.get_sheet_by_name(sheet_name).to_python(  # type: ignore[assignment]
                skip_empty_area=False)
            sheets.append(Sheet(f"{name} [{sheet_name}]", sheet_name, rows))
    except (CalamineError, ValueError, OSError) as err:
        raise InputError(name, f"corrupt XLSX ({err})", hint="download the file again") from None
    return sheets
