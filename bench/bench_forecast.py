"""Forecast benchmarks: training, a whole walk-forward backtest, one forecast (stored and
live as of a date), and `renewcast show` as a new process.

Run by hand: `python bench/bench_forecast.py [--runs N] [--ledger FILE]`. Builds a
private store from the bundled data (with the shipped ledger; --ledger adds decisions) and
prints the median of N runs of each step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from renewcast import build, forecast
from renewcast.forecast.backtest import run_backtest
from renewcast.forecast.features import load_history
from renewcast.ledger import import_ledger
from renewcast.store import Store

ROOT = Path(__file__).resolve().parents[1]
SLUG = "the-imperfects-season-1"


def timed(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ledger", type=Path, default=None)
    args = parser.parse_args()
    runs = args.runs
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"median of {runs} runs")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        start = time.perf_counter()
        build.ensure(store)
        print(f"fresh store build (with forecasts):  {time.perf_counter() - start:7.2f} s (once)")
        if args.ledger:
            import_ledger(store, args.ledger)  # on top of the shipped ledger
        print(f"train (all horizons, stored):        {timed(lambda: forecast.train(store), runs):7.2f} s")
        with store.reading() as con:
            history = load_history(con)
            n = run_backtest(history, 28)["n"]
            print(f"backtest, 28 days ({n} seasons):      "
                  f"{timed(lambda: run_backtest(load_history(con), 28), runs):7.2f} s")
            print(f"backtest, 14 days:                   "
                  f"{timed(lambda: run_backtest(load_history(con), 14), runs):7.2f} s")
            print(f"forecast_season, stored (library):   "
                  f"{timed(lambda: forecast.forecast_season(con, SLUG), runs * 20) * 1000:7.2f} ms")
            print(f"forecast_season, live --as-of:       "
                  f"{timed(lambda: forecast.forecast_season(con, SLUG, dt.date(2022, 11, 1)), runs) * 1000:7.1f} ms")
            print(f"board, stored:                       "
                  f"{timed(lambda: forecast.board(con), runs * 4) * 1000:7.1f} ms")
        env = {**os.environ, "RENEWCAST_DB": str(store.path)}
        exe = [sys.executable, "-m", "renewcast", "show", "The Imperfects"]

        def show() -> None:
            subprocess.run(exe, env=env, check=True, capture_output=True)

        print(f"`renewcast show` (new process):      {timed(show, runs):7.2f} s")
        probe = subprocess.run(
            [sys.executable, "-c", "import sys, runpy; sys.argv=['renewcast','show','The Imperfects'];"
             "import renewcast.cli as c\ntry: c.main()\nexcept SystemExit: pass\n"
             "print('sklearn loaded:', 'sklearn' in sys.modules, file=sys.stderr)"],
            env=env, capture_output=True, text=True, check=True)
        print(probe.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
