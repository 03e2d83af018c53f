"""Peak memory of an ingest against the file's size: the bundled global TSV x1, x10, x50.

A real file cannot be 50 times larger (ranks 1-10, four lists, weeks since 2021), so the
larger copies repeat its rows: renewcast refuses them (a week, list and rank twice in one
file) after reading them whole, and the figure is the peak RSS of that read and refusal.
Each run is a new process measured by GNU time (`/usr/bin/time -v`), into a bare store.

Run by hand: `python bench/bench_memory.py [--copies 1 10 50]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TSV = ROOT / "src" / "renewcast" / "data" / "netflix-top10" / "all-weeks-global.tsv"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10, 50])
    args = parser.parse_args()
    if not Path("/usr/bin/time").exists():
        print("GNU time not found: apt-get install -y time", file=sys.stderr)
        return 2
    header, *rows = (line + "\n" for line in TSV.read_text(encoding="utf-8").splitlines())  # the last has none
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="renewcast-mem-") as tmp:
        for n in args.copies:
            path = Path(tmp) / f"all-weeks-global-x{n}.tsv"
            with open(path, "w", encoding="utf-8") as f:
                f.write(header)
                for _ in range(n):
                    f.writelines(rows)
            db = Path(tmp) / f"x{n}.duckdb"
            run = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "renewcast", "--db", str(db),
                                  "ingest", "--empty", str(path), "--no-train"], capture_output=True, text=True)
            rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))  # type: ignore[union-attr]
            wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", run.stderr).group(1)  # type: ignore[union-attr]
            said = (run.stdout + run.stderr).strip().splitlines()
            outcome = "ingested" if run.returncode == 0 else f"refused: {said[0][:90]}"
            print(f"x{n:<3} {path.stat().st_size / 2**20:7.1f} MiB  peak RSS {rss / 1024:6.0f} MiB  "
                  f"wall {wall}  rc {run.returncode}  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
