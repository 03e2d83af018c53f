"""Readers for Netflix's public files. ``parse_file`` recognises a file by its columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renewcast.errors import InputError
from renewcast.sources import engagement, top10
from renewcast.sources._read import Cell, Sheet, read_sheets
from renewcast.sources._values import convert_rows, header_index

__all__ = ["Parsed", "expand_paths", "parse_file"]

SUFFIXES = {".tsv", ".xlsx", ".txt", ".csv"}


@dataclass
class Parsed:
    """One table from one file, typed column-wise, ready for the store."""

    kind: str  # top10_global | top10_country | most_popular | engagement
    path: str
    columns: dict[str, list[Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()), []))


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the data files inside folders (sorted, recursively)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            )
        else:
            files.append(path)
    return files


def parse_file(path: Path) -> list[Parsed]:
    """Every Netflix table in ``path``; raises InputError naming file, line and column."""
    parsed = [_parse_sheet(sheet) for sheet in read_sheets(path)]
    found = [p for p in parsed if p is not None]
    if not found:
        raise InputError(
            str(path),
            "not a Netflix Top 10 or engagement file: no known header found",
            line=1,
            hint="expected columns like week, category, weekly_rank, show_title (Top 10) "
            "or Title, Hours Viewed (engagement report)",
        )
    return found


def _parse_sheet(sheet: Sheet) -> Parsed | None:
    if not sheet.rows:
        return None
    header = [str(c).strip() if c is not None else "" for c in sheet.rows[0]]
    for kind, (columns, marker) in top10.KINDS.items():
        if marker in header:
            index = header_index(sheet, header, columns)
            rows, lines = _body(sheet, 1)
            values = convert_rows(sheet, rows, lines, columns, index, len(header))
            _one_row_per_key(sheet, kind, values, lines)
            return Parsed(kind, sheet.path, values)
    at = engagement.find_header(sheet)
    if at is None:
        return None
    return _parse_engagement(sheet, at)


def _one_row_per_key(sheet: Sheet, kind: str, values: dict[str, list[Any]], lines: list[int]) -> None:
    """One row per (week, category, rank) in a file: Netflix never lists two titles in one slot."""
    keyed = zip(lines, zip(*(values[k] for k in top10.KEYS[kind]), strict=True), strict=True)
    error = top10.repeated_slot(sheet.path, kind, keyed)
    if error is not None:
        raise error


def _body(sheet: Sheet, start: int) -> tuple[list[list[Cell]], list[int]]:
    """The non-blank rows from ``start`` on, with their line numbers."""
    first = sheet.first_line + start
    keep = [i for i, row in enumerate(sheet.rows[start:]) if any(row)]
    if not keep:
        raise InputError(sheet.path, "the header is there but no rows follow", line=first,
                         hint="the download was cut short; fetch it again")
    rows = sheet.rows[start:]
    return [rows[i] for i in keep], [first + i for i in keep]


def _parse_engagement(sheet: Sheet, at: int) -> Parsed:
    header = sheet.rows[at]
    report, start, end = engagement.report_period(sheet, at)
    index = header_index(sheet, header, engagement.COLUMNS)
    rows, lines = _body(sheet, at + 1)
    values = convert_rows(sheet, rows, lines, engagement.COLUMNS, index, 0)
    english, original = zip(*(engagement.split_title(t) for t in values["Title"]), strict=True)
    values["title_english"], values["title_original"] = list(english), list(original)
    meta = {
        "report": report,
        "period_start": start,
        "period_end": end,
        "published": engagement.PUBLISHED.get(report),
        "sheet_kind": engagement.sheet_kind(sheet, header),
    }
    return Parsed("engagement", sheet.path, values, meta)
