"""The title catalog: what each show is, so renewcast asks only what Netflix will decide.

One row per TV show (``season`` 0), and a row per season where that season differs
(a network's early seasons, a final season). Three labels:

- ``netflix_decides``: yes (Netflix orders the seasons), no (licensed: another network
  or studio decides, a rerun, a live event), unknown;
- ``format``: scripted drama or comedy, animation, anime, kids, reality, docuseries,
  stand-up and variety, sports and live events, unknown;
- ``run``: ongoing, limited (planned as one season), anthology, ended, unknown.

Each row says what it rests on (``evidence``) and, for a web page, its ``source``.
The shipped rows are in data/catalog.csv (see data/README.md); corrections keep the
old row in ``catalog_history``, as the ledger does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from renewcast import _records as rec
from renewcast.config import BUNDLED_DATA
from renewcast.errors import InputError
from renewcast.store import Store, rows_as_dicts
from renewcast.titles import normalize

__all__ = [
    "BUNDLED_CATALOG", "DECIDES", "EVIDENCE", "FORMATS", "RUNS", "CatalogEntry", "Label", "apply",
    "import_catalog", "label_for", "labels_by_slug", "list_entries", "parse_catalog_file", "set_entry",
]

BUNDLED_CATALOG = BUNDLED_DATA / "catalog.csv"
DECIDES = ("yes", "no", "unknown")
FORMATS = ("scripted_drama", "scripted_comedy", "animation", "anime", "kids", "reality", "docuseries",
           "standup_variety", "sports_live", "unknown")
RUNS = ("ongoing", "limited", "anthology", "ended", "unknown")
#: What a label may rest on; ``page`` needs a source URL.
EVIDENCE = ("engagement", "originals_list", "wikipedia_ended_list", "title_marker", "ledger", "page", "user")
FORMAT_WORDS = {
    "scripted_drama": "scripted drama", "scripted_comedy": "scripted comedy", "animation": "animation",
    "anime": "anime", "kids": "kids & preschool", "reality": "reality & competition",
    "docuseries": "docuseries & true crime", "standup_variety": "stand-up & variety",
    "sports_live": "sports & live events", "unknown": "format unknown",
}
REQUIRED = ("show_title", "netflix_decides", "format", "run")
OPTIONAL = ("season", "evidence", "source", "note")
_COLUMNS = ("show_key, show_title, season, netflix_decides, format, run, evidence, source, note, "
            "recorded_at, recorded_by")


@dataclass(frozen=True)
class CatalogEntry:
    show_title: str
    season: int  # 0: the whole show
    netflix_decides: str
    format: str
    run: str
    evidence: str | None = None
    source: str | None = None
    note: str | None = None
    line: int | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (normalize(self.show_title), self.season)


@dataclass(frozen=True)
class Label:
    """What the catalog says of one season (its own row, else its show's, else unknown)."""

    netflix_decides: str = "unknown"
    format: str = "unknown"
    run: str = "unknown"
    evidence: str | None = None
    source: str | None = None
    note: str | None = None
    scope: str = "none"  # season | show | none

    @property
    def live_event(self) -> bool:
        return self.format == "sports_live"

    @property
    def awaits_decision(self) -> bool:
        """Netflix decides this season's future, and it can still have one."""
        return self.could_await(past=False)

    def could_await(self, *, past: bool) -> bool:
        """``past``: on a past date, "ended" is hindsight (the ledger dates when it ended);
        licensed, limited, anthology and live are true at any date."""
        runs = ("ongoing", "unknown", "ended") if past else ("ongoing", "unknown")
        return self.netflix_decides == "yes" and self.run in runs and not self.live_event

    @property
    def why_not_awaited(self) -> str | None:
        """In plain words, why the board leaves this season out (None: it is on the board)."""
        if self.netflix_decides == "no":
            return "licensed: Netflix does not decide its seasons" if not self.live_event else "a live event"
        if self.netflix_decides == "unknown":
            return "not known whether Netflix decides its seasons"
        if self.live_event:
            return "a live event"
        if self.run == "limited":
            return "a limited series, planned as one season"
        if self.run == "anthology":
            return "an anthology"
        if self.run == "ended":
            return "the show has ended"
        return None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "format_words": FORMAT_WORDS[self.format],
                "awaits_decision": self.awaits_decision, "why_not_awaited": self.why_not_awaited}


UNKNOWN = Label()


def make_entry(values: dict[str, str], line: int | None = None) -> CatalogEntry:
    """One checked row from text values; raises rec.BadValue."""
    show = rec.text(values, "show_title", required=True) or ""
    raw_season = (values.get("season") or "").strip()
    season = 0 if raw_season in ("", "0") else rec.season(raw_season)
    decides = rec.choice(values.get("netflix_decides"), "netflix_decides", DECIDES)
    fmt = rec.choice(values.get("format"), "format", FORMATS)
    run = rec.choice(values.get("run"), "run", RUNS)
    evidence = rec.text(values, "evidence")
    for part in (evidence or "").split("+"):
        if evidence and part not in EVIDENCE:
            raise rec.BadValue("evidence", f"'{part}' is not a kind of evidence",
                               "one or more of " + ", ".join(EVIDENCE) + ", joined with +")
    needs_page = evidence is not None and "page" in evidence.split("+")
    source = rec.url(values.get("source"), "source", required=needs_page,
                     why="evidence 'page' names the page it rests on")
    return CatalogEntry(show, season, decides, fmt, run, evidence, source, rec.text(values, "note"), line)


def parse_catalog_file(path: Path | str) -> list[CatalogEntry]:
    return rec.parse_records(
        path, REQUIRED, OPTIONAL, make_entry, lambda e: e.key,
        lambda e, first: rec.BadValue("show_title", f"'{e.show_title}' is already on line {first}",
                                      "one row per show (and per season where it differs)"))


def apply(con: duckdb.DuckDBPyConnection, entries: list[CatalogEntry], *, recorded_by: str | None,
          path: str = "", now: dt.datetime | None = None) -> rec.ImportReport[CatalogEntry]:
    """Write checked rows on an open write connection; a changed row keeps the old one in history."""
    now = now or dt.datetime.now()
    report: rec.ImportReport[CatalogEntry] = rec.ImportReport(path)
    current = {(r["show_key"], r["season"]): r for r in rows_as_dicts(con.execute("SELECT * FROM catalog"))}
    shows = {normalize(s) for (s,) in con.execute("SELECT DISTINCT show_title FROM seasons").fetchall()}
    inserts = []
    for e in entries:
        if e.key[0] not in shows:
            report.unmatched.append(e)
        old = current.get(e.key)
        fields = (e.netflix_decides, e.format, e.run, e.evidence, e.source, e.note)
        if old is not None and fields == tuple(old[k] for k in ("netflix_decides", "format", "run", "evidence",
                                                              "source", "note")):
            report.unchanged.append(e)
            continue
        (report.changed if old is not None else report.added).append(e)
        if old is not None:
            con.execute(f"INSERT INTO catalog_history ({_COLUMNS}, replaced_at, replaced_by) "
                        f"SELECT {_COLUMNS}, ?, ? FROM catalog WHERE show_key = ? AND season = ?",
                        [now, recorded_by, *e.key])
            con.execute("DELETE FROM catalog WHERE show_key = ? AND season = ?", list(e.key))
        inserts.append([e.key[0], e.show_title, e.season, *fields, now, recorded_by])
    if inserts:
        con.executemany(f"INSERT INTO catalog ({_COLUMNS}) VALUES ({', '.join('?' * 11)})", inserts)
    return report


def import_catalog(store: Store, path: Path | str, *, recorded_by: str | None = None
                   ) -> rec.ImportReport[CatalogEntry]:
    """Check a whole file, then record it in one write (or nothing, on any problem)."""
    entries = parse_catalog_file(path)
    with store.writing() as con:
        return apply(con, entries, recorded_by=recorded_by, path=str(path))


def set_entry(store: Store, *, show_title: str, season: int = 0, netflix_decides: str, format: str,
              run: str, evidence: str | None = "user", source: str | None = None, note: str | None = None,
              recorded_by: str | None = None) -> rec.ImportReport[CatalogEntry]:
    """Record (or correct) what one show, or one season of it, is."""
    values = {"show_title": show_title, "season": str(season), "netflix_decides": netflix_decides,
              "format": format, "run": run, "evidence": evidence or "", "source": source or "",
              "note": note or ""}
    try:
        entry = make_entry(values)
    except rec.BadValue as bad:
        raise InputError("catalog entry", bad.problem, column=bad.column, hint=bad.hint) from None
    with store.writing() as con:
        return apply(con, [entry], recorded_by=recorded_by, path="catalog entry")


# -- reading ---------------------------------------------------------------------------
#: Each TV season with the catalog row that applies: its own, else its show's.
LABELS_SQL = """
SELECT s.slug, coalesce(cs.netflix_decides, c.netflix_decides, 'unknown') AS netflix_decides,
       coalesce(cs.format, c.format, 'unknown') AS format, coalesce(cs.run, c.run, 'unknown') AS run,
       CASE WHEN cs.show_key IS NOT NULL THEN cs.evidence ELSE c.evidence END AS evidence,
       CASE WHEN cs.show_key IS NOT NULL THEN cs.source ELSE c.source END AS source,
       CASE WHEN cs.show_key IS NOT NULL THEN cs.note ELSE c.note END AS note,
       CASE WHEN cs.show_key IS NOT NULL THEN 'season' WHEN c.show_key IS NOT NULL THEN 'show'
            ELSE 'none' END AS scope
FROM seasons s
LEFT JOIN catalog c ON c.show_key = s.show_key AND c.season = 0
LEFT JOIN catalog cs ON cs.show_key = s.show_key AND cs.season = s.season_number
WHERE s.kind = 'TV'
"""


def labels_by_slug(con: duckdb.DuckDBPyConnection) -> dict[str, Label]:
    """Every TV season's label, in one query (the forecast's board reads them all)."""
    return {r.pop("slug"): Label(**r) for r in rows_as_dicts(con.execute(LABELS_SQL))}


def label_for(con: duckdb.DuckDBPyConnection, slug: str) -> Label:
    rows = rows_as_dicts(con.execute(LABELS_SQL + " AND s.slug = ?", [slug]))
    if not rows:
        return UNKNOWN
    row = rows[0]
    row.pop("slug")
    return Label(**row)


def list_entries(con: duckdb.DuckDBPyConnection, *, netflix_decides: str | None = None,
                 format: str | None = None, run: str | None = None) -> list[dict[str, Any]]:
    """Catalog rows, by title; each filter narrows to one label value."""
    for value, allowed, name in ((netflix_decides, DECIDES, "netflix_decides"), (format, FORMATS, "format"),
                                 (run, RUNS, "run")):
        if value is not None and value not in allowed:
            raise InputError("catalog filter", f"'{value}' is not allowed", column=name,
                             hint="one of: " + ", ".join(allowed))
    rows = rows_as_dicts(con.execute(
        f"SELECT {_COLUMNS} FROM catalog WHERE ($1 IS NULL OR netflix_decides = $1) "
        "AND ($2 IS NULL OR format = $2) AND ($3 IS NULL OR run = $3) ORDER BY show_key, season",
        [netflix_decides, format, run]))
    return [{k: rec.iso(v) for k, v in r.items()} for r in rows]


def history(con: duckdb.DuckDBPyConnection, show_title: str) -> list[dict[str, Any]]:
    """Every version of a show's rows, current and replaced, oldest first."""
    key = normalize(show_title)
    rows = rows_as_dicts(con.execute(
        f"SELECT {_COLUMNS}, NULL AS replaced_at, NULL AS replaced_by, true AS current FROM catalog "
        f"WHERE show_key = $1 UNION ALL SELECT {_COLUMNS}, replaced_at, replaced_by, false FROM catalog_history "
        "WHERE show_key = $1 ORDER BY season, recorded_at", [key]))
    return [{k: rec.iso(v) for k, v in r.items()} for r in rows]
