"""The FastAPI application: pages, the JSON API, one error path, security headers, ETags."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from renewcast import report
from renewcast.config import Settings
from renewcast.errors import (
    AmbiguousTitle,
    DownloadError,
    InputError,
    RenewcastError,
    SeasonNotFound,
    StoreError,
    TitleNotFound,
    WeekNotFound,
)
from renewcast.web.common import HERE, Links, json_bytes, json_response, make_templates
from renewcast.web.db import Database

VERSION = "1"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: What each library error means over HTTP (the library knows nothing of HTTP). The web
#: layer's own errors carry ``http_status``; anything else a user can fix is a 400.
HTTP_STATUS: dict[type[RenewcastError], int] = {
    InputError: 400, TitleNotFound: 404, SeasonNotFound: 404, WeekNotFound: 404, AmbiguousTitle: 409,
    DownloadError: 502,
    StoreError: 503,
}


def http_status(exc: RenewcastError) -> int:
    own = getattr(exc, "http_status", None)
    if isinstance(own, int):
        return own
    return next((code for kind, code in HTTP_STATUS.items() if isinstance(exc, kind)), 400)


#: The API docs: Swagger UI's own files (as the fastapi-offline package ships them), started by a script
#: file, so the page works under the CSP below and loads nothing from another origin.
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>renewcast API</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"></head>
<body><div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script></body></html>"""

#: ReDoc, the other API reference: its own file from the package, started by a script file.
REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>renewcast API (ReDoc)</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"></head>
<body><div id="redoc"></div>
<script src="/redoc-assets/redoc.js"></script>
<script src="/static/redoc.js"></script></body></html>"""

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
#: ReDoc styles itself with <style> elements it writes at run time and renders in a blob:
#: worker: on its page alone, inline styles and blob: workers are allowed (scripts still
#: only from this origin).
REDOC_HEADERS = [(b"content-security-policy",
                  b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                  b"script-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
                  b"frame-ancestors 'none'; form-action 'self'"), *SECURITY_HEADERS[1:]]


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    return REDOC_HEADERS if path == "/redoc" else SECURITY_HEADERS


class Headers:
    """Pure ASGI middleware: security headers on every response; ETag and 304 on GETs.

    A page is a pure function of its URL and the store file, so the ETag is derived
    from both without rendering: a matching If-None-Match costs one stat().
    """

    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app, self.db = app, db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:  # answer HEAD like GET, without the body
            scope = {**scope, "method": "GET"}
        etag: bytes | None = None
        star = False  # If-None-Match: * asks "unchanged if it exists at all"
        path: str = scope["path"]
        if scope["method"] == "GET" and not path.startswith("/static/"):
            try:
                seed = self.db.etag_seed()
            except RenewcastError:
                seed = None
            if seed is not None:
                key = f"{VERSION}|{seed}|{path}|{scope.get('query_string', b'').decode('latin-1')}"
                etag = b'"' + hashlib.sha1(key.encode()).hexdigest()[:20].encode() + b'"'
                for name, value in scope["headers"]:
                    star = star or (name == b"if-none-match" and value.strip() == b"*")
                    if name == b"if-none-match" and etag in [v.strip().removeprefix(b"W/")
                                                             for v in value.split(b",")]:
                        await send({"type": "http.response.start", "status": 304,
                                    "headers": [(b"etag", etag), (b"cache-control", b"no-cache"),
                                                *security_headers(path)]})
                        await send({"type": "http.response.body", "body": b""})
                        return

        unchanged = False

        async def wrapped(message: Message) -> None:
            nonlocal unchanged
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(security_headers(path))
                if etag is not None and message["status"] == 200:
                    headers.extend([(b"etag", etag), (b"cache-control", b"no-cache")])
                    if star:  # it exists: 304, and the body is dropped
                        unchanged = True
                        message = {"type": "http.response.start", "status": 304,
                                   "headers": [h for h in headers if h[0] not in (b"content-length",
                                                                                  b"content-type")]}
                message["headers"] = message.get("headers", headers) if unchanged else headers
            elif message["type"] == "http.response.body" and (head or unchanged):
                if unchanged and message.get("more_body"):
                    return
                message = {**message, "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, wrapped)


class BodyLimit:
    """Pure ASGI middleware: a request body over ``limit`` bytes is refused with 413 before
    anything reads it (before authentication too), declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int = 1_000_000) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        seen, over = 0, False

        async def counted() -> Message:
            # Past the limit the app gets an empty end of body (it stops reading); whatever it
            # answers is replaced by the 413 below.
            nonlocal seen, over
            if over:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                over = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return message

        refused = False

        async def guarded(message: Message) -> None:
            nonlocal refused
            if over:
                if not refused:
                    refused = True
                    await self._refuse(send)
                return
            await send(message)

        await self.app(scope, counted, guarded)

    async def _refuse(self, send: Send) -> None:
        body = json_bytes({"error": f"the request body is over {self.limit:,} bytes", "status": 413})
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": body})


def create_app(db_path: Path | str | None = None, *, settings: Settings | None = None,
               static_site: bool = False) -> FastAPI:
    settings = settings or Settings.from_env()
    db = Database(db_path or settings.db, stale_seconds=settings.stale_seconds)
    links = Links(static_site)
    templates = make_templates(links)
    app = FastAPI(title="renewcast", version=VERSION,
                  description="Netflix Top 10 data, trade-press metrics and renewal forecasts.",
                  docs_url=None, redoc_url=None)  # /docs is ours: assets from the package, no CDN
    app.state.db, app.state.settings, app.state.links, app.state.templates = db, settings, links, templates

    def wants_json(request: Request) -> bool:
        path = request.url.path
        return path.startswith("/api/") or path.endswith(".json")

    def error_page(request: Request, status: int, message: str, extra: dict[str, Any] | None = None) -> Response:
        if wants_json(request):
            return json_response({"error": message, "status": status, **(extra or {})}, status)
        html = templates.get_template("error.html").render(status=status, message=message,
                                                           query=request.query_params.get("q", ""))
        return HTMLResponse(html, status_code=status)

    @app.exception_handler(RenewcastError)
    async def renewcast_error(request: Request, exc: RenewcastError) -> Response:
        status = http_status(exc)
        extra = {"suggestions": exc.suggestions} if hasattr(exc, "suggestions") else None
        return error_page(request, status, str(exc), extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page at {request.url.path}"
        response = error_page(request, exc.status_code, message)
        for name, value in (exc.headers or {}).items():  # Allow on a 405, say
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
                             for e in exc.errors()[:3])
        return error_page(request, 422, f"invalid request ({problems})")

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:  # no traceback to the client
        return error_page(request, 500, "internal error; the server log has the details")

    from renewcast.web import api, feeds, pages

    # After each store swap: the answers most pages need, and the front page itself.
    db.warm = [(("known",), report.freshness), (("board",), report.board_or_note),
               (("home",), lambda con: templates.get_template("home.html").render(request_path="/",
                                                                                  **pages.home_data(con))),
               (("typical",), report.typical_paths), (("facts",), report.snapshot)]
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.include_router(api.router)
    if settings.api_token:
        app.include_router(api.write_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    if not static_site:
        import fastapi_offline  # only for its copy of Swagger UI's files (OpenAPI 3.1 needs Swagger UI 5)

        assets = Path(fastapi_offline.__file__).parent / "static"
        app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

        @app.get("/docs", include_in_schema=False)
        def docs() -> HTMLResponse:
            return HTMLResponse(DOCS_PAGE)

        @app.get("/redoc", include_in_schema=False)
        def redoc() -> HTMLResponse:
            return HTMLResponse(REDOC_PAGE)

        # ReDoc's bundle draws its "powered by" logo from its CDN: our copy points it at our icon.
        redoc_js = (assets / "redoc.standalone.js").read_bytes().replace(
            b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"/static/favicon.svg")

        @app.get("/redoc-assets/redoc.js", include_in_schema=False)
        def redoc_bundle() -> Response:
            return Response(redoc_js, media_type="text/javascript; charset=utf-8",
                            headers={"cache-control": "public, max-age=86400"})
    app.add_middleware(Headers, db=db)  # type: ignore[arg-type]
    app.add_middleware(GZipMiddleware, minimum_size=1000)  # the board's JSON is ~240 KB raw
    app.add_middleware(BodyLimit)  # outermost: refuses an oversized body before auth reads it
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn renewcast.web.app:app_from_env --factory`` (several workers, say): the
    settings from RENEWCAST_* variables, read once here."""
    return create_app(settings=Settings.from_env())
