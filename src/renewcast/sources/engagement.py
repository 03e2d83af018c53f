"""Netflix's semiannual engagement reports ("What We Watched").

Five layouts so far: the first (2023 Jan-Jun) has one sheet with Title, Available
Globally?, Release Date and Hours Viewed; later ones have a TV and a Film sheet
(or Shows / Movies) that add Runtime (h:mm) and Views. A few banner rows sit above
the header; the second banner names the half year.
"""

from __future__ import annotations

import datetime as dt
import re

from renewcast.errors import InputError
from renewcast.sources import bounds
from renewcast.sources._read import Cell, Sheet
from renewcast.sources._values import (
    Column,
    to_date,
    to_hours_minutes,
    to_int,
    to_text,
    to_yes_no,
)

COLUMNS = (
    Column("Title", to_text),
    Column("Available Globally?", to_yes_no, required=False, nullable=True),
    Column("Release Date", to_date, required=False, nullable=True),
    Column("Hours Viewed", to_int, check=bounds.hours),
    Column("Runtime", to_hours_minutes, required=False, nullable=True, check=bounds.runtime),
    Column("Views", to_int, required=False, nullable=True, check=bounds.hours),
)

#: When each report's figures became public (forecasts "as of" a date may only use
#: reports published by then). 2023-H2: Netflix's post of 2024-05-23, reprinted at
#: https://www.4rfv.com/DNZMEA4R3J2B/what-we-watched-the-second-half-of-2023.htm ;
#: 2023-H1: https://www.sunjournal.com/2023/12/12/netflix-reveals-what-people-are-really-watching/ ;
#: 2024-H1, 2024-H2 as given with the bundled data; 2025-H1 on Q2 2025 earnings day.
PUBLISHED = {
    "2023-H1": dt.date(2023, 12, 12),
    "2023-H2": dt.date(2024, 5, 23),
    "2024-H1": dt.date(2024, 9, 19),
    "2024-H2": dt.date(2025, 2, 27),
    "2025-H1": dt.date(2025, 7, 17),
}

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}
_PERIOD = re.compile(r"from\s+(\w+)\s+to\s+(\w+)\s+(\d{4})", re.IGNORECASE)
_SHEET_KIND = {"tv": "TV", "shows": "TV", "film": "Film", "movies": "Film", "films": "Film"}


def find_header(sheet: Sheet) -> int | None:
    """Index of the header row (Title ... Hours Viewed) among the first rows, if any."""
    for i, row in enumerate(sheet.rows[:25]):
        cells = {str(c).strip() for c in row if c is not None}
        if {"Title", "Hours Viewed"} <= cells:
            return i
    return None


def report_period(sheet: Sheet, header_at: int) -> tuple[str, dt.date, dt.date]:
    """("2023-H1", first day, last day) from the banner above the header."""
    for row in sheet.rows[:header_at]:
        for cell in row:
            match = _PERIOD.search(str(cell or ""))
            if match:
                first, last, year = match.group(1).lower(), match.group(2).lower(), int(match.group(3))
                if first in _MONTHS and last in _MONTHS:
                    start = dt.date(year, _MONTHS[first], 1)
                    end_month = _MONTHS[last]
                    end = dt.date(year + end_month // 12, end_month % 12 + 1, 1) - dt.timedelta(days=1)
                    half = "H1" if _MONTHS[first] <= 6 else "H2"
                    return f"{year}-{half}", start, end
    raise InputError(
        sheet.path,
        "cannot tell which half year this engagement report covers",
        line=1,
        hint="the banner above the table should read like 'Hours viewed from January to June 2023'",
    )


def sheet_kind(sheet: Sheet, header: list[Cell]) -> str:
    """'TV', 'Film', or 'Mixed' (the first report lists both in one sheet)."""
    return _SHEET_KIND.get(sheet.name.strip().lower(), "Mixed")


def split_title(title: str) -> tuple[str, str | None]:
    """'The Glory: Season 1 // 더 글로리: 시즌 1' -> ('The Glory: Season 1', '더 글로리: 시즌 1')."""
    english, sep, original = title.partition(" // ")
    return (english.strip(), original.strip() or None) if sep else (title.strip(), None)
