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


_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+[0-9]+:([A-Z]+)([0-9]+)"')
_CELL_REF = re.compile(rb' r="([A-Z]{1,3})([0-9]{1,7})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_xlsx_size(name: str, archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb or a sheet spanning millions of empty cells before the spreadsheet
    reader allocates for it (it would abort the process, not raise)."""
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > bounds.MAX_XLSX_UNPACKED_BYTES:
        raise InputError(name, f"the XLSX unpacks to {unpacked:,} bytes, over {bounds.MAX_XLSX_UNPACKED_BYTES:,}",
                         hint="not a Netflix file: theirs unpack to under 50 MB")
    for info in archive.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        with archive.open(info) as sheet:
            head = sheet.read(4096)
            found = _DIMENSION.search(head)
            if found:  # the declared extent
                cols, rows = _column_number(found.group(1)), int(found.group(2))
            else:  # none declared: the largest cell reference, read in chunks (bounded by the size check)
                cols = rows = 0
                chunk = head
                while chunk:
                    for letters, number in _CELL_REF.findall(chunk):
                        cols, rows = max(cols, _column_number(letters)), max(rows, int(number))
                    chunk = sheet.read(1 << 20)
        if cols * rows > bounds.MAX_XLSX_CELLS:
            raise InputError(name, f"the sheet {info.filename} spans {cols:,} columns x {rows:,} rows",
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
