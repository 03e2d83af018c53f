"""Atom feeds (feedgen): every decision, each new week's changes, one show's story.

Readers poll them: they are cached per store generation like every page, and carry the
same ETags.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from renewcast import ledger, lookup, report
from renewcast.errors import TitleNotFound
from renewcast.formats import period
from renewcast.titles import slugify
from renewcast.web.common import cached

router = APIRouter(include_in_schema=False)
ATOM = "application/atom+xml; charset=utf-8"
EPOCH = dt.datetime(2021, 7, 4, tzinfo=dt.UTC)


def _moment(day: str | dt.date | None) -> dt.datetime:
    if day is None:
        return EPOCH
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def _feed(base: str, path: str, title: str, subtitle: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(_id("feed" + path))
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=base + path, rel="self")
    feed.link(href=base + "/", rel="alternate")
    feed.author({"name": "renewcast"})
    feed.language("en")
    return feed


def _id(name: str) -> str:
    """A stable Atom id for a fact: a name-based UUID URN (RFC 4122 v5), the same whatever
    host, port or address served the feed, and no spaces whatever the title."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "renewcast:" + name).urn
#: What XML 1.0 cannot carry: a stored note with one would break the whole feed.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _clean(value: Any) -> Any:
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def _decision_entry(feed: FeedGenerator, base: str, d: dict[str, Any]) -> None:
    d = {k: _clean(v) for k, v in d.items()}
    name = d.get("season_title") or f"{d['show_title']} (season {d['season']})"
    entry = feed.add_entry(order="append")
    entry.id(_id(f"decision/{slugify(d['show_title'])}/{d['season']}/{d['outcome']}"))
    entry.title(f"{d['outcome'].replace('_', ' ').capitalize()}: {name}")
    entry.link(href=f"{base}/title/{d['slug']}" if d.get("slug") else d.get("source") or base)
    entry.updated(_moment(d["announced_date"]))
    entry.published(_moment(d["announced_date"]))
    words = f"{name}: {d['outcome'].replace('_', ' ')}, announced {d['announced']}."
    if d.get("note"):
        words += f" {d['note']}."
    if d.get("source"):
        words += f" Source: {d['source']}"
    entry.summary(words)


def decisions_feed(con: duckdb.DuckDBPyConnection, base: str) -> bytes:
    rows = ledger.list_entries(con)[:200]  # newest first
    feed = _feed(base, "/feeds/decisions.atom", "renewcast: Netflix renewal decisions",
                 "Every renewal, cancellation and final season in the ledger, newest first, with its source")
    feed.updated(_moment(rows[0]["announced_date"] if rows else None))
    for d in rows:
        _decision_entry(feed, base, d)
    return bytes(feed.atom_str(pretty=True))


def top10_feed(con: duckdb.DuckDBPyConnection, base: str) -> bytes:
    weeks = report.week_changes(con)
    feed = _feed(base, "/feeds/top10.atom", "renewcast: Netflix global Top 10, week by week",
                 "Each new week: entries, exits and new No. 1s in the four global lists")
    feed.updated(_moment(weeks[0]["week"] if weeks else None))
    for w in weeks:
        entry = feed.add_entry(order="append")
        entry.id(_id(f"week/{w['week']}"))
        entry.title(f"Netflix Top 10, week of {period(w['week_start'], w['week'])}")
        entry.link(href=f"{base}/week/{w['week']}")
        entry.updated(_moment(w["week"]))
        lines = [f"New No. 1 in {n['category']}: {n['title']}." for n in w["new_number_ones"]]
        lines.append(f"{len(w['entries'])} entries: " + "; ".join(f"{e['title']} (#{e['rank']}, {e['category']})"
                                                                  for e in w["entries"]) + ".")
        if w["exits"]:
            lines.append(f"{len(w['exits'])} exits: " + "; ".join(e["title"] for e in w["exits"]) + ".")
        entry.summary(" ".join(lines))
    return bytes(feed.atom_str(pretty=True))


def title_feed(con: duckdb.DuckDBPyConnection, base: str, slug: str) -> bytes:
    season = lookup.season_by_slug(con, slug)
    if season is None:
        raise TitleNotFound(slug, lookup.suggestions(con, slug.replace("-", " ")))
    show = season["show_title"]
    rows = [r for r in ledger.history(con, show) if r["current"]]
    rows.sort(key=lambda r: r["announced_date"], reverse=True)
    feed = _feed(base, f"/feeds/title/{slug}.atom", f"renewcast: {show}",
                 f"Renewal news for {show}: every decision, forecast moves over 10 points, and when a "
                 "season enters limbo")
    page = report.season_report(con, season)
    forecast = page.get("forecast") or {}
    limbo = (page.get("ledger") or {}).get("outcome") == "awaiting" and forecast.get("timeline", {}).get("in_limbo")
    feed.updated(_moment(rows[0]["announced_date"] if rows else page["known"]["today"]))
    if limbo:
        entry = feed.add_entry(order="append")
        entry.id(_id(f"limbo/{slug}"))
        entry.title(_clean(f"In limbo: {page['season_title'] or show}"))
        entry.link(href=f"{base}/title/{slug}")
        # Dated the day it crossed into limbo, not the day it was read: the fact changed then.
        p90 = forecast["timeline"].get("p90_days")
        crossed = (dt.date.fromisoformat(page["premiere"]) + dt.timedelta(days=int(p90) + 1)
                   if page.get("premiere") and p90 else forecast.get("as_of"))
        entry.updated(_moment(crossed))
        entry.summary(f"{forecast['timeline']['days_since_premiere']} days since its premiere with no decision: "
                      "longer than 9 in 10 past decisions took.")
    seasons = {s["slug"]: s for s in lookup.seasons_of_show(con, show, season["kind"])}
    for move in report.forecast_moves(con, list(seasons)):
        s = seasons[move["slug"]]
        entry = feed.add_entry(order="append")
        entry.id(_id(f"forecast/{move['slug']}/{move['trained_at']:%Y%m%dT%H%M%S}"))
        entry.title(_clean(f"Forecast {'up' if move['probability'] > move['before'] else 'down'}: "
                           f"{s['season_title'] or show}, {move['before']:.0%} -> {move['probability']:.0%}"))
        entry.link(href=f"{base}/title/{move['slug']}")
        entry.updated(_moment(move["as_of"]))
        entry.summary(f"The chance of renewal moved from {move['before']:.0%} to {move['probability']:.0%} "
                      f"when the model was retrained on {move['as_of']}.")
    for d in rows:
        _decision_entry(feed, base, d)
    return bytes(feed.atom_str(pretty=True))


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/feeds/decisions.atom")
async def decisions(request: Request) -> Response:
    body = await cached(request, ("feed-decisions", _base(request)), lambda con: decisions_feed(con, _base(request)))
    return Response(body, media_type=ATOM)


@router.get("/feeds/top10.atom")
async def top10(request: Request) -> Response:
    body = await cached(request, ("feed-top10", _base(request)), lambda con: top10_feed(con, _base(request)))
    return Response(body, media_type=ATOM)


@router.get("/feeds/title/{slug}.atom")
async def title(request: Request, slug: Annotated[str, Path(max_length=200)]) -> Response:
    body = await cached(request, ("feed-title", slug, _base(request)),
                        lambda con: title_feed(con, _base(request), slug))
    return Response(body, media_type=ATOM)
