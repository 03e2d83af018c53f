"""One read-only DuckDB connection per generation of the store file.

Writers replace the file with an atomic rename, so a new (inode, mtime, size)
means a new generation. DuckDB caches one database instance per path in a
process: a fresh ``connect`` while the old instance is open would see the old
file. So the swap waits for in-flight requests to finish, closes the old
connection and opens the new file. Each request uses its own cursor.

Results computed from one generation are memoised until the next swap: the file
is immutable in between, so the cache can never be stale. Concurrent requests for a
key not yet computed wait for one computation (single flight) instead of each
repeating it, and after a swap the ``warm`` keys (the front page, the board) are
computed in the background before anyone asks.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from renewcast import clock
from renewcast.errors import StoreError

T = TypeVar("T")

Generation = tuple[int, int, int, int]
MISSING = object()


class Database:
    def __init__(self, path: Path | str, cache_size: int = 4096) -> None:
        self.path = Path(path)
        self._cond = threading.Condition()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._generation: Generation | None = None
        self._users = 0
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._cache_size = cache_size
        self._inflight: dict[tuple[Any, ...], threading.Event] = {}
        #: (key, compute) pairs computed in a background thread after every swap.
        self.warm: list[tuple[tuple[Any, ...], Callable[[duckdb.DuckDBPyConnection], Any]]] = []

    def stat(self) -> Generation:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise StoreError(f"no database at {self.path}; run 'renewcast ingest' first") from None
        # Today is part of the generation: "N days ago" and the board change at midnight.
        return (st.st_ino, st.st_mtime_ns, st.st_size, clock.today().toordinal())

    def etag_seed(self) -> str:
        """A short token that changes whenever the store file is replaced."""
        return hashlib.sha1(repr(self.stat()).encode()).hexdigest()[:16]

    @contextlib.contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        current = self.stat()
        with self._cond:
            if current != self._generation:
                while self._users:  # let requests on the old file finish first
                    self._cond.wait()
                current = self.stat()
                if current != self._generation:
                    self._swap(current)
            assert self._con is not None
            self._users += 1
            cursor = self._con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with self._cond:
                self._users -= 1
                self._cond.notify_all()

    def _swap(self, generation: Generation) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        try:
            self._con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as err:
            raise StoreError(f"cannot open {self.path}: {err}") from None
        self._generation = generation
        self._cache.clear()
        if self.warm:
            threading.Thread(target=self._warm, args=(generation,), daemon=True, name="renewcast-warm").start()

    def _warm(self, generation: Generation) -> None:
        for key, compute in list(self.warm):
            if self._generation != generation:
                return  # swapped again meanwhile: that swap warms its own
            with contextlib.suppress(Exception):  # a failing page fails for its request, with its message
                self.cached(key, compute)

    def peek(self, key: tuple[Any, ...]) -> Any:
        """The cached value for ``key`` in the current generation, or MISSING (never blocks on I/O)."""
        current = self.stat()
        with self._cond:
            if current == self._generation:
                hit = self._cache.get((current, *key), MISSING)
                if hit is not MISSING:
                    self._cache.move_to_end((current, *key))
                return hit
        return MISSING

    def cached(self, key: tuple[Any, ...], compute: Callable[[duckdb.DuckDBPyConnection], T],
               wait_s: float = 60.0) -> T:
        """``compute(con)`` once per store generation and key; concurrent callers of a key
        being computed wait for that one result (or, if it fails, try it themselves)."""
        while True:
            hit = self.peek(key)  # a hit needs no connection at all
            if hit is not MISSING:
                return hit  # type: ignore[no-any-return]
            with self.reading() as con:
                with self._cond:
                    full = (self._generation, *key)
                    if full in self._cache:
                        self._cache.move_to_end(full)
                        return self._cache[full]  # type: ignore[no-any-return]
                    flight = self._inflight.get(full)
                    leader = flight is None
                    if leader:
                        flight = self._inflight[full] = threading.Event()
                if leader:
                    try:
                        value = compute(con)
                        with self._cond:
                            if self._generation == full[0]:
                                self._cache[full] = value
                                while len(self._cache) > self._cache_size:
                                    self._cache.popitem(last=False)
                        return value
                    finally:
                        with self._cond:
                            self._inflight.pop(full, None)
                        assert flight is not None
                        flight.set()
            # A follower waits outside the read, so a swap is never held up by waiting.
            assert flight is not None
            flight.wait(wait_s)

    def close(self) -> None:
        with self._cond:
            while self._users:
                self._cond.wait()
            if self._con is not None:
                self._con.close()
            self._con, self._generation = None, None
            self._cache.clear()
