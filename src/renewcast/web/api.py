"""The JSON API under /api/v1 (documented at /openapi.json)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import Response

from renewcast import catalog, ledger, models, report, signals
from renewcast import status as rules
from renewcast.errors import InputError, RenewcastError
from renewcast.store import Store
from renewcast.web.common import cached, database, json_bytes, json_response, season_data

router = APIRouter(prefix="/api/v1", tags=["read"])


class Unauthorized(RenewcastError):
    http_status = 401


class BadEntry(RenewcastError):
    http_status = 422


async def cached_json(request: Request, key: tuple[Any, ...],
                      compute: Callable[[duckdb.DuckDBPyConnection], Any]) -> Response:
    """The serialised answer, computed once per store generation."""
    body = await cached(request, key, lambda con: json_bytes(compute(con)))
    return Response(body, media_type="application/json")


@router.get("/titles", summary="Search titles (forgiving: case, accents, old and original names)")
def titles(request: Request, q: Annotated[str, Query(max_length=200)] = "",
           limit: Annotated[int, Query(ge=1, le=50)] = 10) -> Response:
    found = database(request).cached(("api-titles", q, limit), lambda con: report.search(con, q, limit))
    links = request.app.state.links
    for row in found["results"]:
        row["url"] = links.title(row["slug"])
    return json_response(found)


def season_payload(request: Request, slug: str) -> dict[str, Any]:
    page = season_data(request, slug)
    return {**page["report"], "forecast": page["forecast"], "forecast_note": page["forecast_note"]}


#: The filter accepts exactly the statuses ``renewcast.status`` gives (one list, not a copy).
STATUS_PATTERN = "^(" + "|".join(rules.STATUSES) + ")$"


@router.get("/seasons", summary="Every season in the global Top 10, filtered and paged",
            response_model=models.SeasonList)
async def seasons(request: Request, category: Annotated[str | None, Query(max_length=40)] = None,
                  premiered_from: dt.date | None = None, premiered_to: dt.date | None = None,
                  status: Annotated[str | None, Query(pattern=STATUS_PATTERN)] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                  offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> Response:
    key = ("api-seasons", category, premiered_from, premiered_to, status, limit, offset)
    return await cached_json(request, key, lambda con: report.seasons_list(
        con, category=category, premiered_from=premiered_from, premiered_to=premiered_to, status=status,
        limit=limit, offset=offset))


@router.get("/ledger", summary="Every decision in the ledger, newest first", response_model=models.LedgerList)
async def ledger_list(request: Request) -> Response:
    return await cached_json(request, ("api-ledger",), lambda con: {"decisions": ledger.list_entries(con)})


@router.get("/catalog", summary="What each show is: netflix_decides, format, run, evidence",
            response_model=models.CatalogList)
async def catalog_list(request: Request) -> Response:
    return await cached_json(request, ("api-catalog",), lambda con: {"rows": catalog.list_entries(con)})


@router.get("/seasons/{slug}", summary="A season: weeks, metrics, forecast, ledger, signals",
            response_model=models.SeasonAnswer)
async def season(request: Request, slug: Annotated[str, Path(max_length=200)]) -> Response:
    slug = slug.removesuffix(".json")
    return await cached_json(request, ("api-season", slug), lambda con: season_payload(request, slug))


@router.get("/shows/{slug}", summary="A show at a glance: its verdict and every season's status",
            response_model=models.ShowSummary)
async def show(request: Request, slug: Annotated[str, Path(max_length=200)]) -> Response:
    slug = slug.removesuffix(".json")

    def compute(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        return report.show_summary(con, slug, database(request).cached(("facts",), report.snapshot))

    return await cached_json(request, ("api-show", slug), compute)


def board_payload(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    rows, note = report.board_or_note(con)
    return {"board": rows, "note": note, "known": report.freshness(con)}


@router.get("/board", summary="Seasons Netflix still has to decide, most at risk first",
            response_model=models.Board)
@router.get("/board.json", include_in_schema=False)
async def board(request: Request) -> Response:
    return await cached_json(request, ("api-board",), board_payload)


def backtest_payload(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    result, note = report.track_record(con)
    return {"backtest": result, "note": note}


@router.get("/backtest", summary="The latest backtest: AUC, accuracy, Brier; calibration; misses",
            response_model=models.BacktestAnswer)
@router.get("/backtest.json", include_in_schema=False)
async def backtest(request: Request) -> Response:
    return await cached_json(request, ("api-backtest",), backtest_payload)


@router.get("/weeks", summary="Every week the store covers, newest first, with each list's No. 1",
            response_model=models.WeekIndex)
async def weeks(request: Request) -> Response:
    return await cached_json(request, ("api-weeks",), report.week_index)


@router.get("/weeks/{day}", summary="Any week's four global Top 10 lists (any day inside the week)",
            response_model=models.WeekLists)
async def week(request: Request, day: dt.date) -> Response:
    return await cached_json(request, ("api-week", day), lambda con: report.week_lists(con, day))


@router.get("/latest-week", summary="The newest week's four global Top 10 lists with movement",
            response_model=models.WeekLists)
@router.get("/latest-week.json", include_in_schema=False)
async def latest_week(request: Request) -> Response:
    return await cached_json(request, ("api-latest",), report.latest_week)


def require_token(request: Request) -> None:
    expected = request.app.state.settings.api_token or ""
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    # Bytes, so a token with non-ASCII characters is simply wrong, never an error.
    if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode("utf-8", "surrogateescape"), expected.encode("utf-8")):
        raise Unauthorized("a valid 'Authorization: Bearer <token>' header is required to write")


#: The library function that records each kind of write.
WRITERS: dict[str, Callable[..., Any]] = {"ledger": ledger.add_entry, "signals": signals.add_signal}

write_router = APIRouter(prefix="/api/v1", tags=["write"], dependencies=[Depends(require_token)])


def write(request: Request, kind: str, entry: dict[str, Any]) -> Response:
    func = WRITERS[kind]
    accepted = [n for n, p in inspect.signature(func).parameters.items() if p.kind is p.KEYWORD_ONLY]
    unknown = sorted(set(entry) - set(accepted))
    if unknown:
        raise BadEntry(f"unknown field(s): {', '.join(unknown)}; accepted: {', '.join(accepted)}")
    bad = sorted(k for k, v in entry.items() if v is not None and not isinstance(v, str | int | float))
    if bad:
        raise BadEntry(f"field(s) {', '.join(bad)} must be text or a number, not a list or an object")
    try:
        result = func(Store(database(request).path), **entry)
    except TypeError as err:
        raise BadEntry(f"incomplete {kind} entry: {err}") from None
    except InputError as err:  # a value the ledger or signals refuse: the body is invalid
        raise BadEntry(str(err)) from None
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        result = dataclasses.asdict(result)
    database(request).refresh()  # the writer's next read sees its write
    return json_response({"ok": True, "result": result}, status_code=201)


@write_router.post("/ledger", status_code=201, summary="Record a renewal decision (needs the API token)")
def post_ledger(request: Request, entry: Annotated[dict[str, Any], Body()]) -> Response:
    return write(request, "ledger", entry)


@write_router.post("/signals", status_code=201, summary="Record a fan signal (needs the API token)")
def post_signal(request: Request, entry: Annotated[dict[str, Any], Body()]) -> Response:
    return write(request, "signals", entry)
