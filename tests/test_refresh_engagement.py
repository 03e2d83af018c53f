"""Engagement reports fetched from a real HTTP server on 127.0.0.1 laid out like Netflix's
file host (each report under its own path), checked against the recorded digests, ingested
all or nothing."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from renewcast import build
from renewcast.config import Settings
from renewcast.errors import DownloadError
from renewcast.sources import download
from renewcast.store import Store

from .conftest import ENGAGEMENT, TOP10, sha256

#: Two of the known reports, with their real addresses and digests.
KNOWN = {k: download.ENGAGEMENT_REPORTS[k] for k in ("2024-H2", "2025-H1")}
FAST = Settings(timeout_seconds=2.0, retries=0, deadline_seconds=10.0)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "host"
    for path, _digest in KNOWN.values():
        target = root / path
        target.parent.mkdir(parents=True)
        shutil.copyfile(ENGAGEMENT / path.rsplit("/", 1)[-1], target)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", root
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def bare(tmp_path: Path) -> Store:
    store = Store(tmp_path / "bare.duckdb")
    store.ingest([TOP10 / "all-weeks-global.tsv"])
    return store


def test_known_reports_download_once_and_ingest(host: tuple[str, Path], bare: Store) -> None:
    url, _root = host
    got = build.refresh_engagement(bare, FAST, base_url=url, reports=KNOWN)
    assert [f.status for f in got.files] == ["downloaded", "downloaded"]
    reports = {r["report"] for r in bare.query("SELECT report FROM reports")}
    assert reports == {"2024-H2", "2025-H1"}
    # The seasons are rebuilt with the reports' release dates: Adolescence came out on 2025-03-13.
    (row,) = bare.query("SELECT premiere, premiere_estimated FROM seasons WHERE slug = 'adolescence-limited-series'")
    assert (str(row["premiere"]), row["premiere_estimated"]) == ("2025-03-13", False)
    again = build.refresh_engagement(bare, FAST, base_url=url, reports=KNOWN)
    assert [f.status for f in again.files] == ["unchanged", "unchanged"] and not again.changed


def test_a_revised_report_changes_nothing(host: tuple[str, Path], bare: Store) -> None:
    url, root = host
    path = KNOWN["2025-H1"][0]
    shutil.copyfile(ENGAGEMENT / KNOWN["2024-H2"][0].rsplit("/", 1)[-1], root / path)  # another file there
    before = sha256(bare.path)
    with pytest.raises(DownloadError, match="not the report as published"):
        build.refresh_engagement(bare, FAST, base_url=url, reports=KNOWN)
    assert sha256(bare.path) == before
    assert not bare.query("SELECT report FROM reports")  # all or nothing: 2024-H2 was not kept either


def test_a_missing_report_changes_nothing(host: tuple[str, Path], bare: Store) -> None:
    url, root = host
    (root / KNOWN["2025-H1"][0]).unlink()
    before = sha256(bare.path)
    with pytest.raises(DownloadError, match="404"):
        build.refresh_engagement(bare, FAST, base_url=url, reports=KNOWN)
    assert sha256(bare.path) == before


def test_a_new_report_by_url_is_taken_on_its_content(host: tuple[str, Path], bare: Store) -> None:
    url, _root = host
    new = url + KNOWN["2024-H2"][0]
    got = build.refresh_engagement(bare, FAST, base_url=url, reports={}, extra_urls=[new])
    assert [(f.name, f.status) for f in got.files] == [(new.rsplit("/", 1)[-1], "downloaded")]
    assert {r["report"] for r in bare.query("SELECT report FROM reports")} == {"2024-H2"}


def test_a_url_that_is_not_an_engagement_report_changes_nothing(host: tuple[str, Path], bare: Store,
                                                                 tmp_path: Path) -> None:
    url, root = host
    shutil.copyfile(TOP10 / "most-popular.tsv", root / "most-popular.tsv")
    before = sha256(bare.path)
    with pytest.raises(DownloadError, match="expected engagement"):
        build.refresh_engagement(bare, FAST, base_url=url, reports={}, extra_urls=[url + "most-popular.tsv"])
    assert sha256(bare.path) == before


def test_the_known_digests_are_the_bundled_files() -> None:
    for path, digest in list(download.ENGAGEMENT_REPORTS.values())[:5]:
        assert sha256(ENGAGEMENT / path.rsplit("/", 1)[-1]) == digest
