"""Netflix's Top 10 downloads: weekly global lists, per-country lists, most-popular lists.

Same columns whether Netflix served the TSV or the XLSX. Columns Netflix added
later (``runtime`` and ``weekly_views`` in 2023, launch details since) are optional
or ignored, so an older or newer download still loads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from renewcast.errors import InputError
from renewcast.sources import bounds
from renewcast.sources._values import (
    Column,
    to_date,
    to_float,
    to_int,
    to_text,
)

GLOBAL = (
    Column("week", to_date, check=bounds.week),
    Column("category", to_text, check=bounds.category),
    Column("weekly_rank", to_int, check=bounds.rank),
    Column("show_title", to_text),
    Column("season_title", to_text, nullable=True),
    Column("weekly_hours_viewed", to_int, check=bounds.hours),
    Column("runtime", to_float, required=False, nullable=True, check=bounds.runtime),
    Column("weekly_views", to_int, required=False, nullable=True, check=bounds.hours),
    Column("cumulative_weeks_in_top_10", to_int, check=bounds.weeks),
)

COUNTRY = (
    Column("country_name", to_text),
    Column("country_iso2", to_text),
    Column("week", to_date, check=bounds.week),
    Column("category", to_text, check=bounds.country_category),
    Column("weekly_rank", to_int, check=bounds.rank),
    Column("show_title", to_text),
    Column("season_title", to_text, nullable=True),
    Column("cumulative_weeks_in_top_10", to_int, check=bounds.weeks),
)

MOST_POPULAR = (
    Column("category", to_text, check=bounds.category),
    Column("rank", to_int, check=bounds.rank),
    Column("show_title", to_text),
    Column("season_title", to_text, nullable=True),
    Column("hours_viewed_first_91_days", to_int, check=bounds.hours),
    Column("runtime", to_float, nullable=True, check=bounds.runtime),
    Column("views_first_91_days", to_int, nullable=True, check=bounds.hours),
)

#: kind -> (columns, a header column that only this kind has)
KINDS = {
    "top10_country": (COUNTRY, "country_iso2"),
    "most_popular": (MOST_POPULAR, "hours_viewed_first_91_days"),
    "top10_global": (GLOBAL, "weekly_hours_viewed"),
}

#: The natural key of each kind: a newer download replaces rows with the same key.
KEYS = {
    "top10_global": ("week", "category", "weekly_rank"),
    "top10_country": ("country_iso2", "week", "category", "weekly_rank"),
    "most_popular": ("category", "rank"),
}

#: The files Netflix publishes, by kind.
FILENAMES = {
    "top10_global": "all-weeks-global",
    "top10_country": "all-weeks-countries",
    "most_popular": "most-popular",
}


def repeated_slot(path: str, kind: str, keyed: Iterable[tuple[int, tuple[Any, ...]]]) -> InputError | None:
    """The error for the first (line, key) whose key an earlier line had: Netflix never
    lists two titles in one slot. Memory grows with the keys before the repeat."""
    seen: dict[tuple[Any, ...], int] = {}
    for line, key in keyed:
        if key in seen:
            names = KEYS[kind]
            return InputError(path, f"({', '.join(str(k) for k in key)}) is already on line {seen[key]}",
                              line=line, column=names[-1],
                              hint=f"one row per ({', '.join(names)}); is the file two downloads pasted together?")
        seen[key] = line
    return None
