"""Core benchmarks: building the store, `renewcast show` end to end, the library call,
and the obvious alternative (pandas reads the TSV and groups on every call).

Run by hand: `python bench/bench_core.py [--runs N]`. Prints medians of N runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from renewcast import build, lookup, metrics, report
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

    folders = [BUNDLED_DATA / "netflix-top10", BUNDLED_DATA / "netflix-engagement"]
    tsvs = sorted((BUNDLED_DATA / "netflix-top10").glob("*.tsv"))

    def ingest_tsvs() -> None:  # DuckDB reads them, the checks run as SQL, the store merges publications
        Store(tmp / f"build-{next(counter)}.duckdb").ingest(tsvs)

    def duckdb_alone() -> None:  # the floor: DuckDB reading the same files into tables, nothing else
        import duckdb

        con = duckdb.connect()
        for n, path in enumerate(tsvs):
            con.execute(f"CREATE TABLE t{n} AS SELECT * FROM read_csv('{path}', delim='\t', header=true, "
                        "nullstr=['N/A', ''])")
        con.close()

    def ingest_all() -> None:  # every bundled Netflix file, the XLSX ones through calamine
        Store(tmp / f"build-{next(counter)}.duckdb").ingest(folders)

    def build_store() -> None:  # + catalog, ledger, signals, forecasts
        build.ensure(Store(tmp / f"build-{next(counter)}.duckdb"))

    total_mb = sum(p.stat().st_size for p in tsvs) / 1e6
    median_tsv, _ = timed(ingest_tsvs, runs)
    median_floor, _ = timed(duckdb_alone, runs)
    print(f"ingest the {len(tsvs)} bundled TSVs ({total_mb:.1f} MB):   {median_tsv:8.3f} s   (target < 1 s)")
    print(f"  DuckDB alone reading the same TSVs:  {median_floor:8.3f} s   (ratio {median_tsv / median_floor:.1f}x)")
    median, _ = timed(ingest_all, runs)
    print(f"ingest every bundled Netflix file:     {median:8.3f} s   (TSVs + 6 XLSX: 5 engagement, 1 country)")
    median, _ = timed(build_store, runs)
    print(f"first-use build (+ ledger, forecasts): {median:8.3f} s")

    db = tmp / "show.duckdb"
    build.ensure(Store(db))
    env = dict(os.environ, RENEWCAST_DB=str(db))
    exe = Path(sys.executable).parent / "renewcast"

    def show_process() -> None:
        subprocess.run([str(exe), "show", TITLE], env=env, check=True, capture_output=True)

    median_proc, _ = timed(show_process, runs)
    print(f"`renewcast show` (process start):      {median_proc:8.3f} s   (target < 0.5 s)")
    # DuckDB imports pandas on the first parameterised query whenever pandas is installed
    # (~0.3 s). renewcast does not depend on pandas; this is the process as `make run` installs it.
    no_pandas = [sys.executable, "-c", "import sys; sys.modules['pandas'] = None; "
                 "from renewcast.cli import main; main(['show', " + repr(TITLE) + "], standalone_mode=False)"]

    def show_process_without_pandas() -> None:
        subprocess.run(no_pandas, env=env, check=True, capture_output=True)

    median_np, _ = timed(show_process_without_pandas, runs)
    print(f"  the same without pandas installed:   {median_np:8.3f} s")
    # VmHWM, not ru_maxrss: the latter keeps the forking parent's high-water mark across exec.
    measure = [*no_pandas[:-1], no_pandas[-1] + "; print([l.split()[1] for l in open('/proc/self/status') "
               "if l.startswith('VmHWM')][0], file=sys.stderr)"]
    peak = subprocess.run(measure, env=env, check=True, capture_output=True, text=True).stderr.split()[-1]
    print(f"  peak memory of that process:         {int(peak) // 1024:8d} MiB")

    store = Store(db)
    con = store.connect()

    def show_library() -> None:
        report.season_report(con, lookup.resolve(con, TITLE))

    median_lib, _ = timed(show_library, runs * 20)
    print(f"show, library call (resolve + report): {median_lib * 1000:8.2f} ms  (target < 20 ms)")

    def weekly_table() -> None:  # the same question the pandas call answers
        season = lookup.resolve(con, TITLE)
        metrics.build_weeks(metrics.season_rows(con, season), season["runtime_hours"], season["premiere"])

    median_table, _ = timed(weekly_table, runs * 20)
    print(f"weekly table only (resolve + weeks):   {median_table * 1000:8.2f} ms")

    import pandas as pd  # the alternative users reach for

    tsv = BUNDLED_DATA / "netflix-top10" / "all-weeks-global.tsv"

    def pandas_call() -> None:
        frame = pd.read_csv(tsv, sep="\t", na_values=["N/A"])
        season = frame[frame["show_title"].str.lower() == TITLE.lower()]
        weekly = season.groupby(["season_title", "week"], as_index=False)["weekly_hours_viewed"].sum()
        weekly["change"] = weekly["weekly_hours_viewed"].pct_change()

    median_pd, _ = timed(pandas_call, runs * 4)
    print(f"pandas: read TSV + group, per call:    {median_pd * 1000:8.2f} ms")
    print(f"  weekly table: renewcast is {median_pd / median_table:5.1f}x faster than pandas per call")
    print(f"  full report (forecast, ledger, signals, countries, rule): {median_lib / median_pd:5.1f}x "
          "the pandas call's time, which has none of those")


if __name__ == "__main__":
    main()
