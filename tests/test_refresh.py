"""``renewcast refresh`` against a real HTTP server on 127.0.0.1 serving the bundled files.

The server speaks HTTP/1.1 with ETag and Last-Modified, answers conditional requests
with 304, and can be told to misbehave per file: 5xx, an HTML page, a 404, a body cut
short, the wrong file, or silence. Every failure must leave the database byte-identical.
"""

from __future__ import annotations

import csv
import email.utils
import hashlib
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypedDict

import pytest
from click.testing import CliRunner, Result

from renewcast.cli import main
from renewcast.errors import DownloadError
from renewcast.sources import download
from renewcast.store import Store

from .conftest import TOP10, sha256

NAMES = ("all-weeks-global.tsv", "all-weeks-countries.tsv", "most-popular.tsv")
SIZES = {name: (TOP10 / name).stat().st_size for name in NAMES}
ROWS = {"all-weeks-global.tsv": 10_560, "all-weeks-countries.tsv": 65_800, "most-popular.tsv": 40}


class Options(TypedDict, total=False):
    timeout: float
    retries: int
    backoff: float
    deadline: float
    max_bytes: int


FAST: Options = {"timeout": 2.0, "retries": 2, "backoff": 0.01}  # seconds, so failures stay quick

PREFIX = "/top10/data"  # the only folder the server serves, like Netflix's
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Oops</title></head><body>Something went wrong</body></html>"


@dataclass
class Request:
    name: str
    headers: dict[str, str]
    status: int = 0


@dataclass
class Server:
    """What the test controls: the served folder, per-file faults, and the request log."""

    root: Path
    url: str = ""
    faults: dict[str, list[str]] = field(default_factory=dict)  # name -> faults, one per request
    requests: list[Request] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def fail(self, name: str, fault: str, times: int = 1000) -> None:
        self.faults[name] = [fault] * times

    def seen(self, name: str) -> list[Request]:
        return [r for r in self.requests if r.name == name]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and Content-Length framing, like a real CDN
    server: _HTTPServer

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        state = self.server.state
        folder, _, name = self.path.rpartition("/")
        request = Request(name, {k.lower(): v for k, v in self.headers.items()})
        state.requests.append(request)
        queue = state.faults.get(name) or []
        fault = queue.pop(0) if queue else ""
        path = state.root / name
        if fault == "hang":  # say nothing until the test ends; the client must time out
            state.release.wait(10)
            self.close_connection = True
            return
        if fault == "trickle":  # a byte at a time, forever: only an overall deadline ends it
            request.status = 200
            self.send_response(200)
            self.send_header("Content-Length", "10000000")
            self.end_headers()
            for _ in range(200):
                if state.release.is_set():
                    break
                try:
                    self.wfile.write(b"w")
                    self.wfile.flush()
                except OSError:
                    break
                time.sleep(0.05)
            self.close_connection = True
            return
        if fault == "huge":  # announces 2 GB
            request.status = 200
            self.send_response(200)
            self.send_header("Content-Length", "2000000000")
            self.end_headers()
            self.wfile.write(b"x" * 1000)
            self.close_connection = True
            return
        if fault == "busy":  # overloaded: come back in a second
            self._send(request, 503, b"Busy", "text/plain", {"Retry-After": "1"})
            return
        if fault == "500":
            self._send(request, 500, b"Internal Server Error", "text/plain")
        elif fault == "html":  # a captive portal or CDN error page, with status 200
            self._send(request, 200, HTML_PAGE, "text/html")
        elif fault == "404" or folder != PREFIX or not path.is_file():
            self._send(request, 404, b"Not Found", "text/plain")
        elif fault == "wrong":  # another published file under this name
            self._send(request, 200, (state.root / "most-popular.tsv").read_bytes(), "text/tab-separated-values")
        elif fault == "truncate":  # promise the whole file, send a third, hang up
            body = path.read_bytes()
            request.status = 200
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.close_connection = True
        else:
            self._serve(request, path)

    def _serve(self, request: Request, path: Path) -> None:
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        modified = int(path.stat().st_mtime)
        match = request.headers.get("if-none-match")
        since = request.headers.get("if-modified-since")
        if match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
            unchanged = etag in [m.strip() for m in match.split(",")]
        elif since is not None:
            unchanged = email.utils.parsedate_to_datetime(since).timestamp() >= modified
        else:
            unchanged = False
        headers = {"ETag": etag, "Last-Modified": email.utils.formatdate(modified, usegmt=True)}
        if unchanged:
            self._send(request, 304, b"", None, headers)
        else:
            self._send(request, 200, body, "text/tab-separated-values", headers)

    def _send(self, request: Request, status: int, body: bytes, ctype: str | None,
              headers: dict[str, str] | None = None) -> None:
        request.status = status
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a hanging handler never blocks the test run's exit
    state: Server

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (timeout, cut body) breaks the pipe; printing that to
        # stderr would land in whatever CliRunner is capturing at the time.
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per module, so the cached validators (keyed by URL, port included) stay valid."""
    root = tmp_path_factory.mktemp("served")
    for name in NAMES:
        shutil.copyfile(TOP10 / name, root / name)
    state = Server(root)
    httpd = _HTTPServer(("127.0.0.1", 0), Handler)
    httpd.state = state
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def clean_server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)  # 127.0.0.1 must never go through a proxy
    if "server" in request.fixturenames:
        state: Server = request.getfixturevalue("server")
        state.faults.clear()
        state.requests.clear()
        state.release.clear()
        yield
        state.release.set()  # wake any handler still "hanging" from this test
    else:
        yield


@dataclass
class Refreshed:
    store: Store
    report: download.RefreshReport
    requests: list[Request]


@pytest.fixture(scope="module")
def first(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Refreshed:
    """A store made by one refresh from scratch (done once; tests work on copies)."""
    store = Store(tmp_path_factory.mktemp("first") / "renewcast.duckdb")
    server.requests.clear()
    report = download.refresh(store, server.url, **FAST)
    return Refreshed(store, report, list(server.requests))


@pytest.fixture
def store(first: Refreshed, tmp_path: Path) -> Store:
    """A private copy of the refreshed store with its validator cache."""
    copy = Store(tmp_path / "renewcast.duckdb")
    shutil.copyfile(first.store.path, copy.path)
    shutil.copyfile(download.cache_path(first.store), download.cache_path(copy))
    return copy


def count(store: Store, table: str) -> int:
    return int(store.query(f"SELECT count(*) AS n FROM {table}")[0]["n"])


def forget(store: Store, *names: str) -> None:
    """Drop cached validators for these files, so the next refresh downloads them."""
    path = download.cache_path(store)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["urls"] = {u: v for u, v in data["urls"].items() if u.rsplit("/", 1)[-1] not in names}
    path.write_text(json.dumps(data), encoding="utf-8")


# -- success ------------------------------------------------------------------------------------
def test_first_refresh_downloads_and_ingests_the_three_files(first: Refreshed, server: Server) -> None:
    report = first.report
    assert [f.name for f in report.files] == list(NAMES)
    assert [f.status for f in report.files] == ["downloaded"] * 3
    assert {f.name: f.bytes for f in report.files} == SIZES
    assert {f.name: f.rows for f in report.files} == ROWS
    assert [f.url for f in report.files] == [server.url + name for name in NAMES]
    # Nothing cached yet, so nothing conditional was asked.
    assert all("if-none-match" not in r.headers and "if-modified-since" not in r.headers for r in first.requests)
    assert count(first.store, "top10_global") == 10_560
    assert count(first.store, "top10_country") == 65_800
    assert count(first.store, "most_popular") == 40
    weeks = first.store.query(
        "SELECT weekly_rank, weekly_hours_viewed FROM top10_global WHERE show_title = 'The Imperfects' "
        "ORDER BY week")
    assert weeks == [{"weekly_rank": 3, "weekly_hours_viewed": 24_070_000},
                     {"weekly_rank": 4, "weekly_hours_viewed": 35_020_000},
                     {"weekly_rank": 9, "weekly_hours_viewed": 12_760_000}]
    cache = download.load_validators(first.store)
    assert set(cache) == {server.url + name for name in NAMES}
    assert all(entry["etag"] and entry["last_modified"] for entry in cache.values())
    assert not list(first.store.path.parent.glob(".renewcast-refresh-*"))  # temp files cleaned up


def test_second_refresh_sends_validators_gets_304_and_ingests_nothing(store: Store, server: Server) -> None:
    before, cache_before = sha256(store.path), download.cache_path(store).read_bytes()
    report = download.refresh(store, server.url, **FAST)
    assert [f.status for f in report.files] == ["unchanged"] * 3
    assert not report.changed and report.rows == 0
    cached = download.load_validators(store)
    for request in server.requests:
        entry = cached[server.url + request.name]
        assert request.headers["if-none-match"] == entry["etag"]
        assert request.headers["if-modified-since"] == entry["last_modified"]
        assert request.status == 304
    assert sha256(store.path) == before
    assert download.cache_path(store).read_bytes() == cache_before


def test_a_changed_file_is_downloaded_again_and_restates_titles(store: Store, server: Server) -> None:
    served = server.root / "all-weeks-global.tsv"
    original = served.read_bytes()
    old_etag = download.load_validators(store)[server.url + "all-weeks-global.tsv"]["etag"]
    try:
        # Netflix restates: the same slots under a new name (the store keeps the old as an alias).
        served.write_bytes(original.replace(b"The Imperfects", b"Los Imperfectos"))
        report = download.refresh(store, server.url, **FAST)
    finally:
        served.write_bytes(original)
    assert [f.status for f in report.files] == ["downloaded", "unchanged", "unchanged"]
    assert report.rows == 10_560 and report.renamed == 1
    assert store.query("SELECT count(*) AS n FROM top10_global WHERE show_title = 'Los Imperfectos'") == [{"n": 3}]
    aliases = store.query("SELECT alias_show FROM title_aliases WHERE show_title = 'Los Imperfectos'")
    assert aliases == [{"alias_show": "The Imperfects"}]
    assert download.load_validators(store)[server.url + "all-weeks-global.tsv"]["etag"] != old_etag


def test_validators_are_not_trusted_for_data_the_store_does_not_hold(store: Store, server: Server) -> None:
    """A cache describing a file the store never ingested (a rebuilt or swapped database)
    must not earn a 304: the refresh downloads that file again."""
    path = download.cache_path(store)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["urls"][server.url + "all-weeks-global.tsv"]["sha256"] = "0" * 64
    path.write_text(json.dumps(data), encoding="utf-8")
    report = download.refresh(store, server.url, **FAST)
    assert "if-none-match" not in server.seen("all-weeks-global.tsv")[0].headers
    assert [f.status for f in report.files] == ["downloaded", "unchanged", "unchanged"]
    assert report.files[0].rows == 10_560


def test_retries_5xx_with_backoff_then_succeeds(store: Store, server: Server) -> None:
    forget(store, "most-popular.tsv")
    server.fail("most-popular.tsv", "500", times=2)
    seen: list[tuple[str, int | None, int]] = []

    @contextmanager
    def progress(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
        got = [0]
        yield lambda n: got.__setitem__(0, got[0] + n)
        seen.append((label, total, got[0]))

    report = download.refresh(store, server.url, timeout=2.0, retries=3, backoff=0.01, progress=progress)
    assert [r.status for r in server.seen("most-popular.tsv")] == [500, 500, 200]
    assert [f.status for f in report.files] == ["unchanged", "unchanged", "downloaded"]
    assert report.files[2].rows == 40
    assert seen == [("most-popular.tsv", SIZES["most-popular.tsv"], SIZES["most-popular.tsv"])]


# -- failures: nothing changes --------------------------------------------------------------------
FAILURES = [
    # (fault, file, options, words the message must hold)
    ("500", "all-weeks-global.tsv", {"retries": 1}, ["HTTP 500", "2 attempts", "run 'renewcast refresh' again"]),
    ("html", "all-weeks-global.tsv", {}, ["HTML", "--base-url"]),
    ("404", "all-weeks-countries.tsv", {}, ["HTTP 404", "--base-url"]),
    ("wrong", "all-weeks-countries.tsv", {}, ["most_popular", "expected top10_country"]),
    ("truncate", "most-popular.tsv", {}, ["cut", "run 'renewcast refresh' again"]),
    ("hang", "all-weeks-global.tsv", {"timeout": 0.3, "retries": 0}, ["no answer within 0.3 s", "1 attempt"]),
    # A byte every 50 ms never trips the read timeout; the overall deadline per file ends it.
    ("trickle", "all-weeks-global.tsv", {"deadline": 1.0, "retries": 0}, ["the server is too slow"]),
    ("huge", "all-weeks-countries.tsv", {"max_bytes": 50_000_000}, ["2,000,000,000 bytes", "over the limit"]),
]


@pytest.mark.parametrize(("fault", "name", "options", "words"), FAILURES, ids=[f[0] for f in FAILURES])
def test_a_failed_download_leaves_store_and_cache_untouched(
        store: Store, server: Server, fault: str, name: str, options: Options, words: list[str]) -> None:
    forget(store, *NAMES)  # download everything, so the failure comes after good files arrived
    before, cache_before = sha256(store.path), download.cache_path(store).read_bytes()
    server.fail(name, fault)
    with pytest.raises(DownloadError) as caught:
        download.refresh(store, server.url, **(FAST | options))
    message = str(caught.value)
    assert "\n" not in message
    assert server.url + name in message
    assert "the store is unchanged" in message
    for word in words:
        assert word in message
    assert sha256(store.path) == before
    assert download.cache_path(store).read_bytes() == cache_before
    assert not list(store.path.parent.glob(".renewcast-refresh-*"))


def test_retry_after_is_honoured(store: Store, server: Server) -> None:
    forget(store, "most-popular.tsv")
    server.fail("most-popular.tsv", "busy", times=1)
    start = time.monotonic()
    report = download.refresh(store, server.url, **FAST)  # FAST's backoff is 10 ms; the server asked for 1 s
    assert time.monotonic() - start >= 0.9
    assert [f.status for f in report.files][-1] == "downloaded"


def test_after_a_failure_the_next_refresh_completes(store: Store, server: Server) -> None:
    forget(store, "most-popular.tsv")
    server.fail("most-popular.tsv", "truncate", times=1)
    with pytest.raises(DownloadError):
        download.refresh(store, server.url, **(FAST | {"retries": 0}))
    report = download.refresh(store, server.url, **FAST)  # the server behaves again
    assert [f.status for f in report.files] == ["unchanged", "unchanged", "downloaded"]
    assert server.url + "most-popular.tsv" in download.load_validators(store)


def test_bad_base_url_is_refused_before_any_request(store: Store) -> None:
    with pytest.raises(DownloadError, match="must start with http"):
        download.refresh(store, "ftp://127.0.0.1/data/", **FAST)


def test_xlsx_format_fetches_the_xlsx_files(server: Server, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    # Netflix's own XLSX for the countries; the other two converted from the real TSVs.
    shutil.copyfile(TOP10 / "all-weeks-countries-2022-11.xlsx", server.root / "all-weeks-countries.xlsx")
    for stem in ("all-weeks-global", "most-popular"):
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(stem)
        with open(TOP10 / f"{stem}.tsv", encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                sheet.append([int(v) if v.isdigit() else v for v in row])
        book.save(server.root / f"{stem}.xlsx")
    store = Store(tmp_path / "renewcast.duckdb")
    report = download.refresh(store, server.url, "xlsx", **FAST)
    assert [f.name for f in report.files] == [n.replace(".tsv", ".xlsx") for n in NAMES]
    assert {f.kind: f.rows for f in report.files} == {
        "top10_global": 10_560, "top10_country": 134_620, "most_popular": 40}
    assert count(store, "top10_country") == 134_620


# -- the command ----------------------------------------------------------------------------------
@pytest.fixture
def cli(store: Store, server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    monkeypatch.setenv("RENEWCAST_DB", str(store.path))
    monkeypatch.setenv("RENEWCAST_BASE_URL", server.url)
    monkeypatch.setenv("RENEWCAST_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("RENEWCAST_RETRIES", "0")
    yield lambda *args: CliRunner().invoke(main, ["refresh", *args])  # main() reads the env once


def test_cli_reports_each_file(cli: Callable[..., Result], store: Store) -> None:
    forget(store, "most-popular.tsv")
    result = cli()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("all-weeks-global.tsv") and "unchanged" in lines[0]
    assert "downloaded 2,903 bytes" in lines[2] and lines[2].endswith("40 rows")
    assert lines[3].startswith("Ingested 40 rows into")
    assert result.stderr == ""  # not a terminal: no progress bar


def test_cli_says_nothing_changed(cli: Callable[..., Result], store: Store) -> None:
    before = sha256(store.path)
    result = cli()
    assert result.exit_code == 0, result.output
    assert "Nothing changed" in result.stdout
    assert sha256(store.path) == before


def test_cli_json(cli: Callable[..., Result], server: Server) -> None:
    result = cli("--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["changed"] is False and data["format"] == "tsv"
    assert [f["status"] for f in data["files"]] == ["unchanged"] * 3


@pytest.mark.parametrize(("fault", "words"), [("404", "HTTP 404"), ("hang", "no answer within 0.3 s"),
                                               ("html", "HTML")])
def test_cli_failure_is_one_line_and_exit_1(cli: Callable[..., Result], store: Store, server: Server,
                                            fault: str, words: str) -> None:
    forget(store, *NAMES)
    before = sha256(store.path)
    server.fail("all-weeks-global.tsv", fault)
    result = cli()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert words in lines[0] and server.url in lines[0]
    assert sha256(store.path) == before


def test_cli_base_url_option_wins_over_env(cli: Callable[..., Result], server: Server) -> None:
    result = cli("--base-url", server.url + "missing/")
    assert result.exit_code == 1
    assert "missing/all-weeks-global.tsv answered HTTP 404" in result.stderr


class _Hook(BaseHTTPRequestHandler):
    """A local webhook: records each POST body, answers with the status the test sets."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.bodies.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[Any]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    httpd.bodies, httpd.status = [], 204  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"  # type: ignore[attr-defined]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_refresh_notify_posts_what_changed(cli: Callable[..., Result], store: Store, hook: Any) -> None:
    forget(store, "most-popular.tsv")
    result = cli("--notify", hook.url)
    assert result.exit_code == 0, result.output
    assert f"Posted a summary to {hook.url}." in result.output
    [sent] = hook.bodies
    assert sent["event"] == "renewcast.refresh" and sent["changed"] is True and sent["rows"] == 40
    assert sent["known"]["data_through"] == "2026-07-19" and sent["weeks"][0]["week"] == "2026-07-19"
    hook.status = 500
    failed = cli("--notify", hook.url)
    assert failed.exit_code == 1 and "the webhook at" in failed.output and "HTTP 500" in failed.output
