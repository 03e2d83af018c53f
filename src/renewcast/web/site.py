"""Build the whole site as static files, and check that its links resolve.

The pages are rendered by the same app (in static mode: links end in .html/.json
and point only at pages that the build writes), requested in-process.
"""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from renewcast import report
from renewcast.errors import RenewcastError
from renewcast.store import Store
from renewcast.web.app import HERE, create_app


class BuildError(RenewcastError):
    http_status = 500


@dataclass
class SiteReport:
    out: Path
    pages: int = 0
    files: int = 0
    seasons: list[str] = field(default_factory=list)


def site_slugs(store: Store, limit: int | None = None) -> list[str]:
    """Every TV season (newest first) and the films in the latest week; ``limit`` caps the TV seasons."""
    with store.reading() as con:
        tv = [r[0] for r in con.execute(
            "SELECT slug FROM seasons WHERE kind = 'TV' ORDER BY first_week DESC, slug").fetchall()]
        latest = report.latest_week(con)
    films = [r["slug"] for rows in latest["lists"].values() for r in rows if r["category"].startswith("Films")]
    if limit is not None:
        tv = tv[:limit]
    return list(dict.fromkeys([*tv, *films]))


def build_site(db: Path | str, out: Path | str, *, limit: int | None = None,
               progress: Callable[[str], None] | None = None) -> SiteReport:
    store = Store(db)
    slugs = site_slugs(store, limit)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app(store.path, static_site=True)
    app.state.links.slugs = set(slugs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

        client = TestClient(app, raise_server_exceptions=True)
    result = SiteReport(out=out, seasons=slugs)

    def fetch(url: str, target: str, page: bool = False) -> None:
        response = client.get(url, follow_redirects=False)
        if response.status_code != 200:
            raise BuildError(f"building {url} gave HTTP {response.status_code}")
        path = out / target.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(relative_links(response.content, target) if page else response.content)
        result.files += 1
        result.pages += int(page)

    links = app.state.links
    fetch("/", links.home(), page=True)
    fetch("/track-record", links.track_record(), page=True)
    fetch("/board", links.board(), page=True)
    fetch("/most-popular", links.most_popular(), page=True)
    for name in ("latest-week", "board", "decisions", "backtest", "misses", "calibration"):
        for fmt in ("csv", "json"):
            fetch(links.table(name, fmt), links.table(name, fmt))
    for name in ("board", "backtest", "latest-week"):
        fetch(f"/api/v1/{name}", links.api(name))
    for n, slug in enumerate(slugs, 1):
        fetch(f"/title/{slug}", f"/title/{slug}.html", page=True)
        if client.get(links.season_map(slug)).status_code == 200:
            fetch(links.season_map(slug), links.season_map(slug))
        for table in ("weeks", "countries", "signals"):
            for fmt in ("csv", "json"):
                fetch(links.season_table(slug, table, fmt), links.season_table(slug, table, fmt))
        fetch(f"/api/v1/seasons/{slug}", links.api(f"seasons/{slug}"))
        if progress and n % 100 == 0:
            progress(f"{n} of {len(slugs)} seasons")
    shutil.copytree(HERE / "static", out / "static", dirs_exist_ok=True)
    return result


_ROOTED = re.compile(rb'(href|src)="/(?!/)([^"]*)"')


def relative_links(html: bytes, target: str) -> bytes:
    """A page's site links made relative to where it is written, so the export works opened
    from the file system (file://) as well as from any server folder: '/static/style.css'
    from '/title/x.html' becomes '../static/style.css', and '/' becomes 'index.html'."""
    up = b"../" * target.lstrip("/").count("/")

    def fix(match: re.Match[bytes]) -> bytes:
        rest = match.group(2)
        return match.group(1) + b'="' + up + (rest or b"index.html") + b'"'

    return _ROOTED.sub(fix, html)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.found.append(value)


def broken_links(root: Path | str) -> list[tuple[str, str]]:
    """(page, link) for every internal link in the built site that names no file."""
    root = Path(root)
    broken = []
    for page in sorted(root.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.found:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("#"):
                continue  # external (sources cited) or in-page
            if parts.query:
                broken.append((str(page.relative_to(root)), link))
                continue
            path = unquote(parts.path)
            target = root / path.lstrip("/") if path.startswith("/") else page.parent / path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append((str(page.relative_to(root)), link))
    return broken
