"""Hand-kept CSV/TSV files (the renewal ledger, fan signals): strict and all-or-nothing.

A file is read whole and every value checked before anything is written; the first
problem raises :class:`InputError` naming the file, line and column and what is allowed.
Also the season matcher shared by the ledger and the signals.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import duckdb

from renewcast.errors import InputError
from renewcast.titles import normalize

Entry = TypeVar("Entry")


@dataclass
class ImportReport(Generic[Entry]):
    """What an import or an add did to the ledger or the signals."""

    path: str
    added: list[Entry] = field(default_factory=list)
    changed: list[Entry] = field(default_factory=list)
    unchanged: list[Entry] = field(default_factory=list)
    unmatched: list[Entry] = field(default_factory=list)  # seasons not in the Top 10

    @property
    def entries(self) -> int:
        return len(self.added) + len(self.changed) + len(self.unchanged)

_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


class BadValue(ValueError):
    """One value that fails a check; the reader adds file and line."""

    def __init__(self, column: str, problem: str, hint: str | None = None) -> None:
        self.column, self.problem, self.hint = column, problem, hint
        super().__init__(f"{column}: {problem}")


@dataclass(frozen=True)
class Row:
    line: int  # where the record starts in the file (the header is line 1)
    values: dict[str, str]  # column -> stripped text, '' when empty


def read_rows(path: Path | str, required: Sequence[str], optional: Sequence[str] = ()) -> list[Row]:
    """The rows of a UTF-8 CSV or TSV file (told apart by its header line)."""
    path = Path(path)
    name = str(path)
    allowed = [*required, *optional]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except IsADirectoryError:
        raise InputError(name, "is a folder, not a CSV or TSV file") from None
    except OSError as err:
        raise InputError(name, f"cannot read: {err.strerror}") from None
    if data.startswith(b"PK\x03\x04"):
        raise InputError(name, "a spreadsheet (XLSX/ZIP), not a CSV or TSV file", line=1,
                         hint="save it as 'CSV UTF-8' with the columns " + ", ".join(allowed))
    data = data.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in data:  # no text file holds a NUL: an image, an archive, a database...
        raise InputError(name, "a binary file, not CSV or TSV text", line=data.count(b"\n", 0, data.index(b"\x00")) + 1,
                         hint="give a CSV or TSV file saved as UTF-8 with the columns " + ", ".join(allowed))
    text = _decode(name, data)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise InputError(name, "empty file: expected a header line", line=1,
                         hint="columns: " + ", ".join(allowed))
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as err:
        raise InputError(name, f"unreadable header: {err}", line=1) from None
    for column in header:
        if column not in allowed:
            raise InputError(name, f"unknown column '{column}'", line=1, column=column,
                             hint="allowed columns: " + ", ".join(allowed))
        if header.count(column) > 1:
            raise InputError(name, f"column '{column}' appears twice", line=1, column=column)
    for column in required:
        if column not in header:
            raise InputError(name, f"missing column '{column}'", line=1,
                             hint="required columns: " + ", ".join(required))
    rows: list[Row] = []
    start = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise InputError(name, f"malformed {'TSV' if delimiter == chr(9) else 'CSV'}: {err}",
                             line=start, hint="a quote that is never closed?") from None
        if any(f.strip() for f in fields):
            if len(fields) != len(header):
                raise InputError(
                    name, f"{len(fields)} fields where the header has {len(header)}", line=start,
                    hint="quote a value that contains the delimiter"
                    if len(fields) > len(header) else "a value is missing")
            rows.append(Row(start, {h: f.strip() for h, f in zip(header, fields, strict=True)}))
        start = reader.line_num + 1
    return rows


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        line_start = data.rfind(b"\n", 0, err.start) + 1
        first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        column = None
        if line > 1:
            try:
                header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter))]
                prefix = data[line_start:err.start].decode("utf-8", "replace")
                index = len(next(csv.reader([prefix], delimiter=delimiter), [""])) - 1 if prefix else 0
                column = header[index] if 0 <= index < len(header) else None
            except csv.Error:  # a header no CSV reader takes: the line is still named
                column = None
        raise InputError(name, f"not UTF-8 text (byte 0x{data[err.start]:02x})", line=line,
                         column=column, hint="save the file as UTF-8") from None


def raise_at(name: str, row: Row | None, bad: BadValue) -> InputError:
    return InputError(name, bad.problem, line=row.line if row else None, column=bad.column, hint=bad.hint)


def parse_records(
    path: Path | str,
    required: Sequence[str],
    optional: Sequence[str],
    make: Callable[[dict[str, str], int], Entry],
    key: Callable[[Entry], Any],
    duplicate: Callable[[Entry, int], BadValue],
) -> list[Entry]:
    """Every record of a file, each checked by ``make``; the first problem raises InputError.

    ``duplicate(entry, first_line)`` says why a second record with the same ``key`` is refused.
    """
    name = str(path)
    found: list[Entry] = []
    seen: dict[Any, int] = {}
    for row in read_rows(path, required, optional):
        try:
            entry = make(row.values, row.line)
            if key(entry) in seen:
                raise duplicate(entry, seen[key(entry)])
        except BadValue as bad:
            raise raise_at(name, row, bad) from None
        seen[key(entry)] = row.line
        found.append(entry)
    return found


# -- value checks (raise BadValue) -------------------------------------------------
#: Control characters no page, feed (XML 1.0 cannot carry them) or CSV should hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(values: dict[str, str], column: str, *, required: bool = False) -> str | None:
    """Stripped text; None when empty or Netflix's 'N/A'. Control characters are refused."""
    raw = values.get(column)
    if raw is not None and not isinstance(raw, str):
        raise BadValue(column, f"{raw!r} is not text", "give it as a string")
    value = (raw or "").strip()
    if not value or value == "N/A":
        if required:
            raise BadValue(column, "is empty", "a value is required")
        return None
    bad = _CONTROL.search(value)
    if bad:
        raise BadValue(column, f"holds the control character U+{ord(bad.group()):04X}",
                       "remove it: only printable text, tabs and line breaks are kept")
    return value


def season(value: str | None, column: str = "season") -> int:
    value = (value or "").strip()
    if not value.isdigit() or not 1 <= int(value) <= 99:
        raise BadValue(column, f"'{value}' is not a season number" if value else "is empty",
                       "a whole number from 1, e.g. 2")
    return int(value)


def when(value: str | None, column: str, today: dt.date | None = None) -> tuple[str, dt.date]:
    """'2022-11-08', '2022-11' (only the month is known: it stands for its last day, never seen
    early) or '<=2026-03-01' (only an upper bound: a page of that day reports it as done)."""
    value = (value or "").strip()
    hint = "use YYYY-MM-DD, YYYY-MM when only the month is known, or <=YYYY-MM-DD when a page of that day reports it"
    bound = value.startswith("<=")
    match = _DATE.fullmatch(value[2:].strip() if bound else value)
    if not match:
        raise BadValue(column, f"'{value}' is not a date" if value else "is empty", hint)
    year, month = int(match[1]), int(match[2])
    try:
        if match[3]:
            start = end = dt.date(year, month, int(match[3]))
        else:
            start = dt.date(year, month, 1)
            end = dt.date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        raise BadValue(column, f"'{value}' is not a real date", hint) from None
    if year < 1990:
        raise BadValue(column, f"'{value}' is before streaming existed", hint)
    if start > (today or dt.date.today()) + dt.timedelta(days=1):
        raise BadValue(column, f"'{value}' is in the future", "record what has already happened")
    return value, end


def precision(announced: str) -> str:
    """How a recorded date is known: 'day', 'month' or 'bound' (reported by then, day unknown)."""
    if announced.startswith("<="):
        return "bound"
    return "day" if len(announced) == 10 else "month"


def url(value: str | None, column: str, *, required: bool = False, why: str = "") -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise BadValue(column, "is empty" + (f": {why}" if why else ""),
                           "give the http(s) address of the article that reports it")
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise BadValue(column, f"'{value}' is not an http(s) address", "e.g. https://example.com/news/...")
    return value


def choice(value: str | None, column: str, allowed: Iterable[str], hints: dict[str, str] | None = None) -> str:
    value = (value or "").strip()
    allowed = list(allowed)
    if value not in allowed:
        hint = (hints or {}).get(value.lower()) or "one of: " + ", ".join(allowed)
        raise BadValue(column, f"'{value}' is not allowed" if value else "is empty", hint)
    return value


def iso(value: Any) -> Any:
    """Dates and timestamps as ISO text, for JSON-ready dicts."""
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


# -- seasons ---------------------------------------------------------------------------
class SeasonIndex:
    """TV seasons in the Top 10, by exact label and by show + season number.

    Exact text first, then the forgiving normalised form; names Netflix later
    changed (title_aliases) still find the season under its new name.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.by_label: dict[str, str] = {}
        self.by_show: dict[tuple[str, int], str] = {}
        rows = con.execute(
            "SELECT slug, show_title, season_title, season_number FROM seasons WHERE kind = 'TV' "
            "ORDER BY first_week, top10_hours DESC").fetchall()
        aliases = con.execute(
            "SELECT a.alias_show, nullif(a.alias_season, ''), s.slug, s.season_number "
            "FROM title_aliases a JOIN seasons s ON s.show_title = a.show_title "
            "AND coalesce(s.season_title, '') = a.season_title WHERE s.kind = 'TV'").fetchall()
        for slug, show, label, number in [(r[0], r[1], r[2], r[3]) for r in rows] + [
                (a[2], a[0], a[1], a[3]) for a in aliases]:
            for key in dict.fromkeys((label, "~" + normalize(label))) if label else ():
                self.by_label.setdefault(key, slug)
            if number is not None:
                for name in dict.fromkeys((show, "~" + normalize(show))):
                    self.by_show.setdefault((name, number), slug)
        for slug, show, label, _number in rows:
            if label is None:  # no season label (Netflix's N/A): a one-season show is its season 1
                for name in dict.fromkeys((show, "~" + normalize(show))):
                    self.by_show.setdefault((name, 1), slug)

    def match(self, show_title: str, season: int, season_title: str | None = None) -> str | None:
        if season_title:
            for key in (season_title, "~" + normalize(season_title)):
                if key in self.by_label:
                    return self.by_label[key]
        for name in (show_title, "~" + normalize(show_title)):
            if (name, season) in self.by_show:
                return self.by_show[(name, season)]
        return None
