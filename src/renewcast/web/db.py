"""Read-only DuckDB connections, one per generation of the store file, and the answers
computed from each.

Writers replace the file with an atomic rename, so a new (inode, mtime, size) means a
new generation. Each generation gets its own DuckDB instance (an in-memory database
that ATTACHes the file read-only): DuckDB caches one instance per path, so a plain
``connect`` to the path would keep seeing the old file while the old instance is open.
With one instance per generation a swap never waits for requests still reading the old
file; the old instance closes when its last reader leaves.

Results computed from one generation are memoised until the next: the file is immutable
in between, so the cache can never be stale. Concurrent requests for a key not yet
computed wait for one computation (single flight) instead of each repeating it. A
computation may ask for other cached values (a season page needs the shared facts);
those come from the same generation, so one page never mixes two files.

After a swap the new generation is *prepared* in the background: the ``warm`` keys (the
front page, the board, the facts every page shares) and the most recently used keys of
the old generation are computed on the new file before it goes live. Meanwhile, for at
most ``stale_seconds``, requests are answered from the old generation, consistently and
without waiting (stale while revalidate); ``stale_seconds=0`` swaps at the first
request instead, which then computes what it needs.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import threading
import time
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
Compute = Callable[[duckdb.DuckDBPyConnection], Any]

#: While a new generation is prepared, re-render at most this many of the old one's recent keys.
HOT_KEYS = 256


class _Gen:
    """One generation of the file: its DuckDB instance, its readers, its answers."""

    def __init__(self, path: Path, key: Generation, cache_size: int) -> None:
        self.key = key
        try:
            # One thread: the web's queries are small, and DuckDB's worker threads would
            # compete with the event loop for the two cores while a new file is prepared.
            self.con = duckdb.connect(":memory:", config={"threads": 1})
            # A file name with a quote cannot break out of the literal.
            self.con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS store (READ_ONLY)")
            self.con.execute("USE store")
        except duckdb.Error as err:
            raise StoreError(f"cannot open {path}: {err}") from None
        self.users = 0
        self.retired = False
        self.cache: OrderedDict[tuple[Any, ...], tuple[Any, Compute]] = OrderedDict()
        self.cache_size = cache_size
        self.bytes = 0  # what the cached page and JSON bodies hold
        self.inflight: dict[tuple[Any, ...], threading.Event] = {}

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = self.con.cursor()
        cursor.execute("USE store")  # a cursor starts in the in-memory database
        return cursor


#: The cached bodies of one generation may hold this much (pages, JSON answers; the shared
#: read-model objects are a fixed few and are not counted).
MAX_CACHE_BYTES = 64 * 1024 * 1024


def _size(value: Any) -> int:
    """A cached value's weight: its length for a body (or a (kind, body) pair), else 0."""
    if isinstance(value, bytes | str):
        return len(value)
    if isinstance(value, tuple) and value and isinstance(value[-1], bytes | str):
        return len(value[-1])
    return 0


class Database:
    def __init__(self, path: Path | str, cache_size: int = 4096, stale_seconds: float = 0.0) -> None:
        self.path = Path(path)
        self.stale_seconds = stale_seconds
        self._cond = threading.Condition()
        self._live: _Gen | None = None
        self._cache_size = cache_size
        self._preparing_since: float | None = None  # when the preparation under way started
        self._local = threading.local()  # the generation and cursor of a computation under way
        #: (key, compute) pairs computed for every new generation before it goes live.
        self.warm: list[tuple[tuple[Any, ...], Compute]] = []

    def stat(self) -> Generation:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise StoreError(f"no database at {self.path}; run 'renewcast ingest' first") from None
        # Today is part of the generation: "N days ago" and the board change at midnight.
        return (st.st_ino, st.st_mtime_ns, st.st_size, clock.today().toordinal())

    def etag_seed(self) -> str:
        """A short token for what answers now: the file on disk and the generation in memory.
        The file is looked at every time, so a replaced store never revalidates as unchanged,
        even on a quiet server whose live generation is still the old file's."""
        on_disk = self.stat()
        with self._cond:
            key = self._live.key if self._live is not None else None
        seed = on_disk if key in (None, on_disk) else (on_disk, key)  # both while the old file still answers
        return hashlib.sha1(repr(seed).encode()).hexdigest()[:16]

    def _serving(self) -> _Gen:
        """The generation to answer from now (call holding the lock): the live one while it
        is current or while a newer one is being prepared (for at most ``stale_seconds``);
        otherwise the newest file, opened now."""
        current = self.stat()
        live = self._live
        if live is not None and live.key == current:
            return live
        if live is not None and self.stale_seconds > 0:
            if self._preparing_since is None:
                self._preparing_since = time.monotonic()
                threading.Thread(target=self._prepare, args=(current,), daemon=True,
                                 name="renewcast-prepare").start()
                return live
            if self._old_may_answer():
                return live
        self._install(_Gen(self.path, current, self._cache_size))
        assert self._live is not None
        return self._live

    def _old_may_answer(self) -> bool:
        """A newer file is being prepared and the stale window is still open (hold the lock)."""
        return (self._preparing_since is not None
                and time.monotonic() - self._preparing_since < self.stale_seconds)

    def _install(self, gen: _Gen) -> None:
        old, self._live = self._live, gen
        if old is not None:
            old.retired = True
            if old.users == 0:
                old.con.close()

    def _prepare(self, key: Generation) -> None:
        """Open ``key``'s file, compute the warm keys and the old generation's recent ones,
        then make it live."""
        try:
            gen = _Gen(self.path, key, self._cache_size)
        except StoreError:
            with self._cond:
                self._preparing_since = None  # the next request opens it itself, and reports the error
            return
        with self._cond:
            old = self._live
            hot = list(reversed(old.cache.items()))[:HOT_KEYS] if old is not None else []
            started = self._preparing_since or time.monotonic()
        budget = started + max(self.stale_seconds - 0.25, 0.0)
        todo = [*self.warm, *((k, compute) for k, (_value, compute) in hot)]
        # The cyclic collector pauses while the answers are built (they are long-lived and
        # acyclic; each full collection would scan them all, and stall every request
        # meanwhile), and the survivors are frozen out of later scans: the cache of a
        # generation never changes. Measured in bench/bench_web.py (p99 during ingests).
        gc.disable()
        with self._cond:
            gen.users += 1
        try:
            with self._held(gen) as cursor:
                for k, compute in todo:
                    if time.monotonic() > budget and (k, compute) not in self.warm:
                        break
                    with contextlib.suppress(Exception):  # a failing page fails for its request, with its message
                        self._compute(gen, cursor, k, compute)
        finally:
            gc.enable()
            gc.freeze()
        with self._cond:
            live = self._live
            if live is not None and live is not old:
                gen.retired = True  # the window ran out and a request opened the file itself
            else:
                self._install(gen)
            self._preparing_since = None
            if gen.retired and gen.users == 0:
                gen.con.close()

    def _enter(self) -> _Gen:
        """The generation answering now, with this reader counted (so it stays open)."""
        with self._cond:
            gen = self._serving()
            gen.users += 1
            return gen

    @contextlib.contextmanager
    def _held(self, gen: _Gen) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on ``gen``, whose reader the caller counted under the lock."""
        cursor = None
        try:
            cursor = gen.cursor()
            yield cursor
        finally:
            if cursor is not None:
                cursor.close()
            with self._cond:
                gen.users -= 1
                if gen.retired and gen.users == 0:
                    gen.con.close()
                self._cond.notify_all()

    @contextlib.contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the generation answering now."""
        nested = getattr(self._local, "cursor", None)
        if nested is not None:  # inside a computation: the same generation
            yield nested
            return
        with self._held(self._enter()) as cursor:
            yield cursor

    def peek(self, key: tuple[Any, ...]) -> Any:
        """The cached value for ``key`` in the generation answering now, or MISSING (never
        blocks on I/O: a file not yet opened is a miss)."""
        current = self.stat()
        with self._cond:
            live = self._live
            if live is None:
                return MISSING
            if live.key != current and not self._old_may_answer():
                return MISSING
            hit = live.cache.get(key)
            if hit is None:
                return MISSING
            live.cache.move_to_end(key)
            return hit[0]

    def cached(self, key: tuple[Any, ...], compute: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """``compute(con)`` once per store generation and key; concurrent callers of a key
        being computed wait for that one result (or, if it fails, try it themselves).
        Called from inside a computation, it answers from that computation's generation."""
        gen = getattr(self._local, "gen", None)
        if gen is not None:
            return self._compute(gen, self._local.cursor, key, compute)  # type: ignore[no-any-return]
        hit = self.peek(key)  # a hit needs no connection at all
        if hit is not MISSING:
            return hit  # type: ignore[no-any-return]
        gen = self._enter()
        with self._held(gen) as cursor:
            return self._compute(gen, cursor, key, compute)  # type: ignore[no-any-return]

    def _compute(self, gen: _Gen, cursor: duckdb.DuckDBPyConnection, key: tuple[Any, ...], compute: Compute) -> Any:
        while True:
            with self._cond:
                hit = gen.cache.get(key)
                if hit is not None:
                    gen.cache.move_to_end(key)
                    return hit[0]
                flight = gen.inflight.get(key)
                leader = flight is None
                if leader:
                    flight = gen.inflight[key] = threading.Event()
            assert flight is not None
            if not leader:
                flight.wait(60.0)
                continue
            outer = getattr(self._local, "gen", None), getattr(self._local, "cursor", None)
            self._local.gen, self._local.cursor = gen, cursor
            try:
                value = compute(cursor)
                with self._cond:
                    old = gen.cache.pop(key, None)
                    if old is not None:
                        gen.bytes -= _size(old[0])
                    gen.cache[key] = (value, compute)
                    gen.bytes += _size(value)
                    # Bounded in count and in bytes (answers a client's query string can make up
                    # are bodies): the least recently used go first.
                    while len(gen.cache) > gen.cache_size or (gen.bytes > MAX_CACHE_BYTES and len(gen.cache) > 1):
                        _key, (dropped, _compute) = gen.cache.popitem(last=False)
                        gen.bytes -= _size(dropped)
                return value
            finally:
                self._local.gen, self._local.cursor = outer
                with self._cond:
                    gen.inflight.pop(key, None)
                flight.set()

    def refresh(self) -> None:
        """Answer from the newest file from now on (after this process wrote it: read your writes)."""
        with self._cond:
            current = self.stat()
            if self._live is None or self._live.key != current:
                self._install(_Gen(self.path, current, self._cache_size))

    def settle(self, timeout_s: float = 60.0) -> None:
        """Wait for a preparation under way to go live (tests, and a server shutting down)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._preparing_since is not None and time.monotonic() < deadline:
                self._cond.wait(0.05)

    def close(self) -> None:
        self.settle()
        with self._cond:
            while self._live is not None and self._live.users:
                self._cond.wait()
            if self._live is not None:
                self._live.con.close()
            self._live = None
