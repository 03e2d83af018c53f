"""The exceptions renewcast raises. Every one carries a message a user can act on.

The CLI prints ``str(error)`` on one line and exits non-zero; the web layer decides
which HTTP status each kind means (``renewcast.web.app.HTTP_STATUS``): the library
knows nothing of HTTP.
"""

from __future__ import annotations


class RenewcastError(Exception):
    """Base class: a problem the user can fix (bad input, unknown title, ...)."""



class InputError(RenewcastError):
    """A file that is not what it claims to be: wrong columns, bad value, truncated."""

    def __init__(
        self,
        path: str,
        problem: str,
        *,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path, self.problem, self.line, self.column, self.hint = path, problem, line, column, hint
        where = path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        message = f"{where}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class DownloadError(RenewcastError):
    """A refresh that could not fetch a complete, valid file."""


class TitleNotFound(RenewcastError):
    """No title matches the query (with the closest names, when there are any)."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query, self.suggestions = query, suggestions
        message = f"no title matches '{query}'"
        if suggestions:
            message += "; did you mean: " + ", ".join(f"'{s}'" for s in suggestions) + "?"
        else:
            message += "; try a shorter part of the title"
        super().__init__(message)


class AmbiguousTitle(RenewcastError):
    """The query matches several titles equally well."""

    def __init__(self, query: str, candidates: list[str]) -> None:
        self.query, self.candidates = query, candidates
        listing = "; ".join(f"'{c}'" for c in candidates)
        super().__init__(
            f"'{query}' matches several titles: {listing}. Name one exactly, or give its season number"
        )


class SeasonNotFound(RenewcastError):
    """The show is known, the season is not."""


class WeekNotFound(RenewcastError):
    """No Top 10 week holds the date asked for."""


class StoreError(RenewcastError):
    """The database is missing, locked or from an incompatible version."""

