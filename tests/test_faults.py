"""Fault injection: a writer killed with SIGKILL at random points never damages the store."""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from renewcast.store import Store

from .conftest import TODAY

LEFTOVERS = ("*.tmp", "*.tmp.wal", "*.tmp.stage-*.csv", "*.compact.tmp")


def _announced(path: Path) -> str:
    """The Imperfects' cancellation date as the store holds it (each run corrects it)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return str(con.execute("SELECT announced FROM ledger WHERE slug = 'the-imperfects-season-1' "
                               "AND outcome = 'canceled'").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


def _cli(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "renewcast", "--db", str(db), *args]


def test_kill_9_during_writes_leaves_the_old_or_the_new_store_and_no_leftovers(store_copy: Store) -> None:
    env = {**os.environ, "RENEWCAST_TODAY": str(TODAY)}
    rng = random.Random(11)
    outcomes = set()

    def write(run: int, new: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            _cli(store_copy.path, "ledger", "add", "The Imperfects", "--season", "1", "--outcome", "canceled",
                 "--announced", new, "--source", f"https://example.org/fault-{run}", "--no-train"),
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # One write left to finish says how long a write takes on this machine (a loaded 2-core
    # runner is several times slower), so the kills land before and after its rename.
    # The faster of two finished writes (the first may pay for a cold disk cache).
    took = float("inf")
    for warm in (98, 99):
        started = time.monotonic()
        assert write(warm, f"2022-11-0{warm - 90}").wait() == 0
        took = min(took, time.monotonic() - started)
    # The first kill lands during startup (surely before the rename), the second after the
    # write finished (surely after it); the rest anywhere in between.
    when = [0.05, 1.6, *(rng.uniform(0.1, 1.6) for _ in range(8))]
    for run in range(10):
        before = _announced(store_copy.path)
        new = f"2022-11-{run + 10:02d}"
        writer = write(run, new)
        time.sleep(when[run] * took)  # startup, copy, write, checkpoint, rename: anywhere
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        after = _announced(store_copy.path)  # the store opens, whatever the moment was
        assert after in (before, new), (run, before, after)
        outcomes.add("old" if after == before else "new")
        # The next command (any command) removes what the dead writer left behind.
        subprocess.run(_cli(store_copy.path, "info"), env=env, check=True, capture_output=True)
        folder, name = store_copy.path.parent, store_copy.path.name
        left = [p.name for pattern in LEFTOVERS for p in folder.glob(f"{name}.{pattern}")]
        assert not left, (run, left)
    assert outcomes == {"old", "new"}  # killed before the rename and after it


def test_twenty_rewrites_of_the_forecasts_keep_the_store_compact_and_its_mode(store_copy: Store) -> None:
    # What every 'renewcast train' does to the file: the forecasts table deleted and rewritten.
    os.chmod(store_copy.path, 0o644)
    sizes = []
    for _ in range(20):
        with store_copy.writing(changes_data=False) as con:
            con.execute("CREATE TEMP TABLE keep AS SELECT * FROM forecasts")
            con.execute("DELETE FROM forecasts")
            con.execute("INSERT INTO forecasts SELECT * FROM keep")
        sizes.append(store_copy.path.stat().st_size)
    # No growth: without compaction these twenty rewrites take the file from 20 MB to 57 MB.
    # A compact copy's size itself varies by a few percent (DuckDB's row-group layout).
    assert statistics.median(sizes) <= 1.1 * sizes[0] and max(sizes) <= 1.2 * min(sizes), sizes
    assert store_copy.path.stat().st_mode & 0o777 == 0o644
