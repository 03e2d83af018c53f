"""Typed columns from raw cells, with errors that say where a value went wrong."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from renewcast.errors import InputError
from renewcast.sources._read import Cell, Sheet

#: What Netflix writes for "no value".
MISSING = {"", "N/A"}


def to_text(cell: Cell) -> str | None:
    if cell is None:
        return None
    text = cell if isinstance(cell, str) else str(cell)
    return None if text in MISSING else text


def to_int(cell: Cell) -> int | None:
    if isinstance(cell, bool):
        raise ValueError("a boolean")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if not cell.is_integer():
            raise ValueError(f"{cell!r} is not a whole number")
        return int(cell)
    text = to_text(cell)
    if text is None:
        return None
    text = text.replace(",", "")
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)  # "2.4E7" is valid in a spreadsheet export
        except ValueError:
            raise ValueError("expected a whole number") from None
        if not number.is_integer():
            raise ValueError(f"'{text}' is not a whole number") from None
        return int(number)


def to_float(cell: Cell) -> float | None:
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell)
    text = to_text(cell)
    return None if text is None else float(text)


def to_date(cell: Cell) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = to_text(cell)
    return None if text is None else dt.date.fromisoformat(text.strip()[:10])


def to_hours_minutes(cell: Cell) -> float | None:
    """Engagement reports write runtime as ``h:mm`` ("7:09" is 7.15 hours).

    A lone ``*`` marks a title with no single runtime (live events, daily shows); a
    trailing one ("4:44*") is a footnote on a value that is still good.
    """
    if isinstance(cell, str):
        cell = cell.strip().rstrip("*")
    if isinstance(cell, dt.time):
        return cell.hour + cell.minute / 60
    if isinstance(cell, dt.timedelta):
        return cell.total_seconds() / 3600
    text = to_text(cell)
    if text is None:
        return None
    hours, _, minutes = text.strip().partition(":")
    if not minutes:
        return float(hours)
    if len(minutes) != 2 or not (0 <= int(minutes) < 60):
        raise ValueError(f"'{text}' is not h:mm")
    return int(hours) + int(minutes) / 60


def to_yes_no(cell: Cell) -> bool | None:
    text = to_text(cell)
    if text is None:
        return None
    lowered = text.strip().lower()
    if lowered in {"yes", "y", "true"}:
        return True
    if lowered in {"no", "n", "false"}:
        return False
    raise ValueError(f"'{text}' is not Yes or No")


@dataclass(frozen=True)
class Column:
    name: str
    convert: Callable[[Cell], Any]
    required: bool = True  # the column must be in the header
    nullable: bool = False  # a row may leave it empty / N/A
    check: Callable[[Any], str | None] | None = None  # returns a problem, or None


def header_index(sheet: Sheet, header: Sequence[Cell], columns: Sequence[Column]) -> dict[str, int]:
    names = [str(h).strip() if h is not None else "" for h in header]
    missing = [c.name for c in columns if c.required and c.name not in names]
    if missing:
        raise InputError(
            sheet.path,
            f"missing column(s) {', '.join(missing)}; the header has {', '.join(n for n in names if n)}",
            line=sheet.first_line,
            hint="is this the right file? Netflix's column names are case-sensitive",
        )
    return {c.name: names.index(c.name) for c in columns if c.name in names}


def convert_rows(
    sheet: Sheet,
    rows: Sequence[Sequence[Cell]],
    lines: Sequence[int],
    columns: Sequence[Column],
    index: dict[str, int],
    width: int,
) -> dict[str, list[Any]]:
    """Column-wise typed values for ``rows``; ``lines`` holds each row's line number.

    The fast path converts each distinct cell once per column; only when something
    fails does the slow path walk the rows to name the line and column.
    """
    short = [i for i, row in enumerate(rows) if len(row) < width]
    if short:
        raise InputError(
            sheet.path,
            f"the row has {len(rows[short[0]])} fields, the header {width}",
            line=lines[short[0]],
            hint="the file looks truncated or has a stray tab; download it again",
        )
    out: dict[str, list[Any]] = {}
    for column in columns:
        position = index.get(column.name)
        if position is None:
            out[column.name] = [None] * len(rows)
            continue
        if position < width or all(len(row) > position for row in rows):
            cells = list(map(itemgetter(position), rows))  # the common case, in C
        else:
            cells = [row[position] if position < len(row) else None for row in rows]
        try:
            seen: dict[Any, Any] = {}
            for cell in set(cells):
                value = column.convert(cell)
                if value is None and not column.nullable:
                    raise ValueError("missing")
                if value is not None and column.check is not None and column.check(value):
                    raise ValueError("check")
                seen[cell] = value
            out[column.name] = list(map(seen.__getitem__, cells))
        except (ValueError, TypeError):
            _locate_error(sheet, lines, column, cells)
    return out


def _locate_error(sheet: Sheet, lines: Sequence[int], column: Column, cells: list[Cell]) -> None:
    for line, cell in zip(lines, cells, strict=True):
        try:
            value = column.convert(cell)
        except (ValueError, TypeError) as err:
            raise InputError(
                sheet.path, f"bad value {cell!r}: {err}", line=line, column=column.name
            ) from None
        if value is None and not column.nullable:
            raise InputError(sheet.path, "a value is required here", line=line, column=column.name)
        if value is not None and column.check is not None:
            problem = column.check(value)
            if problem:
                raise InputError(sheet.path, problem, line=line, column=column.name)
    raise AssertionError("unreachable: the fast path failed but no row did")  # pragma: no cover
