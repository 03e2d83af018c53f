"""The ``renewcast`` command: a thin layer that parses arguments, calls the library
and prints. Library errors become one-line messages and exit status 1."""

from __future__ import annotations

import functools
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from renewcast.errors import RenewcastError
from renewcast.titles import title_of

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RenewcastError as err:
            if kwargs.get("as_json"):  # a JSON consumer gets JSON, on stdout, and the same exit code
                body: dict[str, Any] = {"error": str(err)}
                if getattr(err, "suggestions", None) is not None:
                    body["suggestions"] = list(err.suggestions)  # type: ignore[attr-defined]
                click.echo(json.dumps(body, ensure_ascii=False))
                raise SystemExit(1) from None
            raise click.ClickException(str(err)) from None

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def retrain(store: Any, enabled: bool = True) -> None:
    """Keep stored forecasts in step with new data or decisions (about 2 s)."""
    if not enabled:
        return
    from renewcast import build

    done = build.retrain(store)
    if done is not None:
        click.echo(f"Retrained the forecasts on the new data ({done['forecasts']:,} seasons, "
                   f"as of {done['as_of']}).")


NO_TRAIN = click.option("--no-train", is_flag=True,
                        help="Do not retrain the stored forecasts afterwards (run 'renewcast train' later).")


def open_store(ctx: click.Context, *, empty: bool = False) -> Any:
    """The store; whatever the first command is, a new one starts from the bundled snapshot."""
    from renewcast import build
    from renewcast.store import Store

    store = Store(ctx.obj["db"])
    if not empty and not store.exists():
        click.echo(f"Building the store from the bundled Netflix data at {store.path} ...", err=True)
    return build.open_store(store.path, empty=empty)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(path_type=Path),
              help="Database file (default: RENEWCAST_DB, else in your user data folder).")
@click.version_option(package_name="renewcast")
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """Will there be another season? Netflix Top 10 data, trade-press metrics and renewal forecasts."""
    from renewcast.config import Settings

    ctx.ensure_object(dict)
    try:
        ctx.obj["settings"] = settings = Settings.from_env(db=db)  # the one reading of the environment
    except RenewcastError as err:
        raise click.ClickException(str(err)) from None
    ctx.obj["db"] = settings.db


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--empty", is_flag=True, help="Into a new store, load only these files (no bundled snapshot, "
              "ledger or catalog).")
@NO_TRAIN
@click.pass_context
@friendly_errors
def ingest(ctx: click.Context, paths: tuple[Path, ...], empty: bool, no_train: bool) -> None:
    """Load Netflix files or folders (TSV or XLSX; the kind is recognised by its columns).

    All files load in one transaction: if any is bad, nothing changes. A new store is
    built from the bundled snapshot first (unless --empty). Publications may come in
    any order: an older one never overwrites a newer one's restated rows.
    """
    from renewcast import build
    from renewcast.store import Store

    if not empty and not Store(ctx.obj["db"]).exists():
        build.check_files(list(paths))  # a bad file fails before the bundled build, leaving no store
    store = open_store(ctx, empty=empty)
    report, _ = build.ingest(store, list(paths), train=False)
    for path, kind, rows in report.files:
        click.echo(f"{kind:14} {rows:>8,} rows  {path}")
    click.echo(f"Ingested {report.rows:,} rows into {store.path}"
               + (f"; {report.renamed} title(s) renamed by Netflix kept as aliases" if report.renamed else ""))
    retrain(store, not no_train)


@main.command()
@click.argument("title")
@click.option("--season", "-s", type=int, help="Season number (default: the latest that charted).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
              help="What was known on DATE: its weeks, its decision, its signals, its forecast (computed live).")
@click.pass_context
@friendly_errors
def show(ctx: click.Context, title: str, season: int | None, as_json: bool, as_of: Any) -> None:
    """A season the way the trade press reports it: weekly hours, change, rank, views.

    TITLE may end with '#N' for season N ("Wednesday#2"), like --season.
    """
    from renewcast import lookup, report, text

    with open_store(ctx).reading() as con:
        day = as_of.date() if as_of is not None else None
        found = lookup.resolve(con, title, season)
        asked = season is not None or lookup.split_season(title)[1] is not None or found["slug"] == title.strip()
        summary = None
        if not asked and day is None and found["kind"] == "TV" and len(
                lookup.seasons_of_show(con, found["show_title"], "TV")) > 1:
            summary = report.show_summary(con, found["show_title"])  # the show first, then its latest season
        data = report.season_report(con, found, as_of=day)
        if day is not None and data["kind"] == "TV" and (data["ledger"] or {}).get("outcome") == "awaiting":
            from renewcast import forecast

            data["forecast"] = forecast.forecast_season(con, data["slug"], day)
            data["headline"] = report.odds_headline(data["forecast"], data["season_number"])
            reasons = data["forecast"].get("reasons") or []
            data["headline_reason"] = reasons[0]["text"] if reasons else None
    if as_json:
        emit_json(data)
    else:
        if summary is not None:
            click.echo(text.show_summary(summary) + "\n")
        click.echo(text.season(data))


@main.command()
@click.argument("titles", nargs=-1, required=True)
@click.option("--season", "-s", "seasons", type=int, multiple=True,
              help="Season numbers, one per title in order (or end a title with '#N', as 'show' takes).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@friendly_errors
def compare(ctx: click.Context, titles: tuple[str, ...], seasons: tuple[int, ...], as_json: bool) -> None:
    """Line seasons up by week since premiere (the first is compared with the others).

    Pick seasons as 'show' does: "Squid Game#2", or --season once per title:
    compare Wednesday Wednesday --season 1 --season 2.
    """
    from renewcast import lookup, report, text

    if len(titles) < 2:
        raise click.UsageError("name at least two titles to compare")
    if seasons and len(seasons) != len(titles):
        raise click.UsageError(f"give --season once per title ({len(titles)} titles, {len(seasons)} seasons)")
    with open_store(ctx).reading() as con:
        reports = [report.season_report(con, lookup.resolve(con, name, seasons[i] if seasons else None))
                   for i, name in enumerate(titles)]
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
                          [(title_of(r), r["category"], r["slug"]) for r in found]))


@main.command()
@click.option("--week", "day", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
              help="Any day of the week to show (default: the newest week).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly_errors
def top10(ctx: click.Context, day: Any, as_json: bool) -> None:
    """A week's four global Top 10 lists, with views, hours and movement since the week before."""
    from renewcast import report, text

    with open_store(ctx).reading() as con:
        data = report.week_lists(con, day.date() if day else None)
        data["known"] = report.freshness(con)
    if as_json:
        emit_json(data)
    else:
        click.echo(text.latest(data))


@main.command(name="most-popular")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly_errors
def most_popular(ctx: click.Context, as_json: bool) -> None:
    """Netflix's four all-time lists: the most views in a title's first 91 days."""
    from renewcast import report, text

    with open_store(ctx).reading() as con:
        data = report.most_popular(con)
    if as_json:
        emit_json(data)
    else:
        click.echo(text.most_popular(data))


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
            SELECT 'top10_global' AS table_name, count(*) AS rows, min(week) AS first, max(week) AS last
            FROM top10_global
            UNION ALL SELECT 'top10_country', count(*), min(week), max(week) FROM top10_country
            UNION ALL SELECT 'engagement', count(*), NULL, NULL FROM engagement
            UNION ALL SELECT 'most_popular', count(*), NULL, NULL FROM most_popular
            UNION ALL SELECT 'seasons', count(*), min(first_week), max(last_week) FROM seasons"""),
        "reports": store.query("SELECT * FROM reports ORDER BY report"),
    }
    from renewcast import report

    with store.reading() as con:
        data["known"] = report.freshness(con)
    if as_json:
        emit_json(data)
        return
    from renewcast import text

    click.echo(f"Store: {data['db']}")
    click.echo(f"{data['known']['note']}. Today is {data['known']['today']}.")
    click.echo(text.table(["Table", "Rows", "First week", "Last week"],
                          [(t["table_name"], f"{t['rows']:,}", t["first"], t["last"]) for t in data["tables"]],
                          "lrll"))
    click.echo(text.table(["Engagement report", "Covers", "Published"],
                          [(r["report"], f"{r['period_start']} – {r['period_end']}", r["published"])
                           for r in data["reports"]]))


@main.command()
@click.option("--base-url", metavar="URL",
              help="Folder holding the files (default: Netflix's Top 10 data; env RENEWCAST_BASE_URL).")
@click.option("--format", "fmt", type=click.Choice(["tsv", "xlsx"]), default="tsv", show_default=True,
              help="Which of Netflix's two formats to download.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@NO_TRAIN
@click.option("--notify", metavar="URL", help="POST a JSON summary of what changed to this webhook.")
@click.option("--engagement", is_flag=True,
              help="Also download the engagement reports the store lacks (known addresses and digests).")
@click.option("--engagement-url", "engagement_urls", metavar="URL", multiple=True,
              help="Also download this engagement report (a new publication); repeatable.")
@click.pass_context
@friendly_errors
def refresh(ctx: click.Context, base_url: str | None, fmt: str, as_json: bool, no_train: bool,
            notify: str | None, engagement: bool, engagement_urls: tuple[str, ...]) -> None:
    """Download Netflix's latest Top 10 files and ingest those that changed.

    Unchanged files (HTTP 304) are skipped. If any download fails, nothing changes.
    With --engagement, the "What We Watched" reports follow, all or nothing as well.
    """
    from renewcast import build

    if notify:
        build.check_webhook(notify)  # a bad address fails before anything is downloaded
    store = open_store(ctx)
    # A bar only for a person watching: never into a pipe, a log or the JSON consumer's stderr.
    progress = _progress_bar if sys.stderr.isatty() and not as_json else None
    report, retrained = build.refresh(store, ctx.obj["settings"], fmt, base_url=base_url, progress=progress,
                                      train=not no_train and not (engagement or engagement_urls))
    if engagement or engagement_urls:
        more = build.refresh_engagement(store, ctx.obj["settings"], extra_urls=engagement_urls,
                                        progress=progress)
        report.files += more.files
        report.renamed += more.renamed
        retrained = build.retrain(store) if report.changed and not no_train else None
    if as_json:
        emit_json(report.as_dict())
    else:
        for f in report.files:
            status = f"downloaded {f.bytes:,} bytes" if f.status == "downloaded" else "unchanged"
            click.echo(f"{f.name:26} {status:32} {f.rows:>8,} rows")
        if report.changed:
            click.echo(f"Ingested {report.rows:,} rows into {store.path}"
                       + (f"; {report.renamed} title(s) renamed by Netflix kept as aliases"
                          if report.renamed else ""))
            if retrained is not None:
                click.echo(f"Retrained the forecasts on the new data ({retrained['forecasts']:,} seasons, "
                           f"as of {retrained['as_of']}).")
        else:
            click.echo(f"Nothing changed at {report.base_url} since the last refresh; the store is untouched.")
    if notify:
        build.notify(notify, report, store)
        if not as_json:
            click.echo(f"Posted a summary to {notify}.")


def _progress_bar(label: str, total: int | None) -> Any:
    import contextlib

    @contextlib.contextmanager
    def bar() -> Any:
        if total is None:  # click's bar needs a length; without one, just say what is coming
            click.echo(f"Downloading {label} ...", err=True)
            yield lambda n: None
            return
        with click.progressbar(length=total, label=f"{label:26}", file=sys.stderr) as progress:
            yield progress.update

    return bar()


# -- renewal ledger and fan signals ------------------------------------------------------
_OUTCOMES = ["renewed", "renewed_final", "canceled", "final", "reversed", "limited", "reported"]  # ledger.OUTCOMES


def _who() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _season_label(row: dict[str, Any]) -> str:
    return row.get("season_title") or f"{row['show_title']} (season {row['season']})"


def _resolve_for_record(ctx: click.Context, title: str, season: int | None) -> tuple[str, int, str | None, bool]:
    """(show_title, season, season_title, charted) for a decision or signal about TITLE."""
    from renewcast import lookup
    from renewcast.errors import SeasonNotFound

    with open_store(ctx).reading() as con:
        try:
            row = lookup.resolve(con, title, season)
        except SeasonNotFound:
            if season is None:
                raise
            # The show charted but not this season: record it anyway, flagged.
            return lookup.resolve(con, title)["show_title"], season, None, False
    if row["kind"] != "TV":
        raise click.ClickException(f"'{row['show_title']}' is a film; decisions and signals are about seasons")
    number = season or row["season_number"]
    if number is None:
        raise click.UsageError(f"'{row['season_title'] or row['show_title']}' has no season number; add --season N")
    return row["show_title"], number, row["season_title"], True


def _import(ctx: click.Context, file: Path, load: Callable[..., Any], recorded_by: str, no_train: bool,
            unmatched: Callable[[list[Any]], str]) -> None:
    """Check a whole file and record it (ledger or catalog), say what changed, retrain."""
    store = open_store(ctx)
    result = load(store, file, recorded_by=recorded_by)
    click.echo(f"Imported {file}: {len(result.added)} added, {len(result.changed)} changed"
               + (" (old versions kept in the history)" if result.changed else "")
               + f", {len(result.unchanged)} unchanged.")
    if result.unmatched:
        click.echo(unmatched(result.unmatched))
    retrain(store, not no_train)


def _unmatched_note(entries: list[Any]) -> str:
    names = "; ".join(f"{e.show_title} season {e.season}" for e in entries[:10])
    more = f" and {len(entries) - 10} more" if len(entries) > 10 else ""
    return f"{len(entries)} kept but not in the Top 10 (no charted season matches): {names}{more}"


@main.group(name="ledger")
def ledger_group() -> None:
    """Renewal decisions: renewed, canceled, final or limited, when they became public and the source."""


@ledger_group.command(name="list")
@click.option("--outcome", type=click.Choice(_OUTCOMES), help="Only decisions with this outcome.")
@click.option("--awaiting", is_flag=True,
              help="The TV seasons Netflix still has to decide instead (the forecast board's seasons).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@friendly_errors
def ledger_list(ctx: click.Context, outcome: str | None, awaiting: bool, as_json: bool) -> None:
    """The recorded decisions, newest first (or the seasons still awaiting one)."""
    from urllib.parse import urlsplit

    from renewcast import clock, ledger, text
    from renewcast import status as rules

    if awaiting and outcome:
        raise click.UsageError("use either --outcome or --awaiting")
    with open_store(ctx).reading() as con:
        today = clock.today()
        rows = rules.awaiting(con, today, today) if awaiting else ledger.list_entries(con, outcome)
    if as_json:
        emit_json(rows)
        return
    if awaiting:
        click.echo(text.table(["Season", "Category", "First week", "Last week", "Status"],
                              [(title_of(r), r["category"], r["first_week"],
                                r["last_week"], "awaiting") for r in rows]))
        click.echo(f"{len(rows):,} season(s) awaiting a decision.")
        return
    click.echo(text.table(
        ["Season", "Outcome", "Announced", "Source", "Top 10"],
        [(_season_label(r), r["outcome"], r["announced"], urlsplit(r["source"] or "").netloc,
          "" if r["charted"] else ledger.NOT_CHARTED) for r in rows]))
    missing = sum(not r["charted"] for r in rows)
    click.echo(f"{len(rows):,} decision(s)" + (f"; {missing} for seasons not in the Top 10" if missing else "")
               + ".")


@ledger_group.command(name="add")
@click.argument("title")
@click.option("--season", "-s", type=int, help="Season number (default: the latest that charted).")
@click.option("--outcome", required=True, type=click.Choice(_OUTCOMES))
@click.option("--announced", required=True, metavar="DATE",
              help="When it became public: YYYY-MM-DD, YYYY-MM (read as the month's last day) or "
                   "<=YYYY-MM-DD (reported by then, day unknown).")
@click.option("--source", metavar="URL", help="http(s) address of the report (required unless limited).")
@click.option("--note", help="Free text, e.g. 'canceled after 2 seasons'.")
@click.option("--by", "recorded_by", metavar="NAME", help="Who records it (default: your user name).")
@NO_TRAIN
@click.pass_context
@friendly_errors
def ledger_add(ctx: click.Context, title: str, season: int | None, outcome: str, announced: str,
               source: str | None, note: str | None, recorded_by: str | None, no_train: bool) -> None:
    """Record a decision on a season; a correction keeps the previous entry in the history."""
    from renewcast import ledger

    show, number, label, charted = _resolve_for_record(ctx, title, season)
    store = open_store(ctx)
    result = ledger.add_entry(store, show_title=show, season=number, outcome=outcome, announced=announced,
                              source=source, note=note, season_title=label,
                              recorded_by=recorded_by or _who())
    name = label or f"{show} season {number}"
    if result.unchanged:
        click.echo(f"Unchanged: {name} is already recorded as {outcome} ({announced}).")
    else:
        verb = "Corrected" if result.changed else "Recorded"
        click.echo(f"{verb}: {name} {outcome}, announced {announced}"
                   + (" (the previous entry is kept in the history)." if result.changed else "."))
    if not charted:
        click.echo(f"Note: {name} is {ledger.NOT_CHARTED}; the entry is kept but matches no season.")
    retrain(store, not no_train and not result.unchanged)


@ledger_group.command(name="import")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--by", "recorded_by", metavar="NAME", help="Who records it (default: your user name).")
@NO_TRAIN
@click.pass_context
@friendly_errors
def ledger_import(ctx: click.Context, file: Path | None, recorded_by: str | None, no_train: bool) -> None:
    """Load decisions from a CSV or TSV file (columns: show_title, season, outcome, announced,
    source, note, season_title). Every row is checked first: one bad row and nothing changes.

    Without FILE, load the ledger shipped with renewcast (to update an older store).
    """
    from renewcast import ledger

    _import(ctx, file or ledger.BUNDLED_LEDGER, ledger.import_ledger,
            recorded_by or ("bundled" if file is None else _who()), no_train, _unmatched_note)


@ledger_group.command(name="history")
@click.argument("title")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@friendly_errors
def ledger_history(ctx: click.Context, title: str, as_json: bool) -> None:
    """Every version of the decisions on a show or season: current and replaced, who and when."""
    from renewcast import ledger, text

    with open_store(ctx).reading() as con:
        rows = ledger.history(con, title)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(f"No decision recorded for '{title}': awaiting.")
        return
    click.echo(text.table(
        ["Season", "Outcome", "Announced", "Recorded", "By", "State", "Source"],
        [(_season_label(r), r["outcome"], r["announced"], str(r["recorded_at"])[:19], r["recorded_by"],
          "current" if r["current"] else f"replaced {str(r['replaced_at'])[:19]} by {r['replaced_by']}",
          r["source"]) for r in rows]))


@main.group(name="signal")
def signal_group() -> None:
    """Fan and critic signals: petitions, ratings, hashtag views, dated per season."""


@signal_group.command(name="add")
@click.argument("title")
@click.option("--season", "-s", type=int, help="Season number (default: the latest that charted).")
@click.option("--kind", required=True, help="petition_signatures, imdb_rating, imdb_votes, rt_audience, "
              "rt_critics, hashtag_views or social_posts.")
@click.option("--value", required=True, help="The number observed, e.g. 1300 or 6.1.")
@click.option("--observed", required=True, metavar="DATE", help="YYYY-MM-DD, or YYYY-MM (the month's last day).")
@click.option("--platform", help="e.g. change.org, tiktok, instagram.")
@click.option("--url", metavar="URL", help="http(s) address where it was seen.")
@click.option("--note")
@click.pass_context
@friendly_errors
def signal_add(ctx: click.Context, title: str, season: int | None, kind: str, value: str, observed: str,
               platform: str | None, url: str | None, note: str | None) -> None:
    """Record one observation on a season."""
    from renewcast import ledger, signals

    show, number, label, charted = _resolve_for_record(ctx, title, season)
    result = signals.add_signal(open_store(ctx), show_title=show, season=number, kind=kind, value=value,
                                observed=observed, platform=platform, url=url, note=note)
    name = label or f"{show} season {number}"
    verb = "Unchanged" if result.unchanged else "Updated" if result.changed else "Recorded"
    click.echo(f"{verb}: {name} {kind} = {value} ({observed}).")
    if not charted:
        click.echo(f"Note: {name} is {ledger.NOT_CHARTED}; the observation is kept but matches no season.")


@signal_group.command(name="import")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.pass_context
@friendly_errors
def signal_import(ctx: click.Context, file: Path | None) -> None:
    """Load observations from a CSV or TSV file (columns: show_title, season, kind, value, observed,
    platform, url, note). Every row is checked first: one bad row and nothing changes.

    Without FILE, load the signals shipped with renewcast (to update an older store).
    """
    from renewcast import signals

    file = file or signals.BUNDLED_SIGNALS
    result = signals.import_signals(open_store(ctx), file)
    click.echo(f"Imported {file}: {len(result.added)} added, {len(result.changed)} changed, "
               f"{len(result.unchanged)} unchanged.")
    if result.unmatched:
        click.echo(_unmatched_note(result.unmatched))


@signal_group.command(name="list")
@click.argument("title", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@friendly_errors
def signal_list(ctx: click.Context, title: str | None, as_json: bool) -> None:
    """All observations, or those of one show or season."""
    from renewcast import ledger, signals, text

    with open_store(ctx).reading() as con:
        rows = signals.list_signals(con, title)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No signals recorded" + (f" for '{title}'." if title else "."))
        return
    click.echo(text.table(
        ["Season", "Signal", "Platform", "Observed", "Top 10"],
        [(_season_label(r), text.signal_value(r), r["platform"],
          r["observed"], "" if r["charted"] else ledger.NOT_CHARTED) for r in rows]))


@signal_group.command(name="refresh")
@click.option("--imdb", is_flag=True, help="Today's rating and votes from IMDb's ratings dataset.")
@click.option("--wikipedia", is_flag=True, help="Daily views of each show's English Wikipedia article.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
              help="Wikipedia views from DATE (default: the day after the last one stored).")
@click.option("--imdb-url", metavar="URL", help="Where title.ratings.tsv.gz is (default: IMDb's datasets).")
@click.option("--wikipedia-url", metavar="URL", help="The page-view API's per-article base (default: Wikimedia's).")
@click.pass_context
@friendly_errors
def signal_refresh(ctx: click.Context, imdb: bool, wikipedia: bool, since: Any, imdb_url: str | None,
                   wikipedia_url: str | None) -> None:
    """Fetch attention signals from public datasets (all or nothing each; past days never rewritten).

    IMDb's datasets are for personal and non-commercial use under IMDb's terms.
    """
    from renewcast import signals

    if not (imdb or wikipedia):
        raise click.UsageError("say which: --imdb, --wikipedia or both")
    settings = ctx.obj["settings"]
    limits = {"timeout": settings.timeout_seconds, "retries": settings.retries,
              "deadline": settings.deadline_seconds, "max_bytes": settings.max_bytes}
    store = open_store(ctx)
    if imdb:
        got = signals.refresh_imdb(store, imdb_url, **limits)
        click.echo("IMDb ratings: unchanged since the last download." if got is None
                   else f"IMDb ratings: {len(got.added)} added, {len(got.unchanged)} already recorded.")
    if wikipedia:
        got = signals.refresh_wikipedia(store, wikipedia_url, since=since.date() if since else None, **limits)
        click.echo(f"Wikipedia page views: {len(got.added)} days added, {len(got.unchanged)} already recorded.")


# -- the title catalog --------------------------------------------------------------------
_DECIDES = ["yes", "no", "unknown"]  # renewcast.catalog (kept lazy)
_FORMATS = ["scripted_drama", "scripted_comedy", "animation", "anime", "kids", "reality", "docuseries",
            "standup_variety", "sports_live", "unknown"]
_RUNS = ["ongoing", "limited", "anthology", "ended", "unknown"]


@main.group(name="catalog")
def catalog_group() -> None:
    """What each show is: whether Netflix decides its seasons, its format and its run."""


@catalog_group.command(name="list")
@click.option("--netflix-decides", "decides", type=click.Choice(_DECIDES))
@click.option("--format", "fmt", type=click.Choice(_FORMATS))
@click.option("--run", type=click.Choice(_RUNS))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@friendly_errors
def catalog_list(ctx: click.Context, decides: str | None, fmt: str | None, run: str | None, as_json: bool) -> None:
    """The catalog's rows, by title; the options filter."""
    from renewcast import catalog, text

    with open_store(ctx).reading() as con:
        rows = catalog.list_entries(con, netflix_decides=decides, format=fmt, run=run)
    if as_json:
        emit_json(rows)
        return
    click.echo(text.table(["Show", "Season", "Netflix decides", "Format", "Run", "Evidence"],
                          [(r["show_title"], r["season"] or "all", r["netflix_decides"], r["format"], r["run"],
                            r["evidence"]) for r in rows]))
    click.echo(f"{len(rows):,} row(s).")


@catalog_group.command(name="set")
@click.argument("title")
@click.option("--season", "-s", type=int, default=0, help="Only this season (default: the whole show).")
@click.option("--netflix-decides", "decides", required=True, type=click.Choice(_DECIDES))
@click.option("--format", "fmt", required=True, type=click.Choice(_FORMATS))
@click.option("--run", required=True, type=click.Choice(_RUNS))
@click.option("--source", metavar="URL", help="The page the labels rest on.")
@click.option("--note", help="What the page says, briefly.")
@click.option("--by", "recorded_by", metavar="NAME", help="Who records it (default: your user name).")
@NO_TRAIN
@click.pass_context
@friendly_errors
def catalog_set(ctx: click.Context, title: str, season: int, decides: str, fmt: str, run: str,
                source: str | None, note: str | None, recorded_by: str | None, no_train: bool) -> None:
    """Record (or correct) what a show is; the previous row is kept in the history."""
    from renewcast import catalog, lookup

    store = open_store(ctx)
    with store.reading() as con:
        show = lookup.resolve(con, title)["show_title"]
    result = catalog.set_entry(store, show_title=show, season=season, netflix_decides=decides, format=fmt,
                               run=run, evidence="page" if source else "user", source=source, note=note,
                               recorded_by=recorded_by or _who())
    scope = f"{show} season {season}" if season else show
    verb = "Unchanged" if result.unchanged else "Corrected" if result.changed else "Recorded"
    click.echo(f"{verb}: {scope}: netflix_decides={decides}, format={fmt}, run={run}.")
    retrain(store, not no_train and not result.unchanged)


@catalog_group.command(name="import")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--by", "recorded_by", metavar="NAME", help="Who records it (default: your user name).")
@NO_TRAIN
@click.pass_context
@friendly_errors
def catalog_import(ctx: click.Context, file: Path | None, recorded_by: str | None, no_train: bool) -> None:
    """Load rows from a CSV or TSV file (columns: show_title, season, netflix_decides, format, run,
    evidence, source, note). Every row is checked first: one bad row and nothing changes.

    Without FILE, load the catalog shipped with renewcast (to update an older store).
    """
    from renewcast import catalog

    _import(ctx, file or catalog.BUNDLED_CATALOG, catalog.import_catalog,
            recorded_by or ("bundled" if file is None else _who()), no_train,
            lambda rows: f"{len(rows)} row(s) name shows not in the Top 10 (kept).")


@catalog_group.command(name="history")
@click.argument("title")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@friendly_errors
def catalog_history(ctx: click.Context, title: str, as_json: bool) -> None:
    """Every version of a show's catalog rows, current and replaced."""
    from renewcast import catalog, lookup, text

    with open_store(ctx).reading() as con:
        rows = catalog.history(con, lookup.resolve(con, title)["show_title"])
    if as_json:
        emit_json(rows)
        return
    click.echo(text.table(["Season", "Netflix decides", "Format", "Run", "Recorded", "By", "State", "Source"],
                          [(r["season"] or "all", r["netflix_decides"], r["format"], r["run"],
                            str(r["recorded_at"])[:19], r["recorded_by"],
                            "current" if r["current"] else f"replaced {str(r['replaced_at'])[:19]}",
                            r["source"] or r["evidence"]) for r in rows]))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
@friendly_errors
def train(ctx: click.Context, as_json: bool) -> None:
    """Retrain the renewal model and store every season's current forecast."""
    from renewcast import forecast

    result = forecast.train(open_store(ctx))
    if as_json:
        emit_json(result)
        return
    click.echo(f"Trained as of {result['as_of']} on "
               + ", ".join(f"{n} decisions at {h} days" for h, n in sorted(result["trained_on"].items()))
               + f"; {result['forecasts']} forecasts stored, {result['awaiting']} seasons awaiting a decision."
               f"\nModel: {result['model_file']}")


@main.command(name="forecast")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE",
              help="Use only what was public on DATE (default: the stored forecasts, as of the latest week).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@friendly_errors
def forecast_cmd(ctx: click.Context, as_of: Any, as_json: bool) -> None:
    """TV seasons awaiting a renewal decision, most at risk first."""
    from renewcast import report, text

    with open_store(ctx).reading() as con:
        rows = report.board(con, as_of.date() if as_of else None)
        known = report.freshness(con)
    if as_json:  # the API's shape (renewcast.models.Board)
        emit_json({"board": rows, "note": None, "known": known})
    else:
        click.echo(text.board(rows, known))


@main.command()
@click.option("--ledger", "ledger_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Evaluate on this ledger CSV instead of the store's (training still uses only what "
                   "was public at each prediction date).")
@click.option("--horizon-days", type=click.IntRange(1, 365), default=28, show_default=True,
              help="Forecast this many days after each premiere.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option("--track-record", is_flag=True,
              help="Run it at 14, 28 and 56 days and print the track record (all, development and frozen decisions).")
@click.pass_context
@friendly_errors
def backtest(ctx: click.Context, ledger_file: Path | None, horizon_days: int, as_json: bool,
             track_record: bool) -> None:
    """Walk-forward backtest of the model against the rule of thumb and 'always renewed'."""
    from renewcast import forecast, text
    from renewcast.forecast.service import track_record as run_track_record

    if track_record:
        summary = run_track_record(open_store(ctx))
        if as_json:
            emit_json(summary)
        else:
            click.echo(text.backtest_summary(summary))
        return
    result = forecast.walk_forward(open_store(ctx), horizon_days, ledger_file)
    if as_json:
        emit_json(result)
    else:
        click.echo(text.backtest(result))



@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.pass_context
@friendly_errors
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web pages and the JSON API (/api/v1, documented at /openapi.json)."""
    import uvicorn

    from renewcast.forecast.service import ensure_backtest, latest_backtest
    from renewcast.web.app import create_app

    store = open_store(ctx)
    app = create_app(settings=ctx.obj["settings"])
    with store.reading() as con:
        missing = latest_backtest(con) is None
    if missing:  # the track record page fills in once it is stored; pages are served meanwhile
        def run() -> None:
            try:
                ensure_backtest(store)
            except RenewcastError as err:
                click.echo(f"The track record could not be computed: {err}", err=True)

        threading.Thread(target=run, daemon=True, name="renewcast-track-record").start()
        click.echo("Computing the track record in the background (about 20 s).", err=True)
    click.echo(f"Serving {store.path} on http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.group(name="site")
def site_group() -> None:
    """The whole site as static files."""


@site_group.command(name="build")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--limit", type=int, help="Build only the N newest TV seasons (plus the latest week's films).")
@click.pass_context
@friendly_errors
def site_build(ctx: click.Context, directory: Path, limit: int | None) -> None:
    """Write every page, table and API answer as files that a static server can serve."""
    from renewcast.forecast.service import ensure_backtest
    from renewcast.web.site import broken_links, build_site

    store = open_store(ctx)
    ensure_backtest(store)
    result = build_site(store.path, directory, limit=limit, progress=lambda m: click.echo(m, err=True))
    broken = broken_links(directory)
    click.echo(f"Wrote {result.pages:,} pages ({len(result.seasons):,} seasons) and {result.files:,} files "
               f"to {directory}")
    if broken:
        raise click.ClickException(f"{len(broken)} broken link(s), e.g. {broken[0][1]} in {broken[0][0]}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
