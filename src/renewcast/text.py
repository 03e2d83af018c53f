"""Plain-text rendering of reports for the terminal (pure: data in, text out)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from renewcast.forecast.service import NO_FORECAST, backtest_parts
from renewcast.formats import count, fraction, millions, percent, period
from renewcast.titles import title_of


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    """Columns padded to width; ``align`` has one of 'l'/'r' per column."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or "l" * len(headers)
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if a == "r" else c.ljust(w)
                               for c, w, a in zip(row, widths, align, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def show_summary(summary: dict[str, Any]) -> str:
    """A show at a glance: its verdict, then each season's status and first-28-day views."""
    head = [f"{summary['show_title']}: {len(summary['seasons'])} seasons in the Top 10"]
    if summary.get("verdict"):
        head.append(summary["verdict"])
    body = table(["Season", "Status", "First 28 days", "Premiere"],
                 [(s["title"], s["headline"] or s["status"] or "",
                   f"{millions(s['first28_views'])} views" if s["first28_views"] is not None else "–",
                   (s["premiere"] or "unknown") + ("*" if s["premiere_estimated"] else ""))
                  for s in summary["seasons"]], "llrl")
    return "\n".join([*head, "", body])


def first_week(report: dict[str, Any], *, inline: bool = False) -> str:
    """'First week: 3.37M views in 4 days', or, where the release day is not known, no day count;
    ``inline``: the same words inside a sentence ('first week 3.37M views in 4 days')."""
    views = millions(report["first_week_views"])
    known = bool(report.get("first_week_days"))
    head = ("first week" if known else "first Top 10 week") if inline else (
        "First week:" if known else "First Top 10 week:")
    if known:
        return f"{head} {views} views in {count(report['first_week_days'], 'day')}"
    return f"{head} {views} views (release day unknown)"


def season(report: dict[str, Any]) -> str:
    title = title_of(report)
    premiere = report["premiere"] or "unknown"
    if report["premiere_estimated"]:
        premiere += " (estimated from its first Top 10 week)"
    elif (report.get("premiere_source") or "").startswith("http"):
        host = report["premiere_source"].split("/")[2].removeprefix("www.")
        premiere += f" (release day per {host})"
    out = [f"{title}  ·  {report['category']}"]
    if report.get("headline"):
        status = report.get("ledger") or {}
        out.append(report["headline"] + "." + (f" Source: {status['source']}" if status.get("source") else ""))
        if report.get("headline_reason"):
            out.append(f"Main reason: {report['headline_reason']}.")
    if report.get("show_verdict") and report["show_verdict"] != report.get("headline"):
        out.append(report["show_verdict"])
    known = report["known"]
    out.append(f"{known['note']}. Decisions up to {known['today']}.")
    if (report.get("show_facts") or {}).get("sentence"):
        out.append(f"About the show: {report['show_facts']['sentence']}.")
    out += [
        f"Premiere {premiere}  ·  runtime {report['runtime'] or 'unknown'}"
        + (f" ({report['runtime_source']})" if report["runtime_source"] else ""),
        "",
        table(
            ["Week", "Hours viewed", "Change", "Rank", "Week in Top 10", "Views"],
            [(period(w["week_start"], w["week_end"]), millions(w["hours_viewed"]), percent(w["change_fraction"]),
              w["rank"], w["week_in_top10"],
              millions(w["views"]) + ("*" if w["views_source"] == "computed" else ""))
             for w in report["weeks"]],
            "lrrrrr",
        ),
        "",
        f"Total in the Top 10: {millions(report['top10_hours_total'])} hours over "
        f"{count(report['weeks_in_top10'], 'week')}; peak rank {report['peak_rank']}.",
    ]
    if any(w["views_source"] == "computed" for w in report["weeks"]):
        out.append("* views = hours / runtime (Netflix published no views for these weeks).")
    if report["first_week_views"] is not None:
        out.append(first_week(report) + ".")
    if report["first28_hours"] is not None:
        out.append(f"First 28 days in the Top 10: {millions(report['first28_hours'])} hours"
                   + (f", {millions(report['first28_views'])} views." if report["first28_views"] else "."))
    rule = report["rule_of_thumb"]
    out.append(rule["sentence"])
    countries = report["countries"]
    if countries["covered"]:
        if countries["countries_charted"]:
            top = ", ".join(f"{c['country_name']} ({c['weeks']} wk, best #{c['best_rank']})"
                            for c in countries["top"][:8])
            out.append(f"Charted in {countries['countries_charted']} of {countries['coverage']['countries']} "
                       f"countries ({countries['country_weeks']} country-weeks): {top}.")
        else:
            out.append("Charted in no country's Top 10 in the country lists.")
    else:
        out.append(f"Countries: {countries['note']}.")
    if report.get("ledger") and len(report["ledger"].get("events", [])) > 1:
        out.append(decision(report["ledger"]))
    if report.get("signals"):
        out.append("Fan and critic signals: " + "; ".join(signal(s) for s in report["signals"]) + ".")
    if report.get("other_seasons"):
        out.append("Other seasons: " + ", ".join(s["season_title"] or s["slug"] for s in report["other_seasons"]))
    if report["kind"] == "TV":
        out += forecast_section(report)
    return "\n".join(out)


def forecast_section(report: dict[str, Any]) -> list[str]:
    """Odds only for a season Netflix still has to decide; a decided one shows its track record."""
    status = report.get("ledger") or {}
    if status.get("outcome") == "undecided":
        return ["", f"No forecast: {status.get('why')}."]
    if status.get("outcome", "awaiting") != "awaiting":
        return ["", backtest_line(report["backtest"])] if report.get("backtest") else []
    return season_lines(report.get("forecast"), report["kind"])


def backtest_line(b: dict[str, Any]) -> str:
    """What the walk-forward backtest said before Netflix decided."""
    rule = "canceled" if b["rule_probability"] < 0.5 else "not canceled"
    return (f"Track record: on {b['predicted_on']} (day {b['horizon_days']}), trained only on what was public then, "
            f"the model gave {b['model_probability']:.0%} chance of renewal and the rule of thumb said {rule}; "
            f"Netflix announced '{b['outcome']}' on {b['announced']}.")


def comparison(result: dict[str, Any]) -> str:
    names = [title_of(s) for s in result["seasons"]]
    rows = []
    for week in result["weeks"]:
        row: list[Any] = [week["week_since_premiere"]]
        for cell in week["seasons"]:
            row.append(f"{millions(cell['views'])} (#{cell['rank']})" if cell else "–")
        rows.append(row)
    out = ["Views by week since premiere (rank in brackets)", "",
           table(["Week", *names], rows, "r" * (len(names) + 1)), ""]
    for s in result["seasons"]:
        out.append(f"{title_of(s)}: premiere {s['premiere']}, {first_week(s, inline=True)}, "
                   f"{millions(s['top10_hours_total'])} hours in the Top 10.")
    for r, name in zip(result["ratios"], names[1:], strict=True):
        if r["first_week_views"] is not None and r["same_first_week_length"]:
            out.append(f"{names[0]} had {r['first_week_views']:.2f}x the first-week views of {name} "
                       f"({fraction(r['first_week_views'])}).")
        elif r["first_week_views_per_day"] is not None:  # partial first weeks of different lengths
            out.append(f"{names[0]} had {r['first_week_views_per_day']:.2f}x the first-week views per day of "
                       f"{name} ({fraction(r['first_week_views_per_day'])}; the first weeks differ in length).")
    return "\n".join(out)


def latest(result: dict[str, Any]) -> str:
    out = [f"Netflix global Top 10, week of {period(result['week_start'], result['week'])}"]
    out.append("Ranked by views, as Netflix ranks since June 2023." if result.get("ranked_by") == "views"
               else "Ranked by hours, as Netflix ranked before June 2023 (* views = hours / runtime).")
    if result.get("known"):
        out.append(f"{result['known']['note']}.")
    for category, rows in result["lists"].items():
        out += ["", category]
        out.append(table(
            ["#", "Title", "Views", "Hours", "Change", "Move", "Weeks"],
            [(r["weekly_rank"], title_of(r),
              millions(r["views"]) + ("*" if r["views_source"] == "computed" else ""),
              millions(r["weekly_hours_viewed"]), percent(r["change_fraction"]), _movement(r),
              r["cumulative_weeks_in_top_10"]) for r in rows],
            "rlrrrrr"))
    return "\n".join(out)


def most_popular(result: dict[str, Any]) -> str:
    out = ["Netflix's most popular titles of all time, by views in their first 91 days"]
    for category, rows in result["lists"].items():
        out += ["", category]
        out.append(table(["#", "Title", "Views", "Hours"],
                         [(r["rank"], title_of(r), millions(r["views_first_91_days"]),
                           millions(r["hours_viewed_first_91_days"])) for r in rows], "rlrr"))
    return "\n".join(out)


def _movement(row: dict[str, Any]) -> str:
    if row["places_up"] is None:
        return str(row["entry"])
    return f"{row['places_up']:+d}" if row["places_up"] else "="


def decision(status: dict[str, Any]) -> str:
    """The season's story when it has more than one event: 'renewed (2022-06); reversed (2023-01-09)'."""
    story = "; ".join(f"{e['outcome'].replace('_', ' ')} ({e['announced']})" for e in status.get("events", []))
    line = f"The season's story: {story}."
    if status.get("history"):
        line += f" [{count(len(status['history']), 'earlier version')} in the ledger history]"
    return line


_SIGNAL_NAMES = {"petition_signatures": "petition signatures", "imdb_rating": "IMDb rating",
                 "imdb_votes": "IMDb votes", "rt_audience": "Rotten Tomatoes audience",
                 "rt_critics": "Rotten Tomatoes critics", "hashtag_views": "hashtag views",
                 "social_posts": "posts"}


def signal_value(obs: dict[str, Any]) -> str:
    """'IMDb rating 6.1/10', 'Rotten Tomatoes audience 79%', 'hashtag views 9,000,000'."""
    kind, value = obs["kind"], obs["value"]
    if kind == "imdb_rating":
        shown = f"{value:g}/10"
    elif kind.startswith("rt_"):
        shown = f"{value:g}%"
    else:
        shown = f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"
    return f"{_SIGNAL_NAMES.get(kind, kind.replace('_', ' '))} {shown}"


def signal(obs: dict[str, Any]) -> str:
    """'IMDb rating 6.1/10 (2022-11-08)', 'hashtag views 9,000,000 on tiktok (2022-11)'."""
    where = f" on {obs['platform']}" if obs.get("platform") else ""
    return f"{signal_value(obs)}{where} ({obs['observed']})"


def season_lines(forecast: dict[str, Any] | None, kind: str = "TV") -> list[str]:
    """The forecast section of ``renewcast show``."""
    if kind != "TV":
        return []
    if forecast is None:
        return ["", f"Forecast: {NO_FORECAST} (seasons that premiered before the Top 10 data began get none)."]
    t = forecast["timeline"]
    status = forecast["status"]
    if not forecast["reasons"]:
        return ["", f"Forecast as of {forecast['as_of']}: too few public decisions to train on "
                f"({forecast['trained_on']}); import a ledger ('renewcast ledger import') and run "
                "'renewcast train'."]
    low, high = forecast["interval_95"]
    waited = forecast.get("waited_days") or forecast["horizon_days"]
    head = (f"Forecast as of {forecast['as_of']}: {forecast['probability']:.0%} chance of renewal, plausibly "
            f"{low:.0%}-{high:.0%} (from the first {forecast['horizon_days']} days of viewing; trained on "
            f"{forecast['trained_on']} public decisions of seasons still undecided on day {waited}, "
            f"renewal rate {forecast['base_rate']:.0%}).")
    if status != "awaiting":  # hindsight, labelled as such: the backtest line says what it said before
        head = (f"Decided: {status}. For reference, with everything public on {forecast['as_of']} "
                f"(first {forecast['horizon_days']} days) the model gives {forecast['probability']:.0%} "
                f"chance of renewal.")
    out = ["", head]
    if forecast.get("stale"):
        out.append("  (computed before the latest change to the data or the ledger: run 'renewcast train')")
    for r in forecast["reasons"]:
        out.append(f"  - {r['text']} ({r['effect']:+.2f} log-odds)")
    if forecast["similar"]:
        out.append("Most similar decided seasons: " + "; ".join(
            f"{s['title']} ({s['outcome']})" for s in forecast["similar"]))
    if t["median_days"] is not None and status == "awaiting":  # a decided season has no clock running
        line = (f"Day {t['days_since_premiere']} since premiere; Netflix usually announced by day "
                f"{t['median_days']:.0f} (90% by day {t['p90_days']:.0f})")
        out.append(line + (": IN LIMBO, the decision is overdue." if t["in_limbo"] else "."))
    odds = forecast.get("decision_odds")
    if odds:
        out.append(odds_line(odds))
    take = forecast.get("what_it_would_take")
    if take:
        out.append(f"What it would take: {take['text']}")
    if forecast["rule_of_thumb_says_canceled"] is not None:
        out.append("The rule of thumb alone says: "
                   + ("canceled." if forecast["rule_of_thumb_says_canceled"] else "not canceled."))
    return out


def odds_line(odds: dict[str, Any]) -> str:
    """How soon Netflix decides, in words."""
    d30, d90 = odds["within_30_days"], odds["within_90_days"]
    group = {"all": "seasons", "scripted": "scripted seasons",
             "unscripted": "unscripted seasons"}[odds["compared_with"]]
    return (f"Decision odds: {d30['decision']:.0%} within 30 days ({d30['canceled']:.0%} a cancellation), "
            f"{d90['decision']:.0%} within 90 days ({d90['canceled']:.0%} a cancellation), from the "
            f"{odds['still_undecided_then']} {group} still undecided on day {odds['days_waited']}.")


def board(rows: list[dict[str, Any]], known: dict[str, Any] | None = None) -> str:
    note = f"{known['note']}.\n" if known else ""
    if not rows:
        return note + "No TV season is awaiting a decision on that date."
    as_of = rows[0].get("answered_on") or rows[0]["as_of"]
    trained = rows[0]["as_of"]
    model_day = f" (odds from the model trained on {trained})" if trained != as_of else ""
    body = table(
        ["Renewal", "Season", "Day", "Limbo", "Main reason"],
        [[f"{r['probability']:.0%}", r["title"], r["timeline"]["days_since_premiere"],
          "in limbo" if r["timeline"]["in_limbo"] else "",
          r["reasons"][0]["text"] if r["reasons"] else "too few public decisions to train on"]
         for r in rows], "rlrll")
    return (f"{note}{len(rows)} season(s) Netflix still has to decide as of {as_of}{model_day}, "
            f"most at risk first\n\n{body}")


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _with_interval(value: float | None, ci: Sequence[float] | None) -> str:
    """'0.765 (0.68-0.84)': a score and its 95% interval, when there is one."""
    return _fmt(value) + (f" ({ci[0]:.2f}-{ci[1]:.2f})" if ci else "")


def _ci(m: dict[str, Any], key: str) -> str:
    return _with_interval(m.get(key), (m.get("interval_95") or {}).get(key))


def backtest_summary(rows: list[dict[str, Any]]) -> str:
    """The track record at each horizon: the table the README quotes."""
    return table(["Days", "Decisions", "Method", "n", "AUC", "Accuracy", "Brier"],
                 [[r["horizon_days"], r["slice"], r["method"], r["n"],
                   *[_with_interval(r[k], r.get(f"{k}_interval_95")) for k in ("auc", "accuracy", "brier")]]
                  for r in rows], "rllrrrr")


def backtest(result: dict[str, Any]) -> str:
    methods = ("model", "rule", "majority")
    out = [f"Walk-forward backtest at {result['horizon_days']} days after the premiere, ledger: "
           f"{result['ledger']}; {result['n']} seasons forecast "
           f"({result['skipped_too_little_history']} skipped: too few decisions public yet to train on).",
           "",
           table(["Decisions", "Method", "n", "AUC", "Accuracy", "Brier"],
                  [[part, m, found["n"], *[_ci(found[m], k) for k in ("auc", "accuracy", "brier")]]
                   for part, found in backtest_parts(result).items() for m in methods], "llrrrr"),
           "",
           "Ranges are 95% bootstrap intervals. frozen: decisions announced from "
           f"{result.get('frozen_from', '')} on, never looked at while the features were chosen.",
           f"rule: {result['rule_mapping']}; majority: {result['majority_mapping']}.",
           "", "Calibration of the model",
           table(["P(renewed)", "Seasons", "Mean forecast", "Renewed"],
                  [[c["bin"], c["n"], f"{c['mean_predicted']:.2f}", f"{c['observed_renewed']:.2f}"]
                   for c in result["model"]["calibration"]], "lrrr")]
    for key, label in (("by_year", "Premiere year"), ("by_language", "Language")):
        out += ["", table(
            [label, "n", "Renewed", "Model AUC", "Model acc", "Model Brier", "Rule acc", "Majority acc"],
            [[g[key.removeprefix("by_").replace("language", "language")], g["n"], g["renewed"],
              _fmt(g["model"]["auc"]), _fmt(g["model"]["accuracy"]), _fmt(g["model"]["brier"]),
              _fmt(g["rule"]["accuracy"]), _fmt(g["majority"]["accuracy"])]
             for g in result[key]], "lrrrrrrr")]
    out += ["", f"Misses ({len(result['misses'])})",
            table(["Season", "Forecast", "Decision", "Announced"],
                   [[m["title"], f"{m['probability']:.0%}", m["outcome"], m["announced"]]
                    for m in result["misses"]], "lrll")]
    return "\n".join(out)
