"""Today, as a fact every answer states.

The real date, unless ``RENEWCAST_TODAY`` (YYYY-MM-DD) pins it: tests and reproducible
reports ask "what was true on that day" without waiting for the calendar.
"""

from __future__ import annotations

import datetime as dt
import os

from renewcast.errors import InputError

#: Data older than this many days is called out (a banner on the web, a note in the CLI).
STALE_AFTER_DAYS = 14


def today() -> dt.date:
    pinned = os.environ.get("RENEWCAST_TODAY", "").strip()
    if not pinned:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise InputError("RENEWCAST_TODAY", f"'{pinned}' is not a date", hint="use YYYY-MM-DD") from None
