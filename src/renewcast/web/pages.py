"""HTML pages: each route calls the library (through ``data``) and renders a template."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import quote

import duckdb
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from renewcast import lookup, report
from renewcast.errors import AmbiguousTitle, RenewcastError, TitleNotFound
from renewcast.titles import title_of
from renewcast.web import charts, tables
from renewcast.web.common import cached, database, render, render_text, season_data

router = APIRouter(include_in_schema=False)

Slug = Annotated[str, Path(min_length=1, max_length=200)]
FORMATS = {"csv": ("text/csv; charset=utf-8", tables.to_csv),
           "json": ("application/json", tables.to_json)}


def download(table: tables.Table, name: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        raise TitleNotFound(name, [])
    media, convert = FORMATS[fmt]
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    headers = {"content-disposition": f"inline; filename=\"{ascii_name}.{fmt}\"; "
                                      f"filename*=UTF-8''{quote(name)}.{fmt}"}
    return Response(convert(table), media_type=media, headers=headers)


def split_name(name: str) -> tuple[str, str]:
    stem, dot, fmt = name.rpartition(".")
    if not dot or fmt not in FORMATS:
        raise _NotFound(f"no table '{name}': add .csv or .json")
    return stem, fmt


class _NotFound(RenewcastError):
    http_status = 404


def home_data(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    board, board_note = report.board_or_note(con)
    return {"latest": report.latest_week(con), "board": board, "board_note": board_note,
            "decisions": report.latest_decisions(con), "known": report.freshness(con)}


BOARD_SORTS = {
    "risk": lambda r: (r["probability"], -(r["days_since_premiere"] or 0)),
    "chance": lambda r: (-r["probability"], r["title"]),
    "waiting": lambda r: (-(r["days_since_premiere"] or 0), r["title"]),
    "title": lambda r: (r["title"].casefold(),),
}


@router.get("/week/{day}")
def week_page(request: Request, day: dt.date) -> Response:
    """Any week's four lists (any day inside the week finds it), with links to the weeks either side."""
    week = database(request).cached(("week", day), lambda con: report.week_lists(con, day))
    return render(request, "week.html", week=week)


@router.get("/country/{iso2}")
def country_page(request: Request, iso2: Annotated[str, Path(pattern="^[A-Za-z]{2}$")],
                 week: dt.date | None = None) -> Response:
    """A country's TV and film lists for any week the country lists cover."""
    data = database(request).cached(("country", iso2.upper(), week), lambda con: report.country_week(con, iso2, week))
    return render(request, "country.html", c=data)


@router.get("/campaigns")
def campaigns_page(request: Request) -> Response:
    """Fan campaigns after each cancellation, with their sources and what came of them."""
    rows = database(request).cached(("campaigns",), report.campaigns)
    return render(request, "campaigns.html", campaigns=rows)


@router.get("/countries")
def countries_page(request: Request) -> Response:
    """Every country in Netflix's country lists, by region, with its newest week's No. 1s."""
    data = database(request).cached(("countries",), report.countries_index)
    return render(request, "countries.html", **data)


@router.get("/most-popular")
def most_popular_page(request: Request) -> Response:
    """Netflix's all-time lists, each entry linked to its season page."""
    data = database(request).cached(("most-popular",), report.most_popular)
    return render(request, "most_popular.html", **data)


@router.get("/board")
def board_page(request: Request, sort: Annotated[str, Query(pattern="^(risk|chance|waiting|title)$")] = "risk"
               ) -> Response:
    """Every season Netflix still has to decide, sortable."""
    rows, note = database(request).cached(("board",), report.board_or_note)
    return render(request, "board.html", board=sorted(rows, key=BOARD_SORTS[sort]), board_note=note, sort=sort)


@router.get("/")
async def home(request: Request) -> Response:
    html = await cached(request, ("home",), lambda con: render_text(request, "home.html", **home_data(con)))
    return HTMLResponse(html)


CHART_WEEKS = 26
#: Charts show the first weeks by default (where renewal is decided); ``?weeks=all`` draws every week.
FIRST_WEEKS = 12
Weeks = Annotated[Literal["first", "all"], Query(
    description=f"'first': weeks 1 to {FIRST_WEEKS} (the default); 'all': every week it charted, re-entries included")]


def season_chart(page: dict[str, Any], scale: str = "auto", weeks: str = "first"
                 ) -> tuple[str, str, list[dict[str, Any]]]:
    rep = page["report"]
    name = title_of(rep)
    series = [charts.Series(name, report.season_views(rep), css="series-main")]
    if page.get("previous"):
        series.append(charts.Series(f"{page['previous']['title']} (the previous season)", page["previous"]["path"],
                                    css="series-3"))
    for n, peer in enumerate(page["peers"][: 2 if page.get("previous") else 3]):
        label = f"{peer.get('title') or peer['slug']}" + (f" ({peer['why']})" if peer.get("why") else "")
        series.append(charts.Series(label, peer["path"], css=f"series-{n + 1}"))
    for outcome, path in page["typical"].items():
        series.append(charts.Series(f"typical {outcome} season (median)", path, dashed=True,
                                    css=f"series-{outcome}"))
    # Every week the season charted, a re-entry months later included; peers and the
    # typical paths up to the same week.
    rows = [{"name": s.name, "path": list(s.points)} for s in series]
    own = [int(x) for x, _ in series[0].points]
    horizon = max([4, *own]) if own else min(CHART_WEEKS, max([4, *[int(x) for s in series for x, _ in s.points]]))
    page["chart_weeks_all"] = horizon
    if weeks == "first":
        horizon = min(horizon, FIRST_WEEKS)
    page["chart_weeks"] = horizon
    series = charts.clip(series, horizon)
    log_y = charts.tenfold(series[:1 + len(page["peers"])]) if scale == "auto" else scale == "log"
    svg = charts.line_chart(
        series, title=f"{name}: views per week since premiere",
        desc=(f"Weekly views of {name} in the Top 10, by week since its premiere"
              + (", beside its closest peers" if page["peers"] else "")
              + (" and the typical renewed and canceled paths" if page["typical"] else "")
              + f", weeks 1 to {horizon}" + ("; views on a log scale" if log_y else "")
              + ". The table below gives every week it charted."),
        x_label="Week since premiere", y_label="Views (log scale)" if log_y else "Views", x_max=horizon, log_y=log_y)
    return svg, charts.legend(series), rows


def season_html(request: Request, slug: str, scale: str = "auto", weeks: str = "first") -> str:
    page = dict(season_data(request, slug))  # a copy: the cached answer is never changed
    svg, legend, chart_rows = season_chart(page, scale, weeks)
    regions = report.region_grid(page["report"]["countries"])
    name = title_of(page["report"])
    grid = charts.region_grid(regions, title=f"Where {name} charted, by region") if regions else ""
    return render_text(request, "season.html", page=page, r=page["report"], chart=svg, legend=legend,
                       chart_table=tables.chart(chart_rows), known=page["report"]["known"], region_grid=grid)


def resolve_title(request: Request, con: duckdb.DuckDBPyConnection, slug: str, scale: str = "auto",
                  weeks: str = "first") -> tuple[str, str]:
    """What /title/<slug> answers: ('page', html), ('redirect', url)."""
    links = request.app.state.links
    if database(request).cached(("facts",), report.snapshot).season(slug) is not None:
        return "page", season_html(request, slug, scale, weeks)
    query = slug.replace("-", " ")
    seasons = report.show_seasons(con, query)
    if len(seasons) > 1 and seasons[0]["kind"] == "TV":
        return "redirect", str(links.show(report.show_slug(seasons[0]["show_title"])))
    try:
        found = seasons[0] if seasons else lookup.resolve(con, query)
    except AmbiguousTitle:
        return "redirect", str(links.search(query))
    return "redirect", str(links.title(found["slug"]))


#: The chart's views axis, on the season and compare pages.
Scale = Annotated[Literal["auto", "linear", "log"], Query(
    description="the chart's views axis: log when the lines differ tenfold (auto)")]


@router.get("/show/{slug}")
async def show_page(request: Request, slug: Slug) -> Response:
    def page(con: duckdb.DuckDBPyConnection) -> str:
        summary = report.show_summary(con, slug, database(request).cached(("facts",), report.snapshot))
        return render_text(request, "show.html", s=summary, known=summary["known"])

    return Response(await cached(request, ("show", slug), page), media_type="text/html; charset=utf-8")


@router.get("/title/{slug}")
async def title(request: Request, slug: Slug, scale: Scale = "auto", weeks: Weeks = "first") -> Response:
    def page(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
        return resolve_title(request, con, slug, scale, weeks)

    kind, body = await cached(request, ("title", slug, scale, weeks), page)
    if kind == "redirect":
        return RedirectResponse(body, status_code=303)
    return Response(body, media_type="text/html; charset=utf-8")


@router.get("/title/{slug}/map.svg")
async def season_map(request: Request, slug: Slug) -> Response:
    """Where a season charted, as a world map shaded by its best rank in each country."""
    def draw(con: duckdb.DuckDBPyConnection) -> str:
        rep = season_data(request, slug)["report"]
        cells = [c for region in report.region_grid(rep["countries"]) for c in region["countries"]]
        if not cells:
            raise _NotFound(f"no country lists cover {title_of(rep)}")
        return charts.world_map(cells, title=f"Where {title_of(rep)} charted: best rank by country")

    body = await cached(request, ("map", slug), draw)
    return Response(body, media_type="image/svg+xml")


@router.get("/title/{slug}/{name}")
def season_table(request: Request, slug: Slug, name: str) -> Response:
    stem, fmt = split_name(name)
    if stem not in tables.SEASON_TABLES:
        raise _NotFound(f"no table '{stem}' for a season; try: {', '.join(tables.SEASON_TABLES)}")
    page = season_data(request, slug)
    return download(tables.SEASON_TABLES[stem](page), f"{slug}-{stem}", fmt)


def global_table(con: duckdb.DuckDBPyConnection, name: str) -> tables.Table:
    if name == "latest-week":
        return tables.latest_week(report.latest_week(con))
    if name == "board":
        return tables.board(report.board_or_note(con)[0])
    if name == "decisions":
        return tables.decisions(report.latest_decisions(con, limit=1000))
    if name in ("backtest", "misses", "calibration"):
        if name == "backtest":
            return tables.backtest_summary(report.backtest_summary(con))
        result = report.track_record(con)[0]
        return {"misses": tables.misses, "calibration": tables.calibration}[name](result)
    raise _NotFound(f"no table '{name}'; try: latest-week, board, decisions, backtest, misses, calibration")


@router.get("/tables/{name}")
def table_download(request: Request, name: str) -> Response:
    stem, fmt = split_name(name)
    table = database(request).cached(("table", stem), lambda con: global_table(con, stem))
    return download(table, stem, fmt)


CompareSlugs = Annotated[list[str], Query(alias="s", min_length=2, max_length=4,
                                          description="two to four season slugs or titles")]


def compare_data(request: Request, slugs: list[str]) -> dict[str, Any]:
    return database(request).cached(("compare", *slugs), lambda con: report.compare_page(con, slugs))


@router.get("/compare")
def compare(request: Request, s: CompareSlugs, scale: Scale = "auto", weeks: Weeks = "first") -> Response:
    result = compare_data(request, s)
    # The first weeks by default; with weeks=all, up to the last week any of them charted.
    every = max([4, *[int(x) for p in result["paths"] for x, _ in p["path"]]])
    horizon = min(every, FIRST_WEEKS) if weeks == "first" else every
    series = charts.clip([charts.Series(p["title"], p["path"], css="series-main" if n == 0 else f"series-{n}")
                          for n, p in enumerate(result["paths"])], horizon)
    log_y = charts.tenfold(series) if scale == "auto" else scale == "log"
    names = [p["title"] for p in result["paths"]]
    svg = charts.line_chart(series, title="Views per week since premiere: " + " vs ".join(names),
                            desc="Weekly views of " + ", ".join(names) + " by week since premiere"
                            + ("; views on a log scale" if log_y else "")
                            + "; the table below gives the same numbers.",
                            x_label="Week since premiere", y_label="Views (log scale)" if log_y else "Views",
                            x_max=horizon, log_y=log_y)
    return render(request, "compare.html", result=result, chart=svg, legend=charts.legend(series),
                  slugs=[x["slug"] for x in result["seasons"]], names=names, chart_weeks=horizon,
                  chart_weeks_all=every, all_weeks_url=str(request.url.include_query_params(weeks="all")),
                  first_weeks_url=str(request.url.include_query_params(weeks="first")))


@router.get("/compare.{fmt}")
def compare_download(request: Request, fmt: str, s: CompareSlugs) -> Response:
    result = compare_data(request, s)
    return download(tables.compare(result), "compare", fmt)


def track_record_data(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    result, note = report.track_record(con)
    chart = None
    series: list[charts.Series] = []
    for n, (method, label) in enumerate([("model", "model"), ("rule", "rule of thumb")]):
        cols, rows = tables.calibration(result, method)
        points = []
        for row in rows:
            item = dict(zip(cols, row, strict=True))
            x = _first(item, "predicted", "mean_predicted", "prob_pred", "bin_mean")
            y = _first(item, "observed_renewed", "observed", "fraction_positive", "prob_true")
            if x is not None and y is not None:
                points.append((float(x), float(y)))
        if points:
            series.append(charts.Series(label, points, css="series-main" if n == 0 else "series-1"))
    if series:
        chart = charts.line_chart(
            series, title="Calibration: forecast chance of renewal vs the share renewed",
            desc="Each point is a group of backtested seasons: their mean forecast chance of renewal (x) "
                 "against the share actually renewed (y). The diagonal is perfect calibration.",
            x_label="Forecast chance of renewal", y_label="Share renewed", x_max=1.0, y_max=1.0,
            y_format="percent", diagonal=True, chart_id="calibration") + charts.legend(series)
    return {"result": result, "note": note, "chart": chart, "summary": report.backtest_summary(con),
            "headline": report.track_record_headline(result),
            "misses": tables.misses(result), "calibration": tables.calibration(result)}


def _first(item: dict[str, Any], *keys: str) -> Any:
    return next((item[k] for k in keys if item.get(k) is not None), None)


@router.get("/track-record")
def track_record(request: Request) -> Response:
    context = database(request).cached(("track-record",), track_record_data)
    return render(request, "track_record.html", **context)


@router.get("/search")
def search(request: Request, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    found = database(request).cached(("search", q), lambda con: report.search(con, q))
    if len(found["results"]) == 1:  # one match: go straight to it
        return RedirectResponse(str(request.app.state.links.title(found["results"][0]["slug"])), status_code=303)
    return render(request, "search.html", **found)
