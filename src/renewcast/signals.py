"""Fan and critic signals: dated observations per season (petitions, ratings, hashtag views).

Same rules as the ledger: a file is checked whole before anything is written, one
write per import. An observation is identified by (show, season, kind, platform,
observed); importing it again with a new value replaces the old value.
"""

from __future__ import annotations

import datetime as dt
import functools
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
    "BUNDLED_SIGNALS", "KINDS", "Observation", "SignalsReport", "add_signal", "apply", "for_season",
    "import_signals", "list_signals", "make_observation", "parse_signals_file", "rematch",
]

BUNDLED_SIGNALS = BUNDLED_DATA / "signals.csv"
REQUIRED = ("show_title", "season", "kind", "value", "observed")
OPTIONAL = ("platform", "url", "note")


@dataclass(frozen=True)
class Kind:
    description: str
    low: float = 0.0
    high: float | None = None
    whole: bool = True  # a count


#: Known kinds of observation and their valid ranges (add new kinds here).
KINDS: dict[str, Kind] = {
    "petition_signatures": Kind("signatures on a renewal petition"),
    "imdb_rating": Kind("IMDb user rating, 0-10", 0, 10, whole=False),
    "imdb_votes": Kind("number of IMDb ratings"),
    "rt_audience": Kind("Rotten Tomatoes audience score, %", 0, 100, whole=False),
    "rt_critics": Kind("Rotten Tomatoes critics score (Tomatometer), %", 0, 100, whole=False),
    "hashtag_views": Kind("views of the show's hashtags"),
    "social_posts": Kind("posts about the show"),
    "wikipedia_views": Kind("daily views of the show's English Wikipedia article"),
}
_COLUMNS = "show_title, season, slug, kind, value, observed, observed_date, platform, url, note, recorded_at"
_SELECT = (f"SELECT {', '.join('g.' + c.strip() for c in _COLUMNS.split(','))}, s.season_title "
           "FROM signals g LEFT JOIN seasons s USING (slug)")


@dataclass(frozen=True)
class Observation:
    show_title: str
    season: int
    kind: str
    value: float
    observed: str  # as written: YYYY-MM-DD or YYYY-MM
    observed_date: dt.date  # a month's last day for YYYY-MM
    platform: str | None = None
    url: str | None = None
    note: str | None = None
    line: int | None = None

    @property
    def key(self) -> tuple[str, int, str, str, str]:
        return (self.show_title, self.season, self.kind, self.platform or "", self.observed)


#: What an import or add did (the same report as the ledger's).
SignalsReport = rec.ImportReport


def _value(text: str | None, kind: str) -> float:
    spec = KINDS[kind]
    raw = (text or "").strip()
    hint = f"{kind} is the {spec.description}" + (", a whole number" if spec.whole else "")
    try:
        value = float(raw.replace(",", "").replace("_", "")) if raw else None
    except ValueError:
        value = None
    if value is None or value != value:  # empty, unreadable or NaN
        raise rec.BadValue("value", f"'{raw}' is not a number" if raw else "is empty", hint)
    if spec.whole and not value.is_integer():
        raise rec.BadValue("value", f"'{raw}' is not a whole number", hint)
    if value < spec.low or (spec.high is not None and value > spec.high):
        top = f"{spec.high:g}" if spec.high is not None else "no limit"
        raise rec.BadValue("value", f"{raw} is out of range for {kind}", f"from {spec.low:g} to {top}")
    return value


def make_observation(values: dict[str, str], line: int | None = None) -> Observation:
    """One checked observation from text values; raises rec.BadValue."""
    show = rec.text(values, "show_title", required=True) or ""
    season = rec.season(values.get("season"))
    kind = rec.choice(values.get("kind"), "kind", KINDS)
    value = _value(values.get("value"), kind)
    observed, observed_date = rec.when(values.get("observed"), "observed")
    platform = rec.text(values, "platform")
    return Observation(show, season, kind, value, observed, observed_date,
                       platform.lower() if platform else None, rec.url(values.get("url"), "url"),
                       rec.text(values, "note"), line)


def parse_signals_file(path: Path | str) -> list[Observation]:
    """Every observation of a signals CSV/TSV, all checked; the first problem raises InputError."""
    return rec.parse_records(
        path, REQUIRED, OPTIONAL, make_observation, lambda o: o.key,
        lambda o, first: rec.BadValue("observed", f"the same {o.kind} observation is already on line {first}",
                                      "one value per season, kind, platform and date"))


# Signals are not model features: recording one never marks the stored forecasts stale.


def import_signals(store: Store, path: Path | str) -> SignalsReport:
    observations = parse_signals_file(path)
    with store.writing(changes_data=False) as con:
        return apply(con, observations, path=str(path))


def add_signal(store: Store, *, show_title: str, season: int, kind: str, value: str | float,
               observed: str, platform: str | None = None, url: str | None = None,
               note: str | None = None) -> SignalsReport:
    values = {"show_title": show_title, "season": str(season), "kind": kind, "value": str(value),
              "observed": observed, "platform": platform or "", "url": url or "", "note": note or ""}
    try:
        obs = make_observation(values)
    except rec.BadValue as bad:
        raise InputError("signal", bad.problem, column=bad.column, hint=bad.hint) from None
    with store.writing(changes_data=False) as con:
        return apply(con, [obs], path="signal")


def apply(con: duckdb.DuckDBPyConnection, observations: list[Observation], *, path: str = "",
          now: dt.datetime | None = None) -> SignalsReport:
    """Write checked observations on an open write connection."""
    now = now or dt.datetime.now()
    index = rec.SeasonIndex(con)
    report: rec.ImportReport[Observation] = SignalsReport(path)
    where = "show_title = ? AND season = ? AND kind = ? AND coalesce(platform, '') = ? AND observed = ?"
    for obs in observations:
        slug = index.match(obs.show_title, obs.season)
        if slug is None:
            report.unmatched.append(obs)
        old = con.execute(f"SELECT value, url, note FROM signals WHERE {where}", list(obs.key)).fetchall()
        if old and old[0] == (obs.value, obs.url, obs.note):
            report.unchanged.append(obs)
            continue
        (report.changed if old else report.added).append(obs)
        con.execute(f"DELETE FROM signals WHERE {where}", list(obs.key))
        con.execute(f"INSERT INTO signals ({_COLUMNS}) VALUES ({', '.join('?' * 11)})",
                    [obs.show_title, obs.season, slug, obs.kind, obs.value, obs.observed, obs.observed_date,
                     obs.platform, obs.url, obs.note, now])
    return report


def rematch(con: duckdb.DuckDBPyConnection) -> None:
    """Point every observation at its season again, after seasons are rebuilt."""
    index = rec.SeasonIndex(con)
    rows = con.execute("SELECT DISTINCT show_title, season, slug FROM signals").fetchall()
    updates = [[new, show, season] for show, season, slug in rows if (new := index.match(show, season)) != slug]
    if updates:
        con.executemany("UPDATE signals SET slug = ? WHERE show_title = ? AND season = ?", updates)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: rec.iso(v) for k, v in row.items()}
    if KINDS.get(row["kind"], Kind("")).whole and float(row["value"]).is_integer():
        out["value"] = int(row["value"])
    out["charted"] = row["slug"] is not None
    return out


def for_season(con: duckdb.DuckDBPyConnection, slug: str, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """A season's observations (those public by ``as_of`` when given), by kind then date."""
    rows = rows_as_dicts(con.execute(
        f"{_SELECT} WHERE g.slug = ? AND (?::DATE IS NULL OR g.observed_date <= ?::DATE) "
        "ORDER BY g.kind, g.observed_date, g.platform", [slug, as_of, as_of]))
    return [_public(r) for r in rows]


def list_signals(con: duckdb.DuckDBPyConnection, title: str | None = None) -> list[dict[str, Any]]:
    """All observations, or those of one show or season (by name, season label or slug)."""
    rows = rows_as_dicts(con.execute(f"{_SELECT} ORDER BY g.show_title, g.season, g.kind, g.observed_date, "
                                     "g.platform"))
    if title is None:
        return [_public(r) for r in rows]
    key = normalize(title)
    found = [r for r in rows if r["slug"] == title.strip()
             or key in (normalize(r["show_title"]), normalize(r["season_title"] or ""))]
    if not found:
        from renewcast import lookup

        season = lookup.resolve(con, title)  # raises TitleNotFound with suggestions
        found = [r for r in rows if r["show_title"] == season["show_title"]]
    return [_public(r) for r in found]


# -- attention from public datasets (IMDb ratings, Wikipedia page views) ----------------------------
BUNDLED_SHOW_FACTS = BUNDLED_DATA / "show_facts.csv"
@functools.cache
def show_facts_rows() -> tuple[dict[str, str], ...]:
    """data/show_facts.csv, read once: what each show is (report) and its public ids (here)."""
    import csv

    with open(BUNDLED_SHOW_FACTS, encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def show_ids() -> list[dict[str, str]]:
    """The shows with an IMDb id or a Wikipedia article in the curated show facts."""
    return [r for r in show_facts_rows() if r.get("imdb_id") or r.get("wikipedia_title")]


def _season_on(con: duckdb.DuckDBPyConnection, show_title: str) -> list[tuple[dt.date, int]]:
    rows = con.execute("SELECT premiere, season_number FROM seasons WHERE kind = 'TV' AND show_title = ? "
                       "AND season_number IS NOT NULL ORDER BY premiere", [show_title]).fetchall()
    return [(p, n) for p, n in rows if p is not None]


def _latest_by(seasons: list[tuple[dt.date, int]], day: dt.date) -> int | None:
    """The season a day's attention belongs to: the latest released by then."""
    found = [n for premiere, n in seasons if premiere <= day]
    return found[-1] if found else None


def _store_new(store: Store, observations: list[Observation], path: str) -> SignalsReport:
    """Add observations whose (show, season, kind, platform, day) is not recorded yet: a past
    observation is never rewritten (a later download may restate it: the first one read stays)."""
    with store.writing(changes_data=False) as con:
        have = {(r[0], r[1], r[2], r[3] or "", r[4]) for r in con.execute(
            "SELECT show_title, season, kind, platform, observed FROM signals").fetchall()}
        fresh = [o for o in observations if o.key not in have]
        report = apply(con, fresh, path=path)
        report.unchanged.extend(o for o in observations if o.key in have)
        return report


def refresh_imdb(store: Store, url: str | None = None, *, today: dt.date | None = None,
                 shows: list[dict[str, str]] | None = None, **limits: Any) -> SignalsReport | None:
    """Download IMDb's ratings dataset (a conditional request: None when it is unchanged) and
    record each show's rating and votes for today, on its latest released season."""
    from renewcast import clock
    from renewcast.sources import attention, download

    url = url or attention.IMDB_RATINGS_URL
    today = today or clock.today()
    ids = {r["imdb_id"]: r["show_title"] for r in (shows if shows is not None else show_ids()) if r.get("imdb_id")}
    with store.download_folder() as tmp:
        got = download.fetch(store, url, Path(tmp) / "title.ratings.tsv.gz", conditional=True, **limits)
        if got is None:
            return None
        ratings = attention.parse_imdb_ratings(got.path, set(ids))
        observations = []
        with store.reading() as con:
            for tconst, (rating, votes) in sorted(ratings.items()):
                season = _latest_by(_season_on(con, ids[tconst]), today)
                if season is None:
                    continue
                for kind, value in (("imdb_rating", rating), ("imdb_votes", votes)):
                    observations.append(Observation(ids[tconst], season, kind, float(value), today.isoformat(),
                                                    today, "imdb", url, f"IMDb dataset, {tconst}"))
        report = _store_new(store, observations, url)
        download.remember(store, url, got)
        return report


def refresh_wikipedia(store: Store, base_url: str | None = None, *, since: dt.date | None = None,
                      today: dt.date | None = None, shows: list[dict[str, str]] | None = None,
                      **limits: Any) -> SignalsReport:
    """Each show's daily Wikipedia page views from ``since`` (default: the day after the last
    one stored, or the Top 10's first week) to yesterday, every article fetched before any is
    stored (all or nothing), each day recorded on the season released by then."""
    from renewcast import clock
    from renewcast.sources import attention, download

    base_url = base_url or attention.PAGEVIEWS_BASE_URL
    today = today or clock.today()
    end = today - dt.timedelta(days=1)
    articles = {r["wikipedia_title"]: r["show_title"] for r in (shows if shows is not None else show_ids())
                if r.get("wikipedia_title")}
    observations: list[Observation] = []
    with store.reading() as con, store.download_folder() as tmp:
        last = dict(con.execute("SELECT show_title, max(observed_date) FROM signals WHERE kind = 'wikipedia_views' "
                                "GROUP BY 1").fetchall())
        for n, (article, show) in enumerate(sorted(articles.items())):
            start = since or (last[show] + dt.timedelta(days=1) if last.get(show) else dt.date(2021, 6, 28))
            start = max(start, attention.PAGEVIEWS_FROM)
            if start > end:
                continue
            url = attention.pageviews_url(base_url, article, start, end)
            got = download.fetch(store, url, Path(tmp) / f"{n}.json", **limits)
            assert got is not None  # no validators were sent
            seasons = _season_on(con, show)
            for day, views in attention.parse_pageviews(got.path.read_bytes(), url):
                season = _latest_by(seasons, day)
                if season is not None and start <= day <= end:
                    observations.append(Observation(show, season, "wikipedia_views", float(views), day.isoformat(),
                                                    day, "wikipedia", url, f"en.wikipedia: {article}"))
    return _store_new(store, observations, base_url)
