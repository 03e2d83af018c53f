"""The DuckDB store: one file holding every ingested table and the derived season index.

Writes are all-or-nothing: a writer copies the database file, changes the copy in
one transaction and swaps it into place with an atomic rename. A crash, a bad file
or a truncated download therefore leaves the original exactly as it was, and
readers (the web server) never wait for a writer nor see half an ingest.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import fcntl
import hashlib
import itertools
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from renewcast import titles
from renewcast.config import BUNDLED_DATA
from renewcast.errors import StoreError
from renewcast.sources import Parsed, expand_paths, parse_file
from renewcast.sources.top10 import KEYS
from renewcast.sources.tsv import stage_tsv

SCHEMA_VERSION = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS top10_global (
    week DATE NOT NULL, category VARCHAR NOT NULL, weekly_rank INTEGER NOT NULL,
    show_title VARCHAR NOT NULL, season_title VARCHAR, weekly_hours_viewed BIGINT NOT NULL,
    runtime DOUBLE, weekly_views BIGINT, cumulative_weeks_in_top_10 INTEGER NOT NULL,
    published DATE, PRIMARY KEY (week, category, weekly_rank));
CREATE TABLE IF NOT EXISTS top10_country (
    country_name VARCHAR NOT NULL, country_iso2 VARCHAR NOT NULL, week DATE NOT NULL,
    category VARCHAR NOT NULL, weekly_rank INTEGER NOT NULL, show_title VARCHAR NOT NULL,
    season_title VARCHAR, cumulative_weeks_in_top_10 INTEGER NOT NULL,
    published DATE, PRIMARY KEY (country_iso2, week, category, weekly_rank));
CREATE TABLE IF NOT EXISTS most_popular (
    category VARCHAR NOT NULL, rank INTEGER NOT NULL, show_title VARCHAR NOT NULL,
    season_title VARCHAR, hours_viewed_first_91_days BIGINT NOT NULL, runtime DOUBLE,
    views_first_91_days BIGINT, PRIMARY KEY (category, rank));
CREATE TABLE IF NOT EXISTS engagement (
    report VARCHAR NOT NULL, sheet_kind VARCHAR NOT NULL, title VARCHAR NOT NULL,
    title_english VARCHAR NOT NULL, title_original VARCHAR, available_globally BOOLEAN,
    release_date DATE, hours_viewed BIGINT NOT NULL, runtime_hours DOUBLE, views BIGINT);
CREATE TABLE IF NOT EXISTS reports (
    report VARCHAR PRIMARY KEY, period_start DATE, period_end DATE, published DATE);
CREATE TABLE IF NOT EXISTS title_aliases (
    alias_show VARCHAR NOT NULL, alias_season VARCHAR NOT NULL,
    show_title VARCHAR NOT NULL, season_title VARCHAR NOT NULL, source VARCHAR,
    PRIMARY KEY (alias_show, alias_season, show_title, season_title));
-- Renewal decisions, one current row per (show, season, outcome): a season's story may
-- hold a renewal and its reversal. ledger.apply keeps that unique. Edits keep the old row in
-- ledger_history. announced_date is when the decision became public: for a month-only
-- date ('2023-05') the month's last day, so an as-of forecast never sees it early.
CREATE TABLE IF NOT EXISTS ledger (
    show_title VARCHAR NOT NULL, season INTEGER NOT NULL, season_title VARCHAR,
    outcome VARCHAR NOT NULL, announced VARCHAR NOT NULL, announced_date DATE NOT NULL,
    source VARCHAR, note VARCHAR, slug VARCHAR,
    recorded_at TIMESTAMP NOT NULL, recorded_by VARCHAR, tier VARCHAR);
CREATE TABLE IF NOT EXISTS ledger_history (
    show_title VARCHAR NOT NULL, season INTEGER NOT NULL, season_title VARCHAR,
    outcome VARCHAR NOT NULL, announced VARCHAR NOT NULL, announced_date DATE NOT NULL,
    source VARCHAR, note VARCHAR, slug VARCHAR, tier VARCHAR,
    recorded_at TIMESTAMP NOT NULL, recorded_by VARCHAR,
    replaced_at TIMESTAMP NOT NULL, replaced_by VARCHAR);
-- What each show is (data/catalog.csv and 'renewcast catalog set'): season 0 is the
-- whole show, a season number overrides it for that season. show_key is the normalised
-- title, so a title's case or spelling never makes a second row.
CREATE TABLE IF NOT EXISTS catalog (
    show_key VARCHAR NOT NULL, show_title VARCHAR NOT NULL, season INTEGER NOT NULL,
    netflix_decides VARCHAR NOT NULL, format VARCHAR NOT NULL, run VARCHAR NOT NULL,
    evidence VARCHAR, source VARCHAR, note VARCHAR,
    recorded_at TIMESTAMP NOT NULL, recorded_by VARCHAR,
    PRIMARY KEY (show_key, season));
CREATE TABLE IF NOT EXISTS catalog_history (
    show_key VARCHAR NOT NULL, show_title VARCHAR NOT NULL, season INTEGER NOT NULL,
    netflix_decides VARCHAR NOT NULL, format VARCHAR NOT NULL, run VARCHAR NOT NULL,
    evidence VARCHAR, source VARCHAR, note VARCHAR,
    recorded_at TIMESTAMP NOT NULL, recorded_by VARCHAR,
    replaced_at TIMESTAMP NOT NULL, replaced_by VARCHAR);
-- Fan and critic signals: time-stamped observations per season.
-- kind: petition_signatures | imdb_rating | imdb_votes | rt_audience | rt_critics |
--       hashtag_views | social_posts (extendable)
CREATE TABLE IF NOT EXISTS signals (
    show_title VARCHAR NOT NULL, season INTEGER NOT NULL, slug VARCHAR,
    kind VARCHAR NOT NULL, value DOUBLE NOT NULL, observed VARCHAR NOT NULL,
    observed_date DATE NOT NULL, platform VARCHAR, url VARCHAR, note VARCHAR,
    recorded_at TIMESTAMP NOT NULL);
-- Stores made before publications were dated (schema 1) gain the column.
ALTER TABLE top10_global ADD COLUMN IF NOT EXISTS published DATE;
ALTER TABLE top10_country ADD COLUMN IF NOT EXISTS published DATE;
ALTER TABLE ledger ADD COLUMN IF NOT EXISTS tier VARCHAR;
ALTER TABLE ledger_history ADD COLUMN IF NOT EXISTS tier VARCHAR;
CREATE TABLE IF NOT EXISTS ingests (
    ingested_at TIMESTAMP NOT NULL, path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, rows INTEGER NOT NULL);
"""

# Column order of each table as the staging CSV writes it.
_TABLE_COLUMNS = {
    "top10_global": [
        "week", "category", "weekly_rank", "show_title", "season_title",
        "weekly_hours_viewed", "runtime", "weekly_views", "cumulative_weeks_in_top_10",
    ],
    "top10_country": [
        "country_name", "country_iso2", "week", "category", "weekly_rank", "show_title",
        "season_title", "cumulative_weeks_in_top_10",
    ],
    "most_popular": [
        "category", "rank", "show_title", "season_title", "hours_viewed_first_91_days",
        "runtime", "views_first_91_days",
    ],
}
_ENGAGEMENT_COLUMNS = {  # table column -> parsed column
    "title": "Title", "title_english": "title_english", "title_original": "title_original",
    "available_globally": "Available Globally?", "release_date": "Release Date",
    "hours_viewed": "Hours Viewed", "runtime_hours": "Runtime", "views": "Views",
}


@dataclass
class IngestReport:
    """What one ingest did: per file, the kind recognised and the rows loaded."""

    files: list[tuple[str, str, int]] = field(default_factory=list)
    renamed: int = 0
    skipped: list[str] = field(default_factory=list)  # files already ingested, unchanged

    @property
    def rows(self) -> int:
        return sum(n for _, _, n in self.files)


class Store:
    """A renewcast database file. Cheap to construct; opens connections on demand."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    # -- reading -----------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.exists()

    def schema_version(self) -> int | None:
        """The schema the file was written with (None: no file, or not a renewcast store)."""
        if not self.exists():
            return None
        try:
            with self.reading() as con:
                row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except (duckdb.Error, StoreError):
            return None
        return int(row[0]) if row else None

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection; the caller closes it (or uses ``reading``)."""
        if not self.exists():
            raise StoreError(f"no database at {self.path}; run 'renewcast ingest' first")
        try:
            return duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as err:
            raise StoreError(f"cannot open {self.path}: {err}") from None

    @contextlib.contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self.connect()
        try:
            yield con
        finally:
            con.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.reading() as con:
            return rows_as_dicts(con.execute(sql, list(params)))

    # -- writing -----------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self, *, changes_data: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to a private copy; on success the copy atomically replaces the store.

        ``changes_data=False`` for writes that only record derived results (a backtest),
        which must not mark the stored forecasts stale.
        """
        make_folder(self.path.parent)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+") as lock, _disk_full_is_one_line():
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time; readers are never blocked
            self._remove_leftovers()  # holding the lock: any copy still here belongs to a dead writer
            fd, tmp_name = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
            os.close(fd)
            tmp = Path(tmp_name)
            # The new file keeps the store's mode (mkstemp makes 0600), or the umask's default.
            mode = self.path.stat().st_mode & 0o777 if self.exists() else 0o666 & ~_umask()
            try:
                if self.exists():
                    shutil.copyfile(self.path, tmp)
                else:
                    tmp.unlink()
                con = duckdb.connect(str(tmp))
                try:
                    _migrate(con)
                    con.execute(SCHEMA)
                    con.execute("BEGIN TRANSACTION")
                    # Every write gets a new data version; stored forecasts remember the
                    # version they were computed from, so readers can tell they are stale.
                    if changes_data:
                        con.execute("INSERT OR REPLACE INTO meta VALUES ('data_version', ?)", [uuid.uuid4().hex])
                    yield con
                    con.execute("COMMIT")
                    con.execute("CHECKPOINT")
                    compact = _compacted(con, tmp)
                finally:
                    con.close()
                tmp.unlink()
                tmp = compact
                os.chmod(tmp, mode)
                with open(tmp, "rb+") as handle:
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
                _fsync_dir(self.path.parent)  # the rename itself survives a power cut
            finally:
                for leftover in (tmp, Path(str(tmp) + ".wal"), Path(str(tmp) + ".compact.tmp")):
                    leftover.unlink(missing_ok=True)

    @contextlib.contextmanager
    def download_folder(self) -> Iterator[Path]:
        """A private folder next to the store for a download (the country file is large and
        /tmp may be small), removed afterwards; its owner holds a lock on it while it works, so
        a folder left by a killed download is recognised and removed by the next command."""
        make_folder(self.path.parent)
        with (tempfile.TemporaryDirectory(prefix=DOWNLOAD_PREFIX, dir=self.path.parent) as tmp,
              open(Path(tmp) / "owner.lock", "w") as owner):
            fcntl.flock(owner, fcntl.LOCK_EX)
            yield Path(tmp)

    def _remove_dead_downloads(self) -> None:
        """Download folders whose owner is gone (killed mid-download): their lock is free."""
        for folder in self.path.parent.glob(DOWNLOAD_PREFIX + "*"):
            owner = folder / "owner.lock"
            try:
                with open(owner, "a+") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except FileNotFoundError:  # being made this instant, or not ours: only old ones go
                if time.time() - folder.stat().st_mtime < 60:
                    continue
            except OSError:
                continue  # a live download holds it
            shutil.rmtree(folder, ignore_errors=True)

    def tidy(self) -> None:
        """Remove a dead writer's or a dead download's leftovers now, unless a writer is at
        work (never waits)."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        if not self.path.parent.is_dir():
            return
        self._remove_dead_downloads()
        with open(lock_path, "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return  # a live writer holds it: its files are not leftovers
            try:
                self._remove_leftovers()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _remove_leftovers(self) -> None:
        """Copies and staging files of a writer that died (kill -9, power cut)."""
        name = self.path.name
        for pattern in (f"{name}.*.tmp", f"{name}.*.tmp.wal", f"{name}.*.tmp.stage-*.csv"):
            for stale in self.path.parent.glob(pattern):
                stale.unlink(missing_ok=True)

    def ingest(self, paths: Sequence[Path | str], *, source: str = "user",
               then: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> IngestReport:
        """Load every file in one transaction, or nothing.

        DuckDB reads the Top 10 TSVs itself (``sources.tsv``); spreadsheets, and any TSV it
        refuses, go through the strict parser, which names the file, line and column of a
        bad value. ``then`` runs on the same write connection after the seasons are rebuilt.
        """
        files = expand_paths([Path(p) for p in paths])
        if not files:
            raise StoreError("no data files found in " + ", ".join(str(p) for p in paths))
        report = IngestReport()
        with self.writing() as con:
            for path in files:
                staged = stage_tsv(con, path, _stage_name())
                if staged is not None:
                    report.renamed += _load_staged(con, staged.kind, staged.table, staged.path,
                                                   staged.newest_week)
                    report.files.append((staged.path, staged.kind, staged.rows))
                    _record_ingest(con, path, [staged.kind], staged.rows)
                    continue
                tables = parse_file(path)
                for table in tables:
                    report.renamed += _load(con, table)
                    report.files.append((table.path, table.kind, table.rows))
                _record_ingest(con, path, [t.kind for t in tables], sum(t.rows for t in tables))
            rebuild_derived(con)
            if then is not None:
                then(con)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?), ('source', ?)",
                        [str(SCHEMA_VERSION), source])
        return report


def _record_ingest(con: duckdb.DuckDBPyConnection, path: Path, kinds: list[str], rows: int) -> None:
    con.execute("INSERT INTO ingests VALUES (?, ?, ?, ?, ?)",
                [dt.datetime.now(), str(path), _sha256(path), ",".join(sorted(set(kinds))), rows])


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _compacted(con: duckdb.DuckDBPyConnection, tmp: Path) -> Path:
    """A compact copy of the written file: every write ends with one.

    DuckDB reuses freed blocks only partly and counts them as used for a while, so a store
    rewritten by every ``train`` grew without end (15.7 MB to 37 MB in 15 trains), and no
    cheap measure tells holey from full. Copying the database into a fresh file (about
    0.6 s for the bundled store) keeps it at its data's size, write after write.
    """
    fresh = Path(str(tmp) + ".compact.tmp")
    fresh.unlink(missing_ok=True)
    name = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    con.execute("SET threads = 1")  # row groups split by threads vary the file's size by up to 7%
    con.execute(f"ATTACH '{str(fresh).replace(chr(39), chr(39) * 2)}' AS compact_copy")  # a quote stays literal
    con.execute(f'COPY FROM DATABASE "{name}" TO compact_copy')
    con.execute("DETACH compact_copy")
    return fresh


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a store from an older renewcast up to this schema, in place (on the writer's copy)."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return  # a new file
    if row and int(row[0]) < 2:
        # Schema 1 had one ledger row per season; a season's story now has one per outcome.
        con.execute("CREATE TABLE ledger_v2 AS SELECT * FROM ledger")
        con.execute("DROP TABLE ledger")
        con.execute("ALTER TABLE ledger_v2 RENAME TO ledger")
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])


def forecasts_are_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """True when data or decisions changed after the stored forecasts were computed."""
    versions = dict(con.execute(
        "SELECT key, value FROM meta WHERE key IN ('data_version', 'forecasts_version')").fetchall())
    return versions.get("forecasts_version") != versions.get("data_version")


#: The name every download folder next to the store starts with.
DOWNLOAD_PREFIX = ".renewcast-refresh-"


def make_folder(folder: Path) -> None:
    """The store's folder, made if need be; StoreError (one line) when it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"cannot make the folder {folder}: a file of that name is in the way "
                         "(give --db a path in a folder)") from None
    except OSError as err:
        raise StoreError(f"cannot make the folder {folder}: {err.strerror}") from None


@contextlib.contextmanager
def _disk_full_is_one_line() -> Iterator[None]:
    """A full disk during a write is a one-line error; the store is unchanged (the write
    was to a private copy, which the caller removes)."""
    try:
        yield
    except OSError as err:
        if err.errno == errno.ENOSPC:
            raise StoreError("no space left on device: the store is unchanged; free some space and "
                             "run the command again") from None
        raise
    except duckdb.Error as err:
        if "no space left" in str(err).lower() or "disk is full" in str(err).lower():
            raise StoreError("no space left on device: the store is unchanged; free some space and "
                             "run the command again") from None
        raise


def rows_as_dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stage(con: duckdb.DuckDBPyConnection, name: str, table: str, columns: dict[str, list[Any]]) -> None:
    """Copy column lists into a temp table shaped like ``table``.

    Through a CSV file because DuckDB reads one in milliseconds, where row-wise
    inserts take seconds and a DataFrame would cost a pandas import on every ingest.
    """
    names = list(columns)
    # Beside the writer's copy, so the next writer removes it if this process is killed.
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    folder = Path(row[0]).parent if row and row[0] else None
    prefix = (Path(row[0]).name + ".stage-") if row and row[0] else "renewcast.stage-"
    with tempfile.NamedTemporaryFile("w", suffix=".csv", prefix=prefix, dir=folder, newline="", encoding="utf-8",
                                     delete=False) as f:
        # An unquoted empty field is NULL; text is never empty (parsers map "" to None).
        writer = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerows(zip(*(columns[n] for n in names), strict=True))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {', '.join(names)} FROM {table} LIMIT 0")
        con.execute(
            f"COPY {name} FROM '{f.name}' (FORMAT csv, HEADER false, QUOTE '\"', ESCAPE '\"', "
            "NULLSTR '', ALLOW_QUOTED_NULLS false)"
        )
    finally:
        os.unlink(f.name)


_stage_names = itertools.count()


def _stage_name() -> str:
    # A fresh name per staged table, so statements never see a replaced one.
    return f"stage_{next(_stage_names)}"


def _load(con: duckdb.DuckDBPyConnection, table: Parsed) -> int:
    """Load one parsed table; returns how many existing rows it renamed."""
    stage = _stage_name()
    if table.kind == "engagement":
        meta = table.meta
        columns = {col: table.columns[src] for col, src in _ENGAGEMENT_COLUMNS.items()}
        _stage(con, stage, "engagement", columns)
        con.execute("DELETE FROM engagement WHERE report = ? AND sheet_kind = ?",
                    [meta["report"], meta["sheet_kind"]])
        con.execute(f"INSERT INTO engagement SELECT ?, ?, {', '.join(columns)} FROM {stage}",
                    [meta["report"], meta["sheet_kind"]])
        con.execute("INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?)",
                    [meta["report"], meta["period_start"], meta["period_end"], meta["published"]])
        return 0
    names = _TABLE_COLUMNS[table.kind]
    _stage(con, stage, table.kind, {n: table.columns[n] for n in names})
    newest = max(table.columns["week"]) if table.columns.get("week") else None
    return _load_staged(con, table.kind, stage, table.path, newest)


def _load_staged(con: duckdb.DuckDBPyConnection, kind: str, stage: str, path: str, published: Any) -> int:
    """Merge a staged Top 10 table (columns as the store's) into its table; returns the renames."""
    names = _TABLE_COLUMNS[kind]
    if kind == "most_popular":
        _load_most_popular(con, stage, names)
        return 0
    # A publication is dated by its newest week. An older publication never replaces a
    # newer one's row for the same (week, category, rank): the store is a function of the
    # set of publications ingested, whatever their order.
    key = " AND ".join(f"o.{k} = s.{k}" for k in KEYS[kind])
    renamed = 0
    if kind == "top10_global":
        # Netflix restates: a newer publication may rename a title for the same slot. The
        # older name stays findable as an alias of the newer one, whichever came first.
        note = "restated by the publication of weeks to "
        inserted = con.execute(
            f"""INSERT OR IGNORE INTO title_aliases
            SELECT DISTINCT
                   CASE WHEN o.published > $1 THEN s.show_title ELSE o.show_title END,
                   CASE WHEN o.published > $1 THEN coalesce(s.season_title, '') ELSE coalesce(o.season_title, '') END,
                   CASE WHEN o.published > $1 THEN o.show_title ELSE s.show_title END,
                   CASE WHEN o.published > $1 THEN coalesce(o.season_title, '') ELSE coalesce(s.season_title, '') END,
                   $2 || CAST(greatest(o.published, $1) AS VARCHAR)
            FROM top10_global o JOIN {stage} s ON {key}
            WHERE o.show_title <> s.show_title
               OR coalesce(o.season_title, '') <> coalesce(s.season_title, '')""",
            [published, note],
        ).fetchone()
        renamed = inserted[0] if inserted else 0
    con.execute(f"DELETE FROM {stage} s USING {kind} o WHERE {key} AND o.published > ?", [published])
    con.execute(f"DELETE FROM {kind} o USING {stage} s WHERE {key}")
    con.execute(f"INSERT INTO {kind} ({', '.join(names)}, published) SELECT *, ? FROM {stage}", [published])
    return int(renamed or 0)


def _load_most_popular(con: duckdb.DuckDBPyConnection, stage: str, names: list[str]) -> None:
    """An all-time list only grows: a later publication of a category's list has at least
    the hours of an earlier one at every rank. So the list with the larger total is the
    newer publication, and it is kept whatever the order of ingests (ties: the incoming)."""
    con.execute(f"""
        DELETE FROM {stage} WHERE category IN (
            SELECT s.category FROM (SELECT category, sum(hours_viewed_first_91_days) AS h FROM {stage} GROUP BY 1) s
            JOIN (SELECT category, sum(hours_viewed_first_91_days) AS h FROM most_popular GROUP BY 1) o
              USING (category) WHERE o.h > s.h)""")
    con.execute(f"DELETE FROM most_popular WHERE category IN (SELECT category FROM {stage})")
    con.execute(f"INSERT INTO most_popular ({', '.join(names)}) SELECT * FROM {stage}")


def rebuild_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the season index and the title search keys from the base tables."""
    _record_known_renames(con)
    con.execute("CREATE OR REPLACE TEMP TABLE release_dates AS SELECT show_title, nullif(season_title, '') AS "
                "season_title, release_date::DATE AS release_date, source FROM read_csv(?, header = true, "
                "all_varchar = true)", [str(BUNDLED_DATA / "release_dates.csv")])
    con.execute(DERIVED_SEASONS_SQL)
    rows = con.execute(
        "SELECT show_title, season_title, category, kind FROM seasons_base "
        "ORDER BY first_week, category, show_title, season_title"
    ).fetchall()
    used: set[str] = set()
    # A show's unnumbered first season ("Stranger Things" beside "Stranger Things 2") is season 1.
    numbered = {(show, kind) for show, season, _c, kind in rows if titles.season_number(show, season)}
    ids = []
    for show, season, category, kind in rows:
        base = titles.slugify(season or show)
        slug = base if base not in used else f"{base}-{titles.slugify(category)}"
        n = 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        number = titles.season_number(show, season)
        if number is None and kind == "TV" and (show, kind) in numbered and (season or show) == show:
            number = 1
        ids.append((show, season or "", category, slug, number, titles.normalize(show)))
    ids_table = _stage_name()
    _stage_rows(con, ids_table, ["show_title", "season_key", "category", "slug", "season_number", "show_key"],
                ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "INTEGER", "VARCHAR"], ids)
    con.execute(f"""
        CREATE OR REPLACE TABLE seasons AS
        SELECT i.slug, i.season_number, i.show_key, s.* FROM seasons_base s JOIN {ids_table} i
          ON s.show_title = i.show_title AND coalesce(s.season_title, '') = coalesce(i.season_key, '')
         AND s.category = i.category""")
    _build_title_keys(con)
    con.execute("""
        CREATE OR REPLACE TABLE country_coverage AS
        SELECT min(week) AS first_week, max(week) AS last_week,
               count(DISTINCT country_iso2) AS countries FROM top10_country""")
    # Where each season charted, once per ingest: a season page reads its few rows by slug
    # instead of scanning every country's lists (the country lists have TV and Films only).
    con.execute("""
        CREATE OR REPLACE TABLE season_countries AS
        SELECT s.slug, c.country_name, c.country_iso2, count(*) AS weeks, min(c.weekly_rank) AS best_rank,
               min(c.week) AS first_week
        FROM top10_country c JOIN seasons s
          ON c.show_title = s.show_title AND c.season_title IS NOT DISTINCT FROM s.season_title
         AND c.category = CASE WHEN s.kind = 'TV' THEN 'TV' ELSE 'Films' END
        GROUP BY ALL""")


def _record_known_renames(con: duckdb.DuckDBPyConnection) -> None:
    """Renames Netflix made that no single download shows (data/title_renames.csv).

    Restatements seen across two downloads are recorded by the ingest itself; these
    come from comparing different publications (an engagement report and the Top 10).
    """
    with open(BUNDLED_DATA / "title_renames.csv", encoding="utf-8", newline="") as f:
        rows = [(r["old_show_title"], r["old_season_title"], r["new_show_title"], r["new_season_title"],
                 "data/title_renames.csv") for r in csv.DictReader(f)]
    con.executemany("INSERT OR IGNORE INTO title_aliases VALUES (?, ?, ?, ?, ?)", rows)


def _stage_rows(con: duckdb.DuckDBPyConnection, name: str, names: list[str], types: list[str],
                rows: list[tuple[Any, ...]]) -> None:
    cols = ", ".join(f"{n} {t}" for n, t in zip(names, types, strict=True))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({cols})")
    if rows:
        _stage(con, name, name, {n: [r[i] for r in rows] for i, n in enumerate(names)})


def _build_title_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Every way a user may name a season: show, season label, old names, original titles."""
    keys: list[tuple[str, str, str]] = []
    for slug, show, season in con.execute("SELECT slug, show_title, season_title FROM seasons").fetchall():
        keys.append((titles.normalize(show), slug, "show"))
        if season:
            keys.append((titles.normalize(season), slug, "season"))
    aliases = con.execute("""
        SELECT a.alias_show, a.alias_season, s.slug FROM title_aliases a JOIN seasons s
          ON s.show_title = a.show_title AND coalesce(s.season_title, '') = a.season_title""").fetchall()
    for alias_show, alias_season, slug in aliases:
        keys.append((titles.normalize(alias_show), slug, "alias"))
        if alias_season:
            keys.append((titles.normalize(alias_season), slug, "alias"))
    originals = con.execute("""
        SELECT DISTINCT e.title_original, s.slug FROM engagement e JOIN seasons s
          ON lower(e.title_english) = lower(coalesce(s.season_title, s.show_title))
        WHERE e.title_original IS NOT NULL""").fetchall()
    for original, slug in originals:
        keys.append((titles.normalize(original), slug, "original"))
        show_part = titles.original_show_name(original)
        if show_part:
            keys.append((titles.normalize(show_part), slug, "original"))
    keys = [k for k in dict.fromkeys(keys) if k[0]]
    keys_table = _stage_name()
    _stage_rows(con, keys_table, ["key", "slug", "via"], ["VARCHAR"] * 3, keys)
    con.execute(f"CREATE OR REPLACE TABLE title_keys AS SELECT * FROM {keys_table}")


# One row per season (TV) or film in the global Top 10, with the static facts the
# engagement reports add: premiere date and runtime for titles before June 2023.
DERIVED_SEASONS_SQL = """
CREATE OR REPLACE TEMP TABLE seasons_base AS
WITH g AS (
    SELECT show_title, season_title, category,
           CASE WHEN category LIKE 'TV%' THEN 'TV' ELSE 'Film' END AS kind,
           CASE WHEN category LIKE '%Non-English%' THEN 'Non-English' ELSE 'English' END AS language,
           min(week) AS first_week, max(week) AS last_week, count(*) AS weeks_in_top10,
           sum(weekly_hours_viewed) AS top10_hours, min(weekly_rank) AS peak_rank,
           max(nullif(runtime, 0)) AS top10_runtime  -- Netflix writes 0 where it gives no runtime
    FROM top10_global GROUP BY ALL
), e AS (
    SELECT lower(title_english) AS key,
           arg_max(release_date, report) FILTER (WHERE release_date IS NOT NULL) AS release_date,
           arg_max(runtime_hours, report) FILTER (WHERE runtime_hours IS NOT NULL) AS runtime_hours,
           bool_or(available_globally) AS available_globally
    FROM engagement GROUP BY 1
), names AS (  -- a season's own label first, then any name Netflix used for it before
    SELECT show_title, season_title, category, lower(coalesce(season_title, show_title)) AS key, 0 AS pref
    FROM g
    UNION ALL
    SELECT g.show_title, g.season_title, g.category,
           lower(coalesce(nullif(a.alias_season, ''), a.alias_show)), 1
    FROM g JOIN title_aliases a
      ON a.show_title = g.show_title AND a.season_title = coalesce(g.season_title, '')
), matched AS (
    SELECT n.show_title, n.season_title, n.category,
           arg_min(e.release_date, n.pref) FILTER (WHERE e.release_date IS NOT NULL) AS release_date,
           arg_min(e.runtime_hours, n.pref) FILTER (WHERE e.runtime_hours IS NOT NULL) AS runtime_hours,
           bool_or(e.available_globally) AS available_globally
    FROM names n JOIN e USING (key) GROUP BY ALL
)
SELECT g.*,
       coalesce(e.release_date, r.release_date, g.first_week - INTERVAL 6 DAY)::DATE AS premiere,
       e.release_date IS NULL AND r.release_date IS NULL AS premiere_estimated,
       CASE WHEN e.release_date IS NOT NULL THEN 'engagement' ELSE r.source END AS premiere_source,
       coalesce(g.top10_runtime, e.runtime_hours) AS runtime_hours,
       CASE WHEN g.top10_runtime IS NOT NULL THEN 'top10'
            WHEN e.runtime_hours IS NOT NULL THEN 'engagement' END AS runtime_source,
       e.available_globally
FROM g LEFT JOIN matched e
  ON e.show_title = g.show_title AND e.category = g.category
 AND e.season_title IS NOT DISTINCT FROM g.season_title
-- A cited release day (data/release_dates.csv) where no engagement report covers the season,
-- kept only inside the two weeks before its first Top 10 week (a day outside is a misreading).
LEFT JOIN release_dates r
  ON r.show_title = g.show_title AND r.season_title IS NOT DISTINCT FROM g.season_title
 AND r.release_date BETWEEN g.first_week - INTERVAL 13 DAY AND g.first_week
"""
