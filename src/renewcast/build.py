"""Bootstrapping and orchestration: the one module that knows the order of things.

A new store starts from the bundled snapshot (Netflix's files, the catalog, the ledger
and the fan signals) whatever the first command is; every ingest re-points the
ledger, the signals and the catalog at the rebuilt seasons in the same write; a write
that changes data or decisions retrains the stored forecasts unless told not to.
The layers below (``store``, ``ledger``, ``catalog``, ``forecast``) never call up here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import httpx

from renewcast import catalog, ledger, report, signals
from renewcast.config import BUNDLED_DATA, Settings
from renewcast.errors import DownloadError, StoreError
from renewcast.forecast import service as forecasts
from renewcast.sources import download, expand_paths, parse_file
from renewcast.store import SCHEMA_VERSION, IngestReport, Store, rebuild_derived

__all__ = ["bundled_paths", "check_files", "ensure", "ingest", "notify", "open_store", "refresh", "rematch", "retrain"]

Step = Callable[[duckdb.DuckDBPyConnection], None]


def bundled_paths() -> list[Path]:
    """The folders of Netflix files shipped in the package (not the hand-kept CSVs beside them)."""
    return [p for p in sorted(BUNDLED_DATA.iterdir()) if p.is_dir()]


def rematch(con: duckdb.DuckDBPyConnection) -> None:
    """Decisions and signals follow their seasons' slugs after the seasons are rebuilt."""
    ledger.rematch(con)
    signals.rematch(con)


def _bundled_records() -> Step:
    """Check the shipped catalog, ledger and signals now; the step records them in a build."""
    labels = catalog.parse_catalog_file(catalog.BUNDLED_CATALOG)
    entries = ledger.parse_ledger_file(ledger.BUNDLED_LEDGER)
    observations = signals.parse_signals_file(signals.BUNDLED_SIGNALS)

    def record(con: duckdb.DuckDBPyConnection) -> None:
        rematch(con)
        catalog.apply(con, labels, recorded_by="bundled", path=str(catalog.BUNDLED_CATALOG))
        ledger.apply(con, entries, recorded_by="bundled", path=str(ledger.BUNDLED_LEDGER))
        signals.apply(con, observations, path=str(signals.BUNDLED_SIGNALS))

    return record


def ensure(store: Store, *, forecast: bool = True) -> bool:
    """Build a missing store from the bundled snapshot; True when it built one.

    ``forecast`` also computes the stored forecasts in the same write, so ``show`` and
    the web have them from the first answer.
    """
    if store.exists():
        version = store.schema_version()
        if version is not None and version < SCHEMA_VERSION:
            upgrade(store)
        return False
    record = _bundled_records()

    def then(con: duckdb.DuckDBPyConnection) -> None:
        record(con)
        if forecast:
            forecasts.record_forecasts(con)

    store.ingest(bundled_paths(), source="bundled", then=then)
    return True


def upgrade(store: Store) -> None:
    """Bring a store written by an older renewcast up to date: schema, derived tables (the
    season index, where each season charted), and the shipped catalog."""
    labels = catalog.parse_catalog_file(catalog.BUNDLED_CATALOG)
    with store.writing() as con:
        rebuild_derived(con)
        rematch(con)
        catalog.apply(con, labels, recorded_by="bundled", path=str(catalog.BUNDLED_CATALOG))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    forecasts.retrain_if_stale(store)


def open_store(path: Path | str, *, empty: bool = False) -> Store:
    """The store at ``path``, built from the bundled snapshot first unless ``empty``."""
    store = Store(path)
    store.tidy()  # a writer killed mid-write left its copy: gone by the next command
    if not empty:
        ensure(store)
    return store


def ingest(store: Store, paths: Sequence[Path | str], *, train: bool = True,
           source: str = "user") -> tuple[IngestReport, dict[str, Any] | None]:
    """Load files in one write (the ledger and signals re-pointed in it), then retrain if
    the stored forecasts are now stale. Returns the ingest and what was retrained."""
    report = store.ingest(paths, source=source, then=rematch)
    return report, retrain(store) if train else None


def refresh(store: Store, settings: Settings, fmt: str = "tsv", *, base_url: str | None = None,
            progress: Any = None, train: bool = True) -> tuple[download.RefreshReport, dict[str, Any] | None]:
    """Download Netflix's files, ingest what changed (ledger re-pointed), retrain if stale."""
    got = download.refresh(store, base_url or settings.base_url, fmt, timeout=settings.timeout_seconds,
                           retries=settings.retries, deadline=settings.deadline_seconds,
                           max_bytes=settings.max_bytes, progress=progress,
                           ingest=lambda paths: ingest(store, paths, source="refresh", train=False)[0])
    return got, retrain(store) if got.changed and train else None


def refresh_engagement(store: Store, settings: Settings, *, base_url: str | None = None,
                       extra_urls: Sequence[str] = (), progress: Any = None,
                       reports: dict[str, tuple[str, str]] | None = None) -> download.RefreshReport:
    """Download the engagement reports the store lacks (and ``extra_urls``), ingest them together."""
    return download.refresh_engagement(
        store, base_url or settings.engagement_base_url, extra_urls, reports=reports,
        timeout=settings.timeout_seconds, retries=settings.retries, deadline=settings.deadline_seconds,
        progress=progress, ingest=lambda paths: ingest(store, paths, source="refresh", train=False)[0])


def check_webhook(url: str) -> None:
    """A webhook address must be an absolute http(s) URL; DownloadError (one line) otherwise."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as err:
        raise DownloadError(f"--notify {url!r} is not a valid URL ({err}); nothing was downloaded") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise DownloadError(f"--notify {url!r} must be an http(s) address with a host; nothing was downloaded")


def notify(url: str, got: download.RefreshReport, store: Store, timeout: float = 10.0) -> dict[str, Any]:
    """POST what a refresh changed to a webhook as JSON; returns the payload sent.
    Raises DownloadError (one line) when the hook does not answer 2xx."""
    payload: dict[str, Any] = {"event": "renewcast.refresh", **got.as_dict()}
    with store.reading() as con:
        payload["known"] = report.freshness(con)
        payload["weeks"] = report.week_changes(con, weeks=1) if got.changed else []
    try:
        # The deadline covers the whole exchange: a hook that trickles its answer byte by byte
        # restarts httpx's read timeout each time, so the wait is bounded from outside.
        answer = download.within(timeout, f"the refresh landed, but the webhook at {url} gave no complete "
                                 f"answer within {timeout:g} s", lambda: httpx.post(
                                     url, json=payload, timeout=timeout, headers={"User-Agent": "renewcast"}))
    except httpx.HTTPError as err:
        raise DownloadError(f"the refresh landed, but the webhook at {url} failed: {err}") from None
    if not answer.is_success:
        raise DownloadError(f"the refresh landed, but the webhook at {url} answered HTTP {answer.status_code}")
    return payload


def check_files(paths: Sequence[Path | str]) -> None:
    """Parse files without loading them: the usual one-line InputError for the first bad one."""
    files = expand_paths([Path(p) for p in paths])
    if not files:
        raise StoreError("no data files found in " + ", ".join(str(p) for p in paths))
    for path in files:
        parse_file(path)


def retrain(store: Store) -> dict[str, Any] | None:
    """Retrain when the stored forecasts predate the latest change of data or decisions."""
    return forecasts.retrain_if_stale(store)
