"""Core benchmarks: building the store, `renewcast show` end to end, the library call,
and the obvious alternative (pandas reads the TSV and groups on every call).

Run by hand: `python bench/bench_core.py [--runs N]`. Prints medians of N runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from renewcast import lookup, report
from renewcast.config import BUNDLED_DATA
from renewcast.store import Store

TITLE = "The Imperfects"


def timed(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"median of {runs} runs")
    tmp = Path(tempfile.mkdtemp())

    counter = iter(range(10_000))

    def build() -> None:
        Store(tmp / f"build-{next(counter)}.duckdb").ensure()  # Netflix files + ledger + signals

    median, _ = timed(build, runs)
    print(f"build store from all bundled files:    {median:8.3f} s   (target < 3 s)")

    db = tmp / "show.duckdb"
    Store(db).ensure()
    env = dict(os.environ, RENEWCAST_DB=str(db))
    exe = Path(sys.executable).parent / "renewcast"

    def show_process() -> None:
        subprocess.run([str(exe), "show", TITLE], env=env, check=True, capture_output=True)

    median_proc, _ = timed(show_process, runs)
    print(f"`renewcast show` (process start):      {median_proc:8.3f} s   (target < 0.5 s)")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  peak memory of a show process:       {peak:8.1f} MiB")

    store = Store(db)
    con = store.connect()

    def show_library() -> None:
        report.season_report(con, lookup.resolve(con, TITLE))

    median_lib, _ = timed(show_library, runs * 20)
    print(f"show, library call (resolve + report): {median_lib * 1000:8.2f} ms  (target < 20 ms)")

    import pandas as pd  # the alternative users reach for

    tsv = BUNDLED_DATA / "netflix-top10" / "all-weeks-global.tsv"

    def pandas_call() -> None:
        frame = pd.read_csv(tsv, sep="\t", na_values=["N/A"])
        season = frame[frame["show_title"].str.lower() == TITLE.lower()]
        weekly = season.groupby(["season_title", "week"], as_index=False)["weekly_hours_viewed"].sum()
        weekly["change"] = weekly["weekly_hours_viewed"].pct_change()

    median_pd, _ = timed(pandas_call, runs * 4)
    print(f"pandas: read TSV + group, per call:    {median_pd * 1000:8.2f} ms")
    print(f"  renewcast library call is {median_pd / median_lib:5.1f}x faster than the pandas call "
          "(which also lacks runtime, views, premiere and title matching)")


if __name__ == "__main__":
    main()
