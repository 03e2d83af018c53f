"""Terminal text for forecasts, the board and the backtest (pure: data in, text out)."""

from __future__ import annotations

from typing import Any

from renewcast.forecast.service import NO_FORECAST


def _table(headers: list[str], rows: list[list[Any]], align: str) -> str:
    from renewcast.text import table

    return table(headers, rows, align)


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
    head = (f"Forecast as of {forecast['as_of']}: {forecast['probability']:.0%} chance of renewal "
            f"(from the first {forecast['horizon_days']} days; trained on {forecast['trained_on']} "
            f"public decisions, renewal rate {forecast['base_rate']:.0%}).")
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
    if forecast["rule_of_thumb_says_canceled"] is not None:
        out.append("The rule of thumb alone says: "
                   + ("canceled." if forecast["rule_of_thumb_says_canceled"] else "not canceled."))
    return out


def board(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No TV season is awaiting a decision on that date."
    as_of = rows[0]["as_of"]
    body = _table(
        ["Renewal", "Season", "Day", "Limbo", "Main reason"],
        [[f"{r['probability']:.0%}", r["title"], r["timeline"]["days_since_premiere"],
          "in limbo" if r["timeline"]["in_limbo"] else "",
          r["reasons"][0]["text"] if r["reasons"] else "too few public decisions to train on"]
         for r in rows], "rlrll")
    return f"TV seasons awaiting a decision as of {as_of}, most at risk first\n\n{body}"


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def backtest(result: dict[str, Any]) -> str:
    methods = ("model", "rule", "majority")
    out = [f"Walk-forward backtest at {result['horizon_days']} days after the premiere, ledger: "
           f"{result['ledger']}; {result['n']} seasons forecast "
           f"({result['skipped_too_little_history']} skipped: too few decisions public yet to train on).",
           "",
           _table(["Method", "AUC", "Accuracy", "Brier"],
                  [[m, _fmt(result[m]["auc"]), _fmt(result[m]["accuracy"]), _fmt(result[m]["brier"])]
                   for m in methods], "lrrr"),
           "",
           f"rule: {result['rule_mapping']}; majority: {result['majority_mapping']}.",
           "", "Calibration of the model",
           _table(["P(renewed)", "Seasons", "Mean forecast", "Renewed"],
                  [[c["bin"], c["n"], f"{c['mean_predicted']:.2f}", f"{c['observed_renewed']:.2f}"]
                   for c in result["model"]["calibration"]], "lrrr")]
    for key, label in (("by_year", "Premiere year"), ("by_language", "Language")):
        out += ["", _table(
            [label, "n", "Renewed", "Model AUC", "Model acc", "Model Brier", "Rule acc", "Majority acc"],
            [[g[key.removeprefix("by_").replace("language", "language")], g["n"], g["renewed"],
              _fmt(g["model"]["auc"]), _fmt(g["model"]["accuracy"]), _fmt(g["model"]["brier"]),
              _fmt(g["rule"]["accuracy"]), _fmt(g["majority"]["accuracy"])]
             for g in result[key]], "lrrrrrrr")]
    out += ["", f"Misses ({len(result['misses'])})",
            _table(["Season", "Forecast", "Decision", "Announced"],
                   [[m["title"], f"{m['probability']:.0%}", m["outcome"], m["announced"]]
                    for m in result["misses"]], "lrll")]
    return "\n".join(out)
