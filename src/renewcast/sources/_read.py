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
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from renewcast.errors import InputError

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


def _read_xlsx(path: Path, data: bytes) -> list[Sheet]:
    from python_calamine import CalamineError, CalamineWorkbook  # heavy-ish; only when needed

    name = str(path)
    try:
        zipfile.ZipFile(io.BytesIO(data))  # reads the central directory: a cut-off file fails here
    except (zipfile.BadZipFile, EOFError, OSError) as err:
        raise InputError(
            name,
            f"corrupt or truncated XLSX ({err})",
            hint="download the file again",
        ) from None
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
