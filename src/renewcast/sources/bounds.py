"""Input bounds, named in one place. A real Netflix file is far inside every one; a value
outside is refused with the usual one-line error (file, line, column, fix).

Each check is a function (the strict parser calls it on a value) with the same rule as a
SQL condition (``sql``: true for a bad value), which DuckDB's fast path evaluates.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from renewcast import clock

#: Netflix's weekly lists start with the week ending 2021-07-04.
FIRST_WEEK = dt.date(2021, 6, 27)
#: A week may end at most this long after today (a file is published two days after its week).
FUTURE_DAYS = 7
#: Hours or views in one week or list entry (the biggest week on record is under 0.2 billion).
MAX_HOURS = 10_000_000_000
#: A runtime in hours (the longest seasons run a few dozen).
MAX_RUNTIME_HOURS = 1_000.0
#: Weeks in the Top 10 (there have been about 260 weeks in all).
MAX_WEEKS = 1_000
#: Ranks in a Top 10.
RANKS = (1, 10)

#: An XLSX archive's contents, unpacked: about 4x Netflix's largest (the country lists, 47 MB).
MAX_XLSX_UNPACKED_BYTES = 200_000_000
#: Cells a worksheet may reach or hold: about 4x the country lists' 1.1 million.
MAX_XLSX_CELLS = 5_000_000

Check = Callable[[Any], str | None]


def _with_sql(sql: Callable[[], str]) -> Callable[[Check], Check]:
    def attach(check: Check) -> Check:
        check.sql = sql  # type: ignore[attr-defined]
        return check
    return attach


def _last_week() -> dt.date:
    return clock.today() + dt.timedelta(days=FUTURE_DAYS)


@_with_sql(lambda: f"dayofweek({{c}}) <> 0 OR {{c}} < DATE '{FIRST_WEEK}' OR {{c}} > DATE '{_last_week()}'")
def week(value: dt.date) -> str | None:
    if value.weekday() != 6:
        return f"{value} is not a Sunday (Netflix weeks end on Sunday)"
    if value < FIRST_WEEK:
        return f"{value} is before Netflix's first Top 10 week (2021-07-04)"
    if value > _last_week():
        return f"{value} is in the future (today is {clock.today()})"
    return None


@_with_sql(lambda: f"{{c}} NOT BETWEEN {RANKS[0]} AND {RANKS[1]}")
def rank(value: int) -> str | None:
    return None if RANKS[0] <= value <= RANKS[1] else f"rank {value} is outside {RANKS[0]}..{RANKS[1]}"


@_with_sql(lambda: f"{{c}} < 0 OR {{c}} > {MAX_HOURS}")
def hours(value: int) -> str | None:
    if value < 0:
        return "must not be negative"
    return None if value <= MAX_HOURS else f"{value:,} is more than {MAX_HOURS:,}: not a real figure"


@_with_sql(lambda: f"NOT isfinite({{c}}) OR {{c}} < 0 OR {{c}} > {MAX_RUNTIME_HOURS}")
def runtime(value: float) -> str | None:
    if not math.isfinite(value) or value < 0:
        return f"{value} is not a runtime in hours"
    return None if value <= MAX_RUNTIME_HOURS else f"{value} hours is longer than {MAX_RUNTIME_HOURS:g}"


@_with_sql(lambda: f"{{c}} < 0 OR {{c}} > {MAX_WEEKS}")
def weeks(value: int) -> str | None:
    if value < 0:
        return "must not be negative"
    return None if value <= MAX_WEEKS else f"{value} weeks is more than {MAX_WEEKS}"


#: Netflix's four global lists, and the country files' two.
GLOBAL_CATEGORIES = ("Films (English)", "Films (Non-English)", "TV (English)", "TV (Non-English)")
COUNTRY_CATEGORIES = ("Films", "TV")


def _one_of(allowed: tuple[str, ...]) -> Check:
    quoted = ", ".join("'" + a.replace("'", "''") + "'" for a in allowed)

    @_with_sql(lambda: f"{{c}} NOT IN ({quoted})")
    def check(value: str) -> str | None:
        return None if value in allowed else f"'{value}' is not one of Netflix's lists ({', '.join(allowed)})"

    return check


category = _one_of(GLOBAL_CATEGORIES)
country_category = _one_of(COUNTRY_CATEGORIES)
