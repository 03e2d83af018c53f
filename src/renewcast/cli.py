"""The ``renewcast`` command: a thin layer that parses arguments, calls the library
and prints. Library errors become one-line messages and exit status 1."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from renewcast.errors import RenewcastError

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RenewcastError as err:
            raise click.ClickException(str(err)) from None

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def open_store(ctx: click.Context, *, build: bool = True) -> Any:
    from renewcast.store import Store

    store = Store(ctx.obj["db"])
    if build and not store.exists():
        click.echo(f"Building the store from the bundled Netflix data at {store.path} ...", err=True)
        store.ensure()
    return store


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(path_type=Path), envvar="RENEWCAST_DB",
              help="Database file (default: in your user data folder; env RENEWCAST_DB).")
@click.version_option(package_name="renewcast")
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """Will there be another season? Netflix Top 10 data, trade-press metrics and renewal forecasts."""
    from renewcast.config import default_db_path

    ctx.ensure_object(dict)
    ctx.obj["db"] = db or default_db_path()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
@friendly_errors
def ingest(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Load Netflix files or folders (TSV or XLSX; the kind is recognised by its columns).

    All files load in one transaction: if any is bad, nothing changes.
    """
    store = open_store(ctx, build=False)
    report = store.ingest(list(paths))
    for path, kind, rows in report.files:
        click.echo(f"{kind:14} {rows:>8,} rows  {path}")
    click.echo(f"Ingested {report.rows:,} rows into {store.path}"
               + (f"; {report.renamed} title(s) renamed by Netflix kept as aliases" if report.renamed else ""))


@main.command()
@click.argument("title")
@click.option("--season", "-s", type=int, help="Season number (default: the latest that charted).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@friendly_errors
def show(ctx: click.Context, title: str, season: int | None, as_json: bool) -> None:
    """A season the way the trade press reports it: weekly hours, change, rank, views."""
    from renewcast import lookup, report, text

    with open_store(ctx).reading() as con:
        data = report.season_report(con, lookup.resolve(con, title, season))
    if as_json:
        emit_json(data)
    else:
        click.echo(text.season(data))


@main.command()
@click.argument("titles", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@friendly_errors
def compare(ctx: click.Context, titles: tuple[str, ...], as_json: bool) -> None:
    """Line seasons up by week since premiere (the first is compared with the others).

    A title may end with '#N' to pick a season: "Squid Game#2".
    """
    from renewcast import lookup, report, text

    if len(titles) < 2:
        raise click.UsageError("name at least two titles to compare")
    with open_store(ctx).reading() as con:
        reports = []
        for name in titles:
            query, _, number = name.rpartition("#") if "#" in name else (name, "", "")
            reports.append(report.season_report(
                con, lookup.resolve(con, query, int(number) if number.isdigit() else None)))
    result = report.compare_report(reports)
    if as_json:
        emit_json(result)
    else:
        click.echo(text.comparison(result))


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly_errors
def search(ctx: click.Context, query: str, as_json: bool) -> None:
    """Find titles: case, accents, original-language names and old names all work."""
    from renewcast import lookup, text

    with open_store(ctx).reading() as con:
        found = lookup.candidates(con, query, limit=20)
        hints = lookup.suggestions(con, query) if not found else []
    if as_json:
        emit_json({"results": [{k: r[k] for k in ("slug", "show_title", "season_title", "category")}
                               for r in found], "suggestions": hints})
        return
    if not found:
        raise click.ClickException(f"no title matches '{query}'"
                                   + (f"; did you mean: {', '.join(hints)}?" if hints else ""))
    click.echo(text.table(["Season", "Category", "Slug"],
                          [(r["season_title"] or r["show_title"], r["category"], r["slug"]) for r in found]))


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly_errors
def top10(ctx: click.Context, as_json: bool) -> None:
    """The latest week's four global Top 10 lists, with movement since the week before."""
    from renewcast import report, text

    with open_store(ctx).reading() as con:
        data = report.latest_week(con)
    if as_json:
        emit_json(data)
    else:
        click.echo(text.latest(data))


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly_errors
def info(ctx: click.Context, as_json: bool) -> None:
    """What the store holds: files ingested, weeks covered, seasons."""
    store = open_store(ctx)
    data = {
        "db": str(store.path),
        "tables": store.query("""
            SELECT 'top10_global' AS table_name, count(*) AS rows, min(week) AS first, max(week) AS last FROM top10_global
            UNION ALL SELECT 'top10_country', count(*), min(week), max(week) FROM top10_country
            UNION ALL SELECT 'engagement', count(*), NULL, NULL FROM engagement
            UNION ALL SELECT 'most_popular', count(*), NULL, NULL FROM most_popular
            UNION ALL SELECT 'seasons', count(*), min(first_week), max(last_week) FROM seasons"""),
        "reports": store.query("SELECT * FROM reports ORDER BY report"),
    }
    if as_json:
        emit_json(data)
        return
    from renewcast import text

    click.echo(f"Store: {data['db']}")
    click.echo(text.table(["Table", "Rows", "First week", "Last week"],
                          [(t["table_name"], f"{t['rows']:,}", t["first"], t["last"]) for t in data["tables"]],
                          "lrll"))
    click.echo(text.table(["Engagement report", "Covers", "Published"],
                          [(r["report"], f"{r['period_start']} – {r['period_end']}", r["published"])
                           for r in data["reports"]]))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
