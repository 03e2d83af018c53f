"""The decision ledger: what Netflix decided about a season, when it became public, and the source.

One current row per (show_title, season) in the ``ledger`` table; a correction moves
the old row to ``ledger_history`` with who replaced it and when. Files are checked
whole before anything is written, and every write is one ``Store.writing()``.
A row for a season that never charted in the Top 10 is kept with ``slug`` NULL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from renewcast import _records as rec
from renewcast.config import BUNDLED_DATA
from renewcast.errors import InputError
from renewcast.store import Store, rows_as_dicts
from renewcast.titles import normalize

__all__ = [
    "BUNDLED_LEDGER", "DECISIONS", "NOT_CHARTED", "OUTCOMES", "STRENGTH", "ImportReport", "LedgerEntry", "add_entry",
    "apply",
    "history", "import_ledger", "list_entries", "make_entry", "parse_ledger_file",
    "rematch", "season_status", "status",
]

BUNDLED_LEDGER = BUNDLED_DATA / "ledger.csv"
#: renewed: another season ordered; renewed_final: ordered as the last one; canceled; final:
#: this season was announced as the last; reversed: a renewal later withdrawn; limited:
#: never meant to continue; reported: an unofficial claim (a crew profile, an insider), kept
#: with its source but never a decision. A season's story can hold several (renewed, then reversed).
OUTCOMES = ("renewed", "renewed_final", "canceled", "final", "reversed", "limited", "reported")
#: The outcomes that decide a season ('reported' does not).
DECISIONS = OUTCOMES[:-1]
#: Outcomes that must cite where they were reported.
NEEDS_SOURCE = frozenset(OUTCOMES) - {"limited"}
#: On one day, the stronger word wins (weakest first): a reversal over the renewal it
#: withdraws, a cancellation over a renewal. The one order every reader uses.
STRENGTH = ("reported", "limited", "renewed", "final", "renewed_final", "canceled", "reversed")
REQUIRED = ("show_title", "season", "outcome", "announced", "source")
OPTIONAL = ("note", "season_title", "tier")
#: Who said it, best first: Netflix itself (Tudum, its press site, an official account),
#: the trade press, other press, fan sites (only where nothing better exists).
TIERS = ("netflix", "trade", "press", "fan")
NOT_CHARTED = "not in the Top 10"
_OUTCOME_HINTS = {
    "cancelled": "write 'canceled' (one l)",
    "cancel": "write 'canceled'",
    "renew": "write 'renewed'",
    "ended": "write 'final' for a season announced as the last",
    "final season": "write 'final'",
}
#: STRENGTH as SQL, for ORDER BY (strongest first).
_PRECEDENCE = ("CASE outcome " + " ".join(f"WHEN '{o}' THEN {i}" for i, o in enumerate(reversed(STRENGTH)))
               + f" ELSE {len(STRENGTH)} END")
_COLUMNS = ("show_title, season, season_title, outcome, announced, announced_date, source, tier, note, slug, "
            "recorded_at, recorded_by")


@dataclass(frozen=True)
class LedgerEntry:
    show_title: str
    season: int
    outcome: str
    announced: str  # as written: YYYY-MM-DD, YYYY-MM or <=YYYY-MM-DD
    announced_date: dt.date  # the day it was surely public (a month's last day for YYYY-MM)
    source: str | None
    note: str | None = None
    season_title: str | None = None
    line: int | None = None  # in the file it came from
    tier: str | None = None  # netflix | trade | press | fan

    @property
    def key(self) -> tuple[str, int, str]:
        """One event per season and outcome; a title's case or spelling never makes a second."""
        return (normalize(self.show_title), self.season, self.outcome)

    @property
    def precision(self) -> str:
        """'day' (these alone train and score the model), 'month' or 'bound'."""
        return rec.precision(self.announced)


#: What an import or add did (shared with the signals).
ImportReport = rec.ImportReport


def make_entry(values: dict[str, str], line: int | None = None) -> LedgerEntry:
    """One checked entry from text values; raises rec.BadValue."""
    show = rec.text(values, "show_title", required=True)
    season = rec.season(values.get("season"))
    outcome = rec.choice(values.get("outcome"), "outcome", OUTCOMES, _OUTCOME_HINTS)
    announced, announced_date = rec.when(values.get("announced"), "announced")
    source = rec.url(values.get("source"), "source", required=outcome in NEEDS_SOURCE,
                     why=f"a '{outcome}' entry needs its source")
    tier = rec.choice(values.get("tier"), "tier", TIERS) if (values.get("tier") or "").strip() else None
    return LedgerEntry(show or "", season, outcome, announced, announced_date, source,
                       rec.text(values, "note"), rec.text(values, "season_title"), line, tier)


def parse_ledger_file(path: Path | str) -> list[LedgerEntry]:
    """Every entry of a ledger CSV/TSV, all checked; the first problem raises InputError."""
    return rec.parse_records(
        path, REQUIRED, OPTIONAL, make_entry, lambda e: e.key,
        lambda e, first: rec.BadValue(
            "season", f"'{e.show_title}' season {e.season} ({e.outcome}) is already on line {first}",
            "one row per season and outcome; keep the earliest report and put the rest in the note"))


def import_ledger(store: Store, path: Path | str, *, recorded_by: str | None = None) -> ImportReport:
    """Check a whole file, then record it in one write (or nothing, on any problem)."""
    entries = parse_ledger_file(path)
    with store.writing() as con:
        return apply(con, entries, recorded_by=recorded_by, path=str(path))


def add_entry(store: Store, *, show_title: str, season: int, outcome: str, announced: str,
              source: str | None = None, note: str | None = None, season_title: str | None = None,
              recorded_by: str | None = None) -> ImportReport:
    """Record (or correct) one decision."""
    values = {"show_title": show_title, "season": str(season), "outcome": outcome, "announced": announced,
              "source": source or "", "note": note or "", "season_title": season_title or ""}
    try:
        entry = make_entry(values)
    except rec.BadValue as bad:
        raise InputError("ledger entry", bad.problem, column=bad.column, hint=bad.hint) from None
    with store.writing() as con:
        return apply(con, [entry], recorded_by=recorded_by, path="ledger entry")


def apply(con: duckdb.DuckDBPyConnection, entries: list[LedgerEntry], *, recorded_by: str | None,
          path: str = "", now: dt.datetime | None = None) -> ImportReport:
    """Write checked entries on an open write connection; corrections keep the old row."""
    now = now or dt.datetime.now()
    index = rec.SeasonIndex(con)
    report: rec.ImportReport[LedgerEntry] = ImportReport(path)
    current = {(normalize(r["show_title"]), r["season"], r["outcome"]): r for r in rows_as_dicts(con.execute(
        "SELECT * FROM ledger"))}
    inserts, replaced = [], []
    for e in entries:
        slug = index.match(e.show_title, e.season, e.season_title)
        if slug is None:
            report.unmatched.append(e)
        old = current.get(e.key)
        if old is not None and _same(old, e):
            report.unchanged.append(e)
            if old["slug"] != slug:
                con.execute("UPDATE ledger SET slug = ? WHERE show_title = ? AND season = ? AND outcome = ?",
                            [slug, old["show_title"], e.season, e.outcome])
            continue
        (report.changed if old is not None else report.added).append(e)
        if old is not None:
            replaced.append(old)
        inserts.append([e.show_title, e.season, e.season_title, e.outcome, e.announced, e.announced_date,
                        e.source, e.tier, e.note, slug, now, recorded_by])
    for old in replaced:
        where = "show_title = ? AND season = ? AND outcome = ?"
        keys = [old["show_title"], old["season"], old["outcome"]]
        con.execute(f"INSERT INTO ledger_history ({_COLUMNS}, replaced_at, replaced_by) "
                    f"SELECT {_COLUMNS}, ?, ? FROM ledger WHERE {where}", [now, recorded_by, *keys])
        con.execute(f"DELETE FROM ledger WHERE {where}", keys)
    if inserts:
        con.executemany(f"INSERT INTO ledger ({_COLUMNS}) VALUES ({', '.join('?' * 12)})", inserts)
    return report


def _same(row: dict[str, Any], e: LedgerEntry) -> bool:
    return (row["outcome"], row["announced"], row["source"], row["note"], row["season_title"], row["tier"]) == (
        e.outcome, e.announced, e.source, e.note, e.season_title, e.tier)


def rematch(con: duckdb.DuckDBPyConnection) -> None:
    """Point every ledger row (current and past) at its season again, after seasons are rebuilt."""
    index = rec.SeasonIndex(con)
    for table in ("ledger", "ledger_history"):
        rows = con.execute(f"SELECT DISTINCT show_title, season, season_title, slug FROM {table}").fetchall()
        updates = [[new, show, season, label or ""] for show, season, label, slug in rows
                   if (new := index.match(show, season, label)) != slug]
        if updates:
            con.executemany(f"UPDATE {table} SET slug = ? WHERE show_title = ? AND season = ? "
                            "AND coalesce(season_title, '') = ?", updates)


# -- reading ---------------------------------------------------------------------------
def _public(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: rec.iso(v) for k, v in row.items()}
    if isinstance(row.get("announced"), str):
        out["precision"] = rec.precision(row["announced"])
        out["how_known"] = how_known(row)
    out["charted"] = row.get("slug") is not None
    if not out["charted"]:
        out["flag"] = NOT_CHARTED
    return out


def how_known(row: dict[str, Any]) -> str:
    """How the decision's day is known, in words: 'announced 2022-11-08', 'announced in 2024-07,
    day unknown', 'reported by 2026-03-01, day unknown'."""
    announced = row["announced"]
    if announced.startswith("<="):
        return f"reported by {announced[2:]}, day unknown"
    return f"announced {announced}" if len(announced) == 10 else f"announced in {announced}, day unknown"


def reports(con: duckdb.DuckDBPyConnection, slug: str) -> list[dict[str, Any]]:
    """Unofficial claims about a season ('reported'): shown as such, never as its decision."""
    return [_public(r) for r in rows_as_dicts(con.execute(
        f"SELECT {_COLUMNS} FROM ledger WHERE slug = ? AND outcome = 'reported' ORDER BY announced_date", [slug]))]


def all_reports(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every unofficial claim about a charted season, oldest first."""
    return [_public(r) for r in rows_as_dicts(con.execute(
        f"SELECT {_COLUMNS} FROM ledger WHERE slug IS NOT NULL AND outcome = 'reported' ORDER BY announced_date"))]


def list_entries(con: duckdb.DuckDBPyConnection, outcome: str | None = None) -> list[dict[str, Any]]:
    """Current decisions, newest first; ``outcome`` filters (renewed, canceled, final, limited,
    ... or 'reported' for the unofficial claims, which are left out otherwise). The seasons
    still awaiting a decision are ``renewcast.status.awaiting``."""
    if outcome is not None and outcome not in OUTCOMES:
        raise InputError("ledger filter", f"'{outcome}' is not an outcome", column="outcome",
                         hint="one of: " + ", ".join(OUTCOMES))
    rows = rows_as_dicts(con.execute(
        f"SELECT {_COLUMNS} FROM ledger WHERE (? IS NULL AND outcome <> 'reported') OR outcome = ? "
        "ORDER BY announced_date DESC, show_title, season", [outcome, outcome]))
    return [_public(r) for r in rows]


def status(con: duckdb.DuckDBPyConnection, slug: str, as_of: dt.date | None = None) -> dict[str, Any] | None:
    """The decision on a season as of a date (its latest event), with the season's whole
    story (``events``, oldest first) and replaced versions (``history``); None: awaiting."""
    rows = rows_as_dicts(con.execute(
        f"SELECT {_COLUMNS} FROM ledger WHERE slug = ? AND outcome <> 'reported' "
        "AND (? IS NULL OR announced_date <= ?) "
        f"ORDER BY announced_date DESC, {_PRECEDENCE}", [slug, as_of, as_of]))
    if not rows:
        return None
    current = rows[0]
    old = rows_as_dicts(con.execute(
        f"SELECT {_COLUMNS}, replaced_at, replaced_by FROM ledger_history "
        "WHERE (show_title = ? AND season = ?) OR slug = ? ORDER BY replaced_at DESC",
        [current["show_title"], current["season"], slug]))
    return status_of(rows, old)


#: Every decision public on a date, each season's latest first (``status_of``'s order).
ALL_AS_OF = (f"SELECT {_COLUMNS} FROM ledger WHERE outcome <> 'reported' AND announced_date <= ? "
             f"ORDER BY slug, announced_date DESC, {_PRECEDENCE}")
#: Every replaced version, newest first.
ALL_HISTORY = f"SELECT {_COLUMNS}, replaced_at, replaced_by FROM ledger_history ORDER BY replaced_at DESC"


def status_of(rows: list[dict[str, Any]], old: list[dict[str, Any]]) -> dict[str, Any]:
    """A season's status from its events (latest first) and its replaced versions."""
    return {**_public(rows[0]), "events": [_public(r) for r in reversed(rows)], "history": [_public(r) for r in old]}


def season_status(con: duckdb.DuckDBPyConnection, season: dict[str, Any],
                  as_of: dt.date | None = None) -> dict[str, Any] | None:
    """What a season report shows: the decision as of a date, or outcome 'awaiting'; None for films."""
    if season.get("kind") != "TV":
        return None
    return status(con, season["slug"], as_of) or no_decision()


def no_decision() -> dict[str, Any]:
    """The status of a season with no decision yet."""
    return {"outcome": "awaiting", "announced": None, "source": None, "note": None, "events": [], "history": []}


def history(con: duckdb.DuckDBPyConnection, title: str) -> list[dict[str, Any]]:
    """Every version of the decisions on a show or season, current and replaced, oldest first.

    ``title`` is a show, a season label or a slug; entries for seasons that never
    charted are found by their recorded names. Empty when a known show has no decision
    (awaiting); raises TitleNotFound when the title is unknown.
    """
    current = rows_as_dicts(con.execute(f"SELECT {_COLUMNS}, NULL AS replaced_at, NULL AS replaced_by "
                                        "FROM ledger"))
    old = rows_as_dicts(con.execute(f"SELECT {_COLUMNS}, replaced_at, replaced_by FROM ledger_history"))
    key = normalize(title)

    def hit(row: dict[str, Any]) -> bool:
        return row["slug"] == title.strip() or key in (normalize(row["show_title"]),
                                                       normalize(row["season_title"] or ""))

    found = [r for r in current + old if hit(r)]
    if not found:
        from renewcast import lookup

        season = lookup.resolve(con, title)  # an alias or original name; raises if unknown
        found = [r for r in current + old if r["show_title"] == season["show_title"]]
    found.sort(key=lambda r: (r["show_title"], r["season"], r["recorded_at"]))
    return [{**_public(r), "current": r["replaced_at"] is None} for r in found]
