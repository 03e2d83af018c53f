"""Measure the 30/90-day decision odds against what happened: every 28 days from 2023-01 to
2025-12, each season awaiting a decision then gets the odds the board would have shown, and
the outcome is whether a (dated) decision followed within the window. Prints the predicted
and observed rates overall and by days waited, with n, and the Brier score against a constant.

    .venv/bin/python scripts/odds_calibration.py      # on the store renewcast uses
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from renewcast.config import Settings  # noqa: E402
from renewcast.forecast import hazard  # noqa: E402
from renewcast.forecast.core import Forecaster, format_group  # noqa: E402
from renewcast.forecast.features import LABELS, load_history  # noqa: E402
from renewcast.store import Store  # noqa: E402

BANDS = ((0, 90), (90, 180), (180, 365), (365, 540), (540, 731))


def measure(history, start: dt.date = dt.date(2023, 1, 3), end: dt.date = dt.date(2025, 12, 31)):
    first: dict[str, dt.date] = {}
    for r in history.decisions(dt.date(2100, 1, 1), dated_only=True):
        if r["outcome"] in LABELS:
            first.setdefault(r["slug"], r["announced_date"])
    rows = []
    day = start
    while day <= end:
        f = Forecaster(history, day)
        groups = f.groups()
        for slug in f.awaiting():
            waited = (day - history.seasons[slug]["premiere"]).days + 1
            answer = hazard.answer(groups, format_group(history, slug), waited)
            decided = first.get(slug)
            for window in hazard.WINDOWS:
                happened = decided is not None and day < decided <= day + dt.timedelta(days=window)
                rows.append((window, waited, answer[f"within_{window}_days"]["decision"], int(happened)))
        day += dt.timedelta(days=28)
    return rows


def report(rows) -> None:
    for window in hazard.WINDOWS:
        mine = [r for r in rows if r[0] == window]
        p = sum(r[2] for r in mine) / len(mine)
        o = sum(r[3] for r in mine) / len(mine)
        brier = sum((r[2] - r[3]) ** 2 for r in mine) / len(mine)
        const = sum((o - r[3]) ** 2 for r in mine) / len(mine)
        print(f"{window}-day odds: n={len(mine)} predicted {p:.3f} observed {o:.3f} "
              f"Brier {brier:.4f} (constant {const:.4f})")
        for low, high in BANDS:
            band = [r for r in mine if low <= r[1] < high]
            if band:
                bp = sum(r[2] for r in band) / len(band)
                bo = sum(r[3] for r in band) / len(band)
                print(f"   days {low:>3}-{high:<3} n={len(band):>5} predicted {bp:.3f} observed {bo:.3f}"
                      f"  ratio {bp / bo if bo else float('inf'):.2f}")


def main() -> None:
    store = Store(Settings.from_env().db)
    with store.reading() as con:
        history = load_history(con)
    report(measure(history))


if __name__ == "__main__":
    main()
