"""The web layer in-process (FastAPI TestClient) on the store built from the real bundled data."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from renewcast.cli import main
from renewcast.config import Settings
from renewcast.store import Store
from renewcast.web import create_app
from renewcast.web.site import broken_links, build_site

IMPERFECTS = "/title/the-imperfects-season-1"
EVIL = '<script>alert("x")</script> & "Quotes" \'n\' <b>Bold</b>'


def make_client(app: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx, at import
        from fastapi.testclient import TestClient
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(built_store: Store) -> Iterator[Any]:
    with make_client(create_app(built_store.path, settings=Settings(db=built_store.path))) as c:
        yield c


def crafted_tsv(path: Path, title: str = EVIL, week: str = "2026-07-26") -> Path:
    path.write_text(
        "week\tcategory\tweekly_rank\tshow_title\tseason_title\tweekly_hours_viewed\truntime\tweekly_views\t"
        "cumulative_weeks_in_top_10\n"
        f"{week}\tTV (English)\t1\t{title}\t{title}: Season 1\t50000000\t5.0\t10000000\t1\n",
        encoding="utf-8")
    return path


# -- pages -----------------------------------------------------------------------------


def test_home_shows_the_latest_week_board_and_search(client: Any) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Will there be another season?</h1>" in html
    assert "week of Jul 13 – Jul 19, 2026" in html
    for category in ("Films (English)", "Films (Non-English)", "TV (English)", "TV (Non-English)"):
        assert f"<h3>{category}</h3>" in html
    assert 'href="/title/shipwrecked-nightmare-at-sea"' in html
    assert "+23%" in html  # Shipwrecked: Nightmare at Sea's change, as `renewcast top10` prints it
    assert 'role="search"' in html and 'name="q"' in html
    assert "Awaiting a decision" in html and "Latest decisions" in html
    assert 'href="/tables/latest-week.csv"' in html and 'href="/tables/latest-week.json"' in html


def test_security_headers_and_no_external_origins(client: Any) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "http" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]
    # Nothing loaded from elsewhere (links to cited sources are plain anchors).
    assert 'src="http' not in r.text and "url(http" not in r.text
    assert not re.findall(r'<link[^>]+href="(?:https?:)?//', r.text)
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "http" not in css.text and "prefers-color-scheme: dark" in css.text


def test_season_page_prints_the_trade_press_table(client: Any) -> None:
    r = client.get(IMPERFECTS)
    assert r.status_code == 200
    html = r.text
    assert "<h1>The Imperfects: Season 1</h1>" in html
    for text in ("Sep 5 – Sep 11, 2022", "24.07M", "35.02M", "+45%", "12.76M", "-64%", "3.37M*", "71.85M"):
        assert text in html, text
    assert "predicts cancellation" in html
    assert "Charted in 59 of 94 countries" in html
    assert 'href="/title/the-imperfects-season-1/weeks.csv"' in html


def test_season_chart_is_readable_svg_with_text_alternative(client: Any) -> None:
    html = client.get(IMPERFECTS).text
    svg = html[html.index("<svg class=\"chart\""):html.index("</svg>", html.index("<svg class=\"chart\""))]
    assert 'role="img"' in svg
    assert "<title id=\"chart-title\">The Imperfects: Season 1: views per week since premiere</title>" in svg
    assert "<desc" in svg and "Week since premiere" in svg and ">Views<" in svg
    assert "<polyline" in svg
    assert "<summary>Chart data</summary>" in html  # the same numbers as a table


def test_season_page_shows_forecast_ledger_and_signals_sections(client: Any) -> None:
    html = client.get(IMPERFECTS).text
    for heading in ("Forecast", "Decision", "Fan signals", "Countries"):
        assert f">{heading}</h2>" in html
    assert "Rule of thumb" in html


def test_show_level_title_lists_seasons_and_titles_redirect(client: Any) -> None:
    r = client.get("/title/squid-game")
    assert r.status_code == 200
    assert 'href="/title/squid-game-season-1"' in r.text and 'href="/title/squid-game-season-2"' in r.text
    r = client.get("/title/The Imperfects", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == IMPERFECTS


def test_compare_two_seasons_on_one_chart_and_table(client: Any) -> None:
    r = client.get("/compare", params=[("s", "the-imperfects-season-1"), ("s", "Resident Evil")])
    assert r.status_code == 200
    assert r.text.count("<svg class=\"chart\"") == 1
    assert "3.37M" in r.text and 'id="compare"' in r.text
    csv = client.get("/compare.csv", params=[("s", "the-imperfects-season-1"), ("s", "Resident Evil")])
    assert csv.status_code == 200 and csv.text.startswith("week_since_premiere,the-imperfects-season-1_views")
    assert client.get("/compare", params={"s": "the-imperfects-season-1"}).status_code == 422
    five = [("s", "squid-game-season-1")] * 5
    assert client.get("/compare", params=five).status_code == 422


def test_search_is_forgiving(client: Any) -> None:
    r = client.get("/search", params={"q": "imperfects"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == IMPERFECTS
    r = client.get("/search", params={"q": "squid game"})
    assert r.status_code == 200 and r.text.count('href="/title/squid-game-season-') >= 2
    r = client.get("/search", params={"q": "imperfcts"})
    assert r.status_code == 200 and "Did you mean" in r.text and "The Imperfects" in r.text
    r = client.get("/search", params={"q": "' OR 1=1; DROP TABLE seasons; --"})
    assert r.status_code == 200
    assert client.get(IMPERFECTS).status_code == 200


def test_track_record_page(client: Any) -> None:
    r = client.get("/track-record")
    assert r.status_code == 200 and "<h1>Track record</h1>" in r.text


# -- downloads and API -----------------------------------------------------------------


def test_tables_download_as_csv_and_json(client: Any) -> None:
    csv = client.get("/title/the-imperfects-season-1/weeks.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith("week_start,week_end,hours_viewed,change_fraction,rank")
    assert lines[1].startswith("2022-09-05,2022-09-11,24070000,,3")
    rows = client.get("/title/the-imperfects-season-1/weeks.json").json()
    assert [w["hours_viewed"] for w in rows] == [24070000, 35020000, 12760000]
    latest = client.get("/tables/latest-week.json").json()
    assert len(latest) == 40 and latest[0]["weekly_rank"] == 1
    for name in ("board", "decisions", "backtest", "misses", "calibration"):
        assert client.get(f"/tables/{name}.csv").status_code == 200
    assert client.get("/tables/nothing.csv").status_code == 404
    assert client.get("/title/the-imperfects-season-1/weeks.xml").status_code == 404


def test_api_endpoints(client: Any) -> None:
    found = client.get("/api/v1/titles", params={"q": "imperf"}).json()
    assert found["results"][0]["slug"] == "the-imperfects-season-1"
    assert found["results"][0]["url"] == IMPERFECTS
    season = client.get("/api/v1/seasons/the-imperfects-season-1").json()
    assert [w["hours_viewed"] for w in season["weeks"]] == [24070000, 35020000, 12760000]
    assert {"forecast", "forecast_note", "ledger", "signals", "rule_of_thumb"} <= set(season)
    assert "board" in client.get("/api/v1/board").json()
    assert "backtest" in client.get("/api/v1/backtest").json()
    assert client.get("/api/v1/latest-week").json()["week"] == "2026-07-19"
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/titles", "/api/v1/seasons/{slug}", "/api/v1/board", "/api/v1/backtest",
            "/api/v1/latest-week"} <= set(spec["paths"])
    assert "post" not in spec["paths"]["/api/v1/ledger"]  # no token configured: no write endpoints


def test_etag_and_304(client: Any) -> None:
    r = client.get(IMPERFECTS)
    etag = r.headers["etag"]
    again = client.get(IMPERFECTS, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/api/v1/board", headers={"If-None-Match": etag}).status_code == 200
    assert client.head(IMPERFECTS).status_code == 200


# -- errors ------------------------------------------------------------------------------


def test_errors_are_short_and_never_tracebacks(client: Any) -> None:
    r = client.get("/title/zzqqxx-nothing")
    assert r.status_code == 404 and "no title matches" in r.text and "Traceback" not in r.text
    r = client.get("/api/v1/seasons/zzqqxx-nothing")
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert r.json()["error"].startswith("no title matches 'zzqqxx-nothing'")
    r = client.get("/api/v1/titles", params={"q": "x", "limit": "lots"})
    assert r.status_code == 422 and "limit" in r.json()["error"]
    assert client.get("/title/" + "x" * 300).status_code == 422
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "no page at /no/such/page" in r.text
    assert client.get("/api/v1/nothing").json()["status"] == 404


def test_titles_are_escaped(store_copy: Store, tmp_path: Path) -> None:
    store_copy.ingest([crafted_tsv(tmp_path / "evil.tsv")])
    with make_client(create_app(store_copy.path, settings=Settings(db=store_copy.path))) as c:
        home = c.get("/").text
        assert "<script>alert" not in home
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;Quotes&#34; &#39;n&#39;" in home
        slug = c.get("/api/v1/titles", params={"q": "quotes"}).json()["results"][0]["slug"]
        page = c.get(f"/title/{slug}").text
        assert "<script>alert" not in page and "<b>Bold</b>" not in page
        assert "&lt;b&gt;Bold&lt;/b&gt;" in page
        assert c.get(f"/api/v1/seasons/{slug}").json()["show_title"] == EVIL


# -- writes --------------------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_writes_need_the_token_and_change_nothing_without_it(store_copy: Store) -> None:
    settings = Settings(db=store_copy.path, api_token="s3cret")
    entry = {"show_title": "The Imperfects", "season": 1, "outcome": "renewed", "announced": "2022-12-01"}
    before = digest(store_copy.path)
    with make_client(create_app(store_copy.path, settings=settings)) as c:
        assert c.post("/api/v1/ledger", json=entry).status_code == 401
        assert c.post("/api/v1/ledger", json=entry, headers={"Authorization": "Bearer wrong"}).status_code == 401
        signal = {"show_title": "The Imperfects", "season": 1, "kind": "imdb_rating", "value": 7,
                  "observed": "2022-12-01"}
        r = c.post("/api/v1/signals", json=signal, headers={"Authorization": "Basic s3cret"})
        assert r.status_code == 401 and "Bearer" in r.json()["error"]
        assert digest(store_copy.path) == before
        assert "/api/v1/ledger" in c.get("/openapi.json").json()["paths"]
        r = c.post("/api/v1/signals", json={**signal, "bogus": 1}, headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 422 and "bogus" in r.json()["error"]
        assert digest(store_copy.path) == before
        r = c.post("/api/v1/signals", json=signal, headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 201, r.text
        signals = c.get("/api/v1/seasons/the-imperfects-season-1").json()["signals"]
        assert any(s["kind"] == "imdb_rating" and s["value"] == 7 and s["observed"] == "2022-12-01"
                   for s in signals)
        correction = {**entry, "source": "https://example.org/renewed"}
        r = c.post("/api/v1/ledger", json=correction, headers={"Authorization": "Bearer s3cret"})
        assert r.status_code == 201, r.text
        ledger = c.get("/api/v1/seasons/the-imperfects-season-1").json()["ledger"]
        assert ledger["outcome"] == "renewed" and ledger["announced"] == "2022-12-01"
        page = c.get(IMPERFECTS).text
        assert 'href="https://example.org/renewed"' in page and "The season's story" in page


# -- the store swapped under a running server -----------------------------------------


def test_keeps_serving_while_ingest_runs_in_another_process(store_copy: Store, tmp_path: Path) -> None:
    tsv = crafted_tsv(tmp_path / "new-week.tsv", title="Brand New Show", week="2026-07-26")
    env = {**os.environ, "RENEWCAST_DB": str(store_copy.path)}
    with make_client(create_app(store_copy.path, settings=Settings(db=store_copy.path))) as c:
        assert c.get("/api/v1/latest-week").json()["week"] == "2026-07-19"
        proc = subprocess.Popen([sys.executable, "-m", "renewcast", "ingest", str(tsv)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        weeks, statuses = set(), []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = c.get("/api/v1/latest-week")
            statuses.append(r.status_code)
            weeks.add(r.json().get("week"))
            home = c.get("/")
            statuses.append(home.status_code)
            if proc.poll() is not None and "2026-07-26" in weeks:
                break
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert set(statuses) == {200}
        assert c.get("/api/v1/latest-week").json()["week"] == "2026-07-26"
        assert "Brand New Show" in c.get("/").text
        assert len(statuses) > 4  # it was answering while the ingest ran


# -- static site and CLI -------------------------------------------------------------------


def test_static_site_build_has_no_broken_links(built_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = build_site(built_store.path, out, limit=3)
    assert (out / "index.html").is_file() and (out / "track-record.html").is_file()
    assert (out / "static" / "style.css").is_file()
    for slug in result.seasons:
        assert (out / "title" / f"{slug}.html").is_file()
        data = json.loads((out / "api" / "v1" / "seasons" / f"{slug}.json").read_text())
        assert data["slug"] == slug
    assert "kpop-demon-hunters" in result.seasons  # the latest week's films
    assert broken_links(out) == []
    home = (out / "index.html").read_text()
    # Links are relative, so the export works from any folder and from file:// alike.
    assert 'href="track-record.html"' in home and "/search" not in home and 'href="/' not in home


def test_link_check_finds_a_broken_link(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<a href="/missing.html">x</a><a href="https://example.org/">y</a>')
    assert broken_links(tmp_path) == [("index.html", "/missing.html")]


def test_cli_site_build(cli_env: Store, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["site", "build", str(tmp_path / "s"), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "pages" in result.output
    assert (tmp_path / "s" / "index.html").is_file()
    # Public readers get what the data is and how old, never a command to run.
    for page in (tmp_path / "s").rglob("*.html"):
        body = page.read_text(encoding="utf-8")
        assert "run renewcast" not in body, page
    assert "Netflix data through Jul 19, 2026" in (tmp_path / "s" / "index.html").read_text(encoding="utf-8")


def test_cli_serve_help() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--host" in result.output


# -- the adapter to the forecast, ledger and signals modules -----------------------------


def test_pages_work_before_any_forecast_is_trained(tmp_path: Path) -> None:
    """A store that only ever had `ingest` has no forecasts: pages say so instead of failing."""
    from renewcast import report
    from renewcast.config import BUNDLED_DATA
    from renewcast.forecast.service import NO_FORECAST

    store = Store(tmp_path / "bare.duckdb")
    store.ingest([BUNDLED_DATA / "netflix-top10", BUNDLED_DATA / "netflix-engagement"])
    with store.reading() as con:
        assert report.forecast_or_note(con, "the-imperfects-season-1") == (None, NO_FORECAST)
        assert report.board_or_note(con) == ([], NO_FORECAST)
    with make_client(create_app(store.path, settings=Settings(db=store.path))) as c:
        # No catalog in a bare store: nothing says Netflix decides it, so no odds either.
        assert "No forecast: not known whether Netflix decides its seasons" in html.unescape(c.get(IMPERFECTS).text)
        assert NO_FORECAST in html.unescape(c.get("/").text)
        board = c.get("/api/v1/board").json()
        assert (board["board"], board["note"]) == ([], NO_FORECAST) and board["known"]["data_age_days"] == 141


def test_track_record_renders_a_backtest(built_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from renewcast import report

    calibration = [{"bin": "0.0-0.2", "n": 10, "mean_predicted": 0.12, "observed_renewed": 0.2},
                   {"bin": "0.8-1.0", "n": 30, "mean_predicted": 0.88, "observed_renewed": 0.83}]
    result = {"n": 40, "horizon_days": 14,
              "model": {"n": 40, "auc": 0.81, "accuracy": 0.775, "brier": 0.162, "calibration": calibration},
              "rule": {"n": 40, "auc": 0.62, "accuracy": 0.6, "brier": 0.25, "calibration": calibration[:1]},
              "majority": {"n": 40, "auc": 0.5, "accuracy": 0.7, "brier": 0.21, "calibration": []},
              "misses": [{"slug": "the-imperfects-season-1", "title": "The Imperfects: Season 1",
                          "probability": 0.81, "outcome": "canceled"}]}
    summary = [{"horizon_days": 28, "slice": part, "method": m, "n": 40, "auc": result[m]["auc"],
                "accuracy": result[m]["accuracy"], "brier": result[m]["brier"],
                "auc_interval_95": [0.7, 0.9], "accuracy_interval_95": None, "brier_interval_95": [0.12, 0.2]}
               for part in ("all", "frozen") for m in ("model", "rule", "majority")]
    monkeypatch.setattr(report, "track_record", lambda con: (result, None))
    monkeypatch.setattr(report, "backtest_summary", lambda con: summary)
    with make_client(create_app(built_store.path, settings=Settings(db=built_store.path))) as c:
        html = c.get("/track-record").text
        assert "Walk-forward backtest" in html and "frozen: the last 12 months" in html
        assert "0.810" in html and "0.775" in html and "0.162" in html and "Rule of thumb" in html
        assert "(0.70–0.90)" in html and "scores at chance" in html
        assert '<title id="calibration-title">Calibration' in html
        assert "Calibration (14 days, all decisions)" in html  # the stored backtest's horizon, not a fixed 28
        assert f'<a href="{IMPERFECTS}">The Imperfects: Season 1</a>' in html
        assert '<td class="num">81%</td>' in html
        misses = c.get("/tables/misses.json").json()
        assert misses[0]["outcome"] == "canceled"
        assert c.get("/tables/calibration.csv").text.splitlines()[0] == "bin,n,mean_predicted,observed_renewed"


def test_non_ascii_slugs_work(client: Any) -> None:
    slug = "suburræterna-limited-series"  # Netflix's 2026 restatement of "Suburræterna: Season 1"
    assert client.get(f"/title/{slug}").status_code == 200
    r = client.get(f"/title/{slug}/weeks.csv")
    assert r.status_code == 200 and "filename*=UTF-8''suburr%C3%A6terna-limited-series-weeks.csv" in r.headers[
        "content-disposition"]


def test_serve_answers_before_the_track_record_is_computed(store_copy: Store) -> None:
    """A new store has no backtest: serve starts at once and fills the track record in behind."""
    import socket
    import urllib.request

    with store_copy.writing() as con:  # as a new store is: other tests may have stored one
        con.execute("DELETE FROM backtests")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "renewcast", "--db", str(store_copy.path), "serve",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        started, page = time.monotonic(), None
        while page is None and time.monotonic() - started < 60:
            try:
                page = urllib.request.urlopen(base + "/track-record", timeout=5).read().decode()
            except OSError:
                time.sleep(0.2)
        assert page is not None
        up = time.monotonic() - started
        assert "computes one in the background" in page  # answered while the backtest runs
        while "computes one in the background" in page and time.monotonic() - started < 240:
            time.sleep(2)
            page = urllib.request.urlopen(base + "/track-record", timeout=30).read().decode()
        assert "computes one in the background" not in page and "AUC" in page
        assert up < time.monotonic() - started  # it was up before the track record was there
    finally:
        server.terminate()
        server.wait(10)
