"""What the web's pages, API and feeds share: the store's per-generation answers (``cached``,
``season_data``), templates and links, JSON bodies. The routers import this, never ``app``
(which includes the routers): the web's modules point down like the library's.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from renewcast import report
from renewcast.formats import count, fraction, millions, number, percent, period, probability
from renewcast.titles import title_of
from renewcast.web.db import MISSING, Database

HERE = Path(__file__).parent
T = TypeVar("T")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_json_default).encode()


def json_response(data: Any, status_code: int = 200) -> Response:
    return Response(json_bytes(data), status_code=status_code, media_type="application/json")


class Links:
    """URLs of the site, either for the live server or for a static build (.html/.json files)."""

    def __init__(self, static: bool, slugs: set[str] | None = None) -> None:
        self.static = static
        self.slugs = slugs  # a static build links only to the season pages it writes

    def home(self) -> str:
        return "/index.html" if self.static else "/"

    def title(self, slug: str) -> str | None:
        if not self.static:
            return f"/title/{slug}"
        return f"/title/{slug}.html" if self.slugs is None or slug in self.slugs else None

    def show(self, show_slug: str) -> str | None:
        # A static build writes season pages only: a show page is the live site's.
        return None if self.static else f"/show/{show_slug}"

    def track_record(self) -> str:
        return "/track-record.html" if self.static else "/track-record"

    def week(self, day: str | None) -> str | None:
        if not day:
            return None
        return None if self.static else f"/week/{day}"

    def country(self, iso2: str) -> str | None:
        return None if self.static else f"/country/{iso2.lower()}"

    def campaigns(self) -> str | None:
        return None if self.static else "/campaigns"

    def countries(self) -> str | None:
        return None if self.static else "/countries"

    def docs(self) -> str | None:
        return None if self.static else "/docs"

    def most_popular(self) -> str:
        return "/most-popular.html" if self.static else "/most-popular"

    def board(self, sort: str | None = None) -> str:
        if self.static:
            return "/board.html"
        return "/board" + (f"?{urlencode({'sort': sort})}" if sort else "")

    def season_map(self, slug: str) -> str:
        return f"/title/{slug}/map.svg"

    def season_table(self, slug: str, table: str, fmt: str) -> str:
        return f"/title/{slug}/{table}.{fmt}"

    def table(self, name: str, fmt: str) -> str:
        return f"/tables/{name}.{fmt}"

    def api(self, path: str) -> str:
        return f"/api/v1/{path}.json" if self.static else f"/api/v1/{path}"

    def compare(self, slugs: list[str], fmt: str = "") -> str | None:
        if self.static:
            return None
        return f"/compare{'.' + fmt if fmt else ''}?" + urlencode([("s", s) for s in slugs])

    def search(self, q: str | None = None) -> str | None:
        if self.static:
            return None
        return "/search" + (f"?{urlencode({'q': q})}" if q else "")


def make_templates(links: Links) -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(millions=millions, percent=percent, period=period,
                       probability=probability, number=number, fraction=fraction, count=count)
    env.globals.update(links=links, zip=zip, dict=dict, show_slug=report.show_slug, title_of=title_of)
    return env


def render_text(request: Request, template: str, **context: Any) -> str:
    env: Environment = request.app.state.templates
    return env.get_template(template).render(request_path=request.url.path, **context)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render at the route (outside any store read): what the store knew and when comes too."""
    if "known" not in context:
        context["known"] = database(request).cached(("known",), report.freshness)
    return HTMLResponse(render_text(request, template, **context), status_code=status_code)


async def cached(request: Request, key: tuple[Any, ...], compute: Callable[[Any], T]) -> T:
    """A per-generation cached value: a hit is answered on the event loop, a miss in a worker thread."""
    db: Database = request.app.state.db
    hit = db.peek(key)
    if hit is not MISSING:
        return hit  # type: ignore[no-any-return]
    return await run_in_threadpool(db.cached, key, compute)


def season_data(request: Request, slug: str) -> dict[str, Any]:
    """A season page's answer (report, forecast, peers, typical paths), once per store
    generation: the season page, its tables and its API answer share it, and it is built
    from the generation's shared facts (call it inside a computation, or on its own)."""
    db = database(request)

    def compute(con: Any) -> dict[str, Any]:
        facts = db.cached(("facts",), report.snapshot)
        return report.season_page(con, slug, db.cached(("typical",), report.typical_paths), facts,
                                  db.cached(("peers",), lambda c: report.peers_index(c, facts)))

    return db.cached(("season", slug), compute)


def database(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]
