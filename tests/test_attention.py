"""Attention signals from public datasets, fetched from a real HTTP server on 127.0.0.1 that
answers in IMDb's and Wikimedia's exact formats, and misbehaves on request: 304, a cut-off
body, a trickle, bad JSON. Every failure is one line and leaves the store byte-identical."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from renewcast import signals
from renewcast.errors import DownloadError, InputError
from renewcast.store import Store

from .conftest import sha256

SHOWS = [{"show_title": "The Imperfects", "imdb_id": "tt13919988", "wikipedia_title": "The Imperfects"},
         {"show_title": "Wednesday", "imdb_id": "tt13443470", "wikipedia_title": "Wednesday (TV series)"}]
FAST: dict[str, Any] = {"timeout": 1.0, "retries": 0, "deadline": 3.0}
TODAY = dt.date(2026, 12, 7)


def ratings_gz(rows: list[str]) -> bytes:
    return gzip.compress(("tconst\taverageRating\tnumVotes\n" + "".join(r + "\n" for r in rows)).encode())


def pageviews(article: str, start: dt.date, days: int) -> bytes:
    return json.dumps({"items": [
        {"project": "en.wikipedia", "article": article.replace(" ", "_"), "granularity": "daily",
         "timestamp": f"{start + dt.timedelta(days=i):%Y%m%d}00", "access": "all-access", "agent": "user",
         "views": 1000 + i} for i in range(days)]}).encode()


class Host:
    def __init__(self) -> None:
        self.body = ratings_gz(["tt0000001\t5.6\t2100", "tt13919988\t6.1\t15000", "tt13443470\t8.0\t450000"])
        self.fault: str | None = None
        self.seen: list[dict[str, str]] = []


@pytest.fixture
def host() -> Iterator[tuple[str, Host]]:
    state = Host()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.seen.append(dict(self.headers))
            if self.path.startswith("/pageviews/"):
                article = self.path.split("/")[2]
                body = b"{not json" if state.fault == "json" else pageviews(
                    article.replace("_", " "), dt.date(2026, 11, 1), 36)
            else:
                body = state.body[: len(state.body) // 2] if state.fault == "cutgz" else state.body
            if state.fault == "304" and self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            if state.fault == "trickle":
                self.end_headers()
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.05)
                return
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if state.fault == "cut" else body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def test_imdb_ratings_are_recorded_once_a_day_and_a_304_changes_nothing(host: tuple[str, Host],
                                                                         store_copy: Store) -> None:
    url, state = host
    got = signals.refresh_imdb(store_copy, url + "/title.ratings.tsv.gz", today=TODAY, shows=SHOWS, **FAST)
    assert got is not None and len(got.added) == 4  # rating and votes, two shows
    with store_copy.reading() as con:
        rows = con.execute("SELECT show_title, season, kind, value, observed FROM signals WHERE platform = 'imdb' "
                           "ORDER BY 1, 3").fetchall()
    assert rows == [("The Imperfects", 1, "imdb_rating", 6.1, "2026-12-07"),
                    ("The Imperfects", 1, "imdb_votes", 15000.0, "2026-12-07"),
                    ("Wednesday", 2, "imdb_rating", 8.0, "2026-12-07"),
                    ("Wednesday", 2, "imdb_votes", 450000.0, "2026-12-07")]
    state.fault = "304"
    before = sha256(store_copy.path)
    assert signals.refresh_imdb(store_copy, url + "/title.ratings.tsv.gz", today=TODAY, shows=SHOWS, **FAST) is None
    assert state.seen[-1].get("If-None-Match") == '"v1"' and sha256(store_copy.path) == before
    # A new day's download adds that day; the past observation is never rewritten.
    state.fault, state.body = None, ratings_gz(["tt13919988\t6.3\t15500"])
    again = signals.refresh_imdb(store_copy, url + "/title.ratings.tsv.gz", today=TODAY, shows=SHOWS, **FAST)
    assert again is not None and not again.added and len(again.unchanged) == 2
    later = signals.refresh_imdb(store_copy, url + "/title.ratings.tsv.gz", today=TODAY + dt.timedelta(days=1),
                                 shows=SHOWS, **FAST)
    assert later is not None and len(later.added) == 2


@pytest.mark.parametrize(("fault", "error"), [("cut", DownloadError), ("cutgz", InputError),
                                              ("trickle", DownloadError)])
def test_a_damaged_or_slow_ratings_download_changes_nothing(host: tuple[str, Host], store_copy: Store,
                                                            fault: str, error: type[Exception]) -> None:
    url, state = host
    state.fault = fault
    state.body = state.body * 40 if fault == "trickle" else state.body
    before = sha256(store_copy.path)
    started = time.monotonic()
    with pytest.raises(error):
        signals.refresh_imdb(store_copy, url + "/title.ratings.tsv.gz", today=TODAY, shows=SHOWS, **FAST)
    assert time.monotonic() - started < 8  # the deadline covers the whole exchange
    assert sha256(store_copy.path) == before
    assert not [p for p in store_copy.path.parent.iterdir() if p.name.startswith(".renewcast-refresh-")]


def test_a_file_that_is_not_imdbs_is_refused(host: tuple[str, Host], store_copy: Store) -> None:
    url, state = host
    state.body = gzip.compress(b"a\tb\n1\t2\n")
    with pytest.raises(InputError, match="not IMDb's ratings file"):
        signals.refresh_imdb(store_copy, url + "/title.ratings.tsv.gz", today=TODAY, shows=SHOWS, **FAST)


def test_wikipedia_views_fill_each_day_once_on_the_season_then_out(host: tuple[str, Host], store_copy: Store
                                                                    ) -> None:
    url, _state = host
    got = signals.refresh_wikipedia(store_copy, url + "/pageviews/", since=dt.date(2026, 11, 1), today=TODAY,
                                    shows=SHOWS, **FAST)
    assert len(got.added) == 2 * 36  # Nov 1 to Dec 6 for both shows
    with store_copy.reading() as con:
        first, last, n = con.execute("SELECT min(observed), max(observed), count(*) FROM signals "
                                     "WHERE kind = 'wikipedia_views' AND show_title = 'Wednesday'").fetchone()
        season = con.execute("SELECT DISTINCT season FROM signals WHERE kind = 'wikipedia_views' "
                             "AND show_title = 'Wednesday'").fetchall()
    assert (first, last, n) == ("2026-11-01", "2026-12-06", 36) and season == [(2,)]
    again = signals.refresh_wikipedia(store_copy, url + "/pageviews/", today=TODAY, shows=SHOWS, **FAST)
    assert not again.added  # nothing after the last stored day yet


def test_bad_json_from_the_pageview_api_changes_nothing(host: tuple[str, Host], store_copy: Store) -> None:
    url, state = host
    state.fault = "json"
    before = sha256(store_copy.path)
    with pytest.raises(InputError, match="not JSON"):
        signals.refresh_wikipedia(store_copy, url + "/pageviews/", since=dt.date(2026, 11, 1), today=TODAY,
                                  shows=SHOWS, **FAST)
    assert sha256(store_copy.path) == before


def test_the_shipped_ids_have_valid_formats() -> None:
    import re

    rows = signals.show_ids()
    assert rows
    for r in rows:
        assert not r["imdb_id"] or re.fullmatch(r"tt\d{7,9}", r["imdb_id"]), r
        assert not r["wikipedia_title"] or ("/" not in r["wikipedia_title"] and r["wikipedia_title"].strip())
        assert r["source"].startswith(("https://", "http://")), r


def test_the_cli_refreshes_from_a_local_server(host: tuple[str, Host], cli_env: Store, tmp_path: Path) -> None:
    import shutil

    from click.testing import CliRunner

    from renewcast.cli import main

    db = tmp_path / "c.duckdb"
    shutil.copyfile(cli_env.path, db)
    url, _state = host
    result = CliRunner().invoke(main, ["--db", str(db), "signal", "refresh", "--imdb", "--imdb-url",
                                       url + "/title.ratings.tsv.gz"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("IMDb ratings: ")
    assert CliRunner().invoke(main, ["--db", str(db), "signal", "refresh"]).exit_code == 2
