"""The web's store generations: a replaced file is prepared in the background while the
old one answers (for a bounded time), and one answer never mixes two files."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from renewcast.store import Store
from renewcast.web.db import Database


def replace_with_marker(path: Path, value: int) -> None:
    """Replace the store file atomically (as writers do) with a copy holding marker = value."""
    new = path.with_suffix(".new")
    shutil.copyfile(path, new)
    with duckdb.connect(str(new)) as con:
        con.execute("CREATE OR REPLACE TABLE marker AS SELECT ? AS v", [value])
    os.replace(new, path)


def marker(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT v FROM marker").fetchone()[0])  # type: ignore[index]


def held_on_2(gate: threading.Event) -> Callable[[duckdb.DuckDBPyConnection], int]:
    """The marker, computed slowly (until ``gate`` opens) on the file holding marker 2."""
    def compute(con: duckdb.DuckDBPyConnection) -> int:
        if marker(con) == 2:
            gate.wait(10)
        return marker(con)
    return compute


def test_a_replaced_store_is_served_stale_while_the_new_one_is_prepared(store_copy: Store) -> None:
    path = store_copy.path
    replace_with_marker(path, 1)
    db = Database(path, stale_seconds=5.0)
    gate = threading.Event()
    slow_marker = held_on_2(gate)  # the new file's page is slow to compute
    db.warm = [(("slow",), slow_marker)]
    assert db.cached(("slow",), slow_marker) == 1
    replace_with_marker(path, 2)
    started = time.monotonic()
    assert db.cached(("slow",), slow_marker) == 1  # the old file answers, without waiting
    assert db.cached(("other",), marker) == 1  # a key never asked for: from the old file too
    assert time.monotonic() - started < 1.0
    gate.set()
    db.settle()
    assert db.cached(("slow",), slow_marker) == 2 and db.cached(("other",), marker) == 2
    db.close()


def test_the_stale_window_is_bounded(store_copy: Store) -> None:
    path = store_copy.path
    replace_with_marker(path, 1)
    db = Database(path, stale_seconds=0.3)
    gate = threading.Event()
    stuck = held_on_2(gate)
    db.warm = [(("stuck",), stuck)]
    assert db.cached(("m",), marker) == 1
    replace_with_marker(path, 2)
    assert db.cached(("m",), marker) == 1  # within the window
    time.sleep(0.4)
    assert db.cached(("m",), marker) == 2  # past it, the new file answers even though preparing is stuck
    gate.set()
    db.close()


def test_without_a_stale_window_the_next_request_reads_the_new_file(store_copy: Store) -> None:
    path = store_copy.path
    replace_with_marker(path, 1)
    db = Database(path)
    assert db.cached(("m",), marker) == 1
    replace_with_marker(path, 2)
    assert db.cached(("m",), marker) == 2
    db.close()


def test_a_computation_reads_its_dependencies_from_its_own_generation(store_copy: Store) -> None:
    path = store_copy.path
    replace_with_marker(path, 1)
    db = Database(path)

    def page(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
        own = marker(con)
        replace_with_marker(path, own + 1)  # the file changes mid-computation
        return own, db.cached(("shared",), marker)

    assert db.cached(("page",), page) == (1, 1)  # not (1, 2): one answer, one file
    assert db.cached(("shared",), marker) == 2
    db.close()


def test_refresh_reads_your_own_write_at_once(store_copy: Store) -> None:
    path = store_copy.path
    replace_with_marker(path, 1)
    db = Database(path, stale_seconds=30.0)
    assert db.cached(("m",), marker) == 1
    replace_with_marker(path, 2)
    db.refresh()
    assert db.cached(("m",), marker) == 2
    db.close()
