"""The second red team's attacks that 0.3.2 failed, each a named test: one line and a
non-zero exit (or a 4xx) instead of a traceback or a 500, nothing changed, nothing left behind."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from renewcast.cli import main
from renewcast.store import Store

from .conftest import sha256, web_client, write

IMPERFECTS = "/title/the-imperfects-season-1"


def one_line_error(result: Any) -> None:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and result.output.strip().count("\n") == 0, result.output
    assert result.output.startswith("Error: ") or result.output.startswith('{"error"'), result.output


# -- the command line ---------------------------------------------------------------------------
def test_an_impossible_week_is_one_line(cli_env: Store) -> None:
    before = sha256(cli_env.path)
    for week in ("9999-12-31", "0001-01-01", "2026-12-31"):
        result = CliRunner().invoke(main, ["top10", "--week", week])
        one_line_error(result)
        assert "no Top 10 week holds" in result.output
    assert sha256(cli_env.path) == before


def test_a_setting_that_is_not_a_number_is_one_line(cli_env: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RENEWCAST_TIMEOUT_SECONDS", "RENEWCAST_RETRIES", "RENEWCAST_MAX_BYTES"):
        monkeypatch.setenv(name, "abc")
        result = CliRunner().invoke(main, ["info"])
        one_line_error(result)
        assert f"{name}: 'abc' is not a number" in result.output
        monkeypatch.delenv(name)


def test_a_store_path_under_a_file_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["--db", str(blocker / "x.duckdb"), "info"], catch_exceptions=False)
    assert result.exit_code == 1 and "a file of that name is in the way" in result.output
    assert "Traceback" not in result.output and blocker.read_text() == "x"


@pytest.mark.parametrize("command", [["catalog", "import"], ["ledger", "import"], ["signal", "import"]])
@pytest.mark.parametrize("body", [bytes(range(256)) * 8, b"\x00" * 4096, b"show_title,season\n\x00\x01\x02,1\n"])
def test_a_binary_file_is_one_line_and_changes_nothing(store_copy: Store, tmp_path: Path, command: list[str],
                                                       body: bytes) -> None:
    path = write(tmp_path, body, "binary.csv")
    before = sha256(store_copy.path)
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), *command, str(path)])
    one_line_error(result)
    assert sha256(store_copy.path) == before


def test_a_control_character_in_a_note_is_refused_on_the_way_in(store_copy: Store) -> None:
    before = sha256(store_copy.path)
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "ledger", "add", "The Imperfects", "--season", "1",
                                       "--outcome", "canceled", "--announced", "2022-11-08", "--source",
                                       "https://example.com/a", "--note", "bad\x07bell"])
    one_line_error(result)
    assert "control character U+0007" in result.output
    assert sha256(store_copy.path) == before


def test_a_bad_webhook_fails_before_any_download(cli_env: Store) -> None:
    started = time.monotonic()
    for url in ("http://[::1", "ftp://example.com/hook", "not a url"):
        result = CliRunner().invoke(main, ["refresh", "--notify", url])
        one_line_error(result)
        assert "nothing was downloaded" in result.output
    assert time.monotonic() - started < 5  # no download was even tried


def test_only_netflixs_categories_are_accepted(store_copy: Store, tmp_path: Path) -> None:
    from renewcast.config import BUNDLED_DATA

    lines = (BUNDLED_DATA / "netflix-top10" / "all-weeks-global.tsv").read_text(encoding="utf-8").splitlines()
    cells = lines[1].split("\t")
    cells[1] = "Films (Klingon)"
    path = write(tmp_path, "\n".join([lines[0], "\t".join(cells)]) + "\n", "klingon.tsv")
    before = sha256(store_copy.path)
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "ingest", "--no-train", str(path)])
    one_line_error(result)
    assert "line 2, column 'category': 'Films (Klingon)' is not one of Netflix's lists" in result.output
    assert sha256(store_copy.path) == before


def test_a_full_disk_is_one_line_and_the_store_is_unchanged(store_copy: Store, monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    import errno

    from renewcast import store as store_module

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    before = sha256(store_copy.path)
    monkeypatch.setattr(store_module.shutil, "copyfile", full)  # the write's private copy cannot be made
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "ledger", "add", "The Imperfects", "--season", "1",
                                       "--outcome", "canceled", "--announced", "2022-11-08", "--source",
                                       "https://example.com/a"])
    one_line_error(result)
    assert "no space left on device: the store is unchanged" in result.output
    assert sha256(store_copy.path) == before
    assert not [p for p in store_copy.path.parent.iterdir() if p.name.endswith(".tmp")]


def test_json_errors_are_json(cli_env: Store) -> None:
    result = CliRunner().invoke(main, ["show", "Strnger things", "--json"])
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["suggestions"][0] == "Stranger Things" and "no title matches" in body["error"]
    # Shows before specials and documentaries about them.
    assert body["suggestions"].index("Stranger Things") < body["suggestions"].index(
        "One Last Adventure: The Making of Stranger Things 5")


# -- the web ------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "/week/9999-12-31", "/api/v1/weeks/9999-12-31", "/country/fr?week=9999-12-31", "/week/0001-01-01",
    "/api/v1/seasons?offset=9223372036854775808", "/api/v1/seasons?limit=99999999999999999999",
    "/api/v1/seasons?premiered_from=9999-99-99", "/title/%00", "/country/zz",
])
def test_bad_requests_are_4xx(built_store: Store, url: str) -> None:
    response = web_client(built_store.path).get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code, response.text[:200])


def test_the_etag_follows_the_file_on_disk(store_copy: Store, tmp_path: Path) -> None:
    client = web_client(store_copy.path)
    first = client.get(IMPERFECTS)
    etag = first.headers["etag"]
    assert client.get(IMPERFECTS, headers={"If-None-Match": etag}).status_code == 304
    # Replace the store file (as an ingest does), then revalidate on an otherwise quiet server.
    replacement = tmp_path / "new.duckdb"
    shutil.copyfile(store_copy.path, replacement)
    os.replace(replacement, store_copy.path)
    again = client.get(IMPERFECTS, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["etag"] != etag


def test_feeds_survive_a_control_character_and_ids_are_stable(store_copy: Store) -> None:
    import feedparser

    with store_copy.writing() as con:  # a row written before the check existed
        con.execute("UPDATE ledger SET note = note || chr(7) WHERE slug = 'the-imperfects-season-1'")
    client = web_client(store_copy.path)
    for path in ("/feeds/decisions.atom", "/feeds/title/the-imperfects-season-1.atom"):
        response = client.get(path)
        assert response.status_code == 200, path
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (path, parsed.bozo_exception)
        ids = [e.id for e in parsed.entries]
        assert ids and all(i.startswith("urn:uuid:") and " " not in i for i in ids)
    other = web_client(store_copy.path).get("/feeds/decisions.atom", headers={"host": "elsewhere.example"})
    assert [e.id for e in feedparser.parse(other.content).entries] == [
        e.id for e in feedparser.parse(client.get("/feeds/decisions.atom").content).entries]


# -- deadlines over the whole exchange ------------------------------------------------------------
@pytest.fixture
def trickler() -> Any:
    """A server that sends its status line and headers one byte every 0.2 s, forever."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100_000:
                if stop.is_set():
                    break
                conn.sendall(bytes([byte]))
                time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    listener.close()


def test_a_server_trickling_its_headers_cannot_hold_a_download_past_the_deadline(trickler: str,
                                                                                  store_copy: Store) -> None:
    from renewcast.errors import DownloadError
    from renewcast.sources import download

    before = sha256(store_copy.path)
    started = time.monotonic()
    with pytest.raises(DownloadError, match="deadline"):
        download.refresh(store_copy, trickler + "/top10/data/", timeout=1.0, retries=0, deadline=2.0)
    assert time.monotonic() - started < 6
    assert sha256(store_copy.path) == before


def test_a_webhook_trickling_its_answer_cannot_hold_notify_past_its_timeout(trickler: str,
                                                                           store_copy: Store) -> None:
    from renewcast import build
    from renewcast.errors import DownloadError
    from renewcast.sources.download import RefreshReport

    started = time.monotonic()
    with pytest.raises(DownloadError, match="no complete answer within 2 s"):
        build.notify(trickler + "/hook", RefreshReport("http://x/", "tsv"), store_copy, timeout=2.0)
    assert time.monotonic() - started < 5


def test_a_refresh_killed_mid_download_leaves_nothing_after_the_next_command(store_copy: Store,
                                                                             tmp_path: Path) -> None:
    import signal
    import socket
    import subprocess
    import sys
    import threading

    # A server that sends a large body slowly: the download is under way when it is killed.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")
        try:
            for _ in range(200):
                conn.sendall(b"x" * 65536)
                time.sleep(0.05)
        except OSError:
            pass
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/top10/data/"
    env = {**os.environ, "RENEWCAST_DB": str(store_copy.path)}
    for sig in (signal.SIGKILL,):
        proc = subprocess.Popen([sys.executable, "-m", "renewcast", "refresh", "--no-train", "--base-url", url],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            partial = [p for p in store_copy.path.parent.glob(".renewcast-refresh-*") if any(p.iterdir())]
            if partial and any(f.stat().st_size > 100_000 for d in partial for f in d.iterdir()):
                break
            time.sleep(0.1)
        proc.send_signal(sig)
        proc.wait(10)
        assert list(store_copy.path.parent.glob(".renewcast-refresh-*")), "the killed download left its folder"
    listener.close()
    before = sha256(store_copy.path)
    result = CliRunner().invoke(main, ["--db", str(store_copy.path), "info"])
    assert result.exit_code == 0, result.output
    assert not list(store_copy.path.parent.glob(".renewcast-refresh-*"))  # any next command removes it
    assert sha256(store_copy.path) == before


def test_the_web_cache_is_bounded_in_bytes(built_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from renewcast.web import db as db_module

    monkeypatch.setattr(db_module, "MAX_CACHE_BYTES", 1_000_000)
    database = db_module.Database(built_store.path)
    for n in range(300):  # 300 distinct queries of 10 kB each: 3 MB asked for
        database.cached(("api-seasons", n), lambda con: b"x" * 10_000)
    gen = database._live
    assert gen is not None and gen.bytes <= 1_000_000 and len(gen.cache) <= 100
    assert database.cached(("api-seasons", 299), lambda con: b"recomputed") == b"x" * 10_000  # newest kept
    assert database.cached(("api-seasons", 0), lambda con: b"recomputed") == b"recomputed"  # oldest went
    database.close()
