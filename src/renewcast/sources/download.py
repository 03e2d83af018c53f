"""Fetch Netflix's published Top 10 files over HTTP and ingest them, all or nothing.

``refresh`` downloads each file into a temporary folder, checks it arrived whole and
holds the table it should, and only then hands every changed file to
``Store.ingest`` in one go (itself all-or-nothing). Conditional requests (ETag,
Last-Modified) stop an unchanged file from being downloaded or ingested again.

The validators live in ``<db>.http-cache.json`` next to the database. They are
written only after a successful ingest, and sent only for a file whose content the
store's ``ingests`` table records, so a rebuilt or replaced database never gets a
"304 Not Modified" for data it does not hold.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal, Protocol

import duckdb
import httpx
import tenacity

from renewcast.config import NETFLIX_ENGAGEMENT_BASE_URL, NETFLIX_TOP10_BASE_URL
from renewcast.errors import DownloadError, InputError, RenewcastError
from renewcast.sources import parse_file
from renewcast.sources.top10 import FILENAMES


class Store(Protocol):
    """What refresh needs of a store (``renewcast.store.Store`` is one): sources sit below it."""

    path: Path

    def exists(self) -> bool: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    def download_folder(self) -> contextlib.AbstractContextManager[Path]: ...


class Ingested(Protocol):
    files: list[tuple[str, str, int]]
    renamed: int

__all__ = [
    "ENGAGEMENT_REPORTS",
    "FILES",
    "FORMATS",
    "FileResult",
    "Progress",
    "RefreshReport",
    "cache_path",
    "engagement_urls",
    "file_urls",
    "load_validators",
    "refresh",
    "refresh_engagement",
]

#: Netflix's engagement reports: each publication's path under NETFLIX_ENGAGEMENT_BASE_URL and
#: the SHA-256 of the file as published (a different file there means Netflix revised it). The
#: addresses and digests are those a public analysis recorded (its download script, found with
#: the search tool); the five bundled reports have exactly these digests. Add a new report here,
#: or fetch it once with ``refresh --engagement-url URL``.
ENGAGEMENT_REPORTS: dict[str, tuple[str, str]] = {
    "2023-H1": ("1HyknFM84ISQpeua6TjM7A/97a0a393098937a8f29c9d29c48dbfa8/"
                "What_We_Watched_A_Netflix_Engagement_Report_2023Jan-Jun.xlsx",
                "c6fd33eb4c243e6e18d81a248ad71a28e8ccc3d0dd2b1fbc9f8538c649d28637"),
    "2023-H2": ("inuAnzotdsAEgbInGLzH5/1be323ba419b2af3a96bffa29acc31a3/"
                "What_We_Watched_A_Netflix_Engagement_Report_2023Jul-Dec.xlsx",
                "ea536b6e1f3771ba662e57a72ab847efd0200b3e4adb93a2f7d3e2b133f5b655"),
    "2024-H1": ("2PoZlfdc46dH2gQvI8eUzI/9db5840720c47acfcf7b89ffe2402860/"
                "What_We_Watched_A_Netflix_Engagement_Report_2024Jan-Jun.xlsx",
                "2803512229889f91b51c214b9494b7a55799767d63e3f5cf2c142b1917a18d62"),
    "2024-H2": ("6XSmoEjBjVMPRtYybT9d1E/8c0b0b2645b8712d5597b0bdbe0d64e2/"
                "What_We_Watched_A_Netflix_Engagement_Report_2024Jul-Dec.xlsx",
                "3030e3630fb0ff90d8d84b9cda3c22c83f4e9e356d4f1742bda729bfa2fc738c"),
    "2025-H1": ("mplcXj5ulHDfbCPCr0f0I/5dbb6ec09f03df89706476e380e9b8bd/"
                "What_We_Watched_A_Netflix_Engagement_Report_2025Jan-Jun.xlsx",
                "7208fc0207818f961652748d19500221b1d3edce8999b83e0f954f27fb31e8dd"),
    "2025-H2": ("2vdDPGLKA0XX2cjF2APJFn/7f1c367b39ed73a6a588751d3c5d0252/"
                "What_We_Watched_A_Netflix_Engagement_Report_2025Jul-Dec__6_.xlsx",
                "a06b0f510264336ad31f29a0ed4aaa51247374dcaa8aee780bbecf50227635cb"),
    "2026-H1": ("40WGcHJa9vRua31kU6Gbz5/43b15c7fbd6924392fc80e885839e39f/"
                "Netflix-s_What_We_Watched_Report_2026Jan-Jun__1_.xlsx",
                "bcfda87e87d09d923472a1e1b30d5c7c799457aacba41310a9d223e834fe2f5f"),
}

FORMATS = ("tsv", "xlsx")

#: Netflix's file names (without extension), in download order, and the table each holds.
FILES: dict[str, str] = {name: kind for kind, name in FILENAMES.items()}

#: ``progress(label, total_bytes_or_None)`` returns a context manager yielding ``advance(n)``.
Progress = Callable[[str, int | None], AbstractContextManager[Callable[[int], None]]]

# Worth another try: the server is overloaded or failing, not refusing us for good.
_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_AGAIN = "run 'renewcast refresh' again; the store is unchanged"
_CHECK_URL = "check --base-url (env RENEWCAST_BASE_URL) points at Netflix's Top 10 data folder"


@dataclass
class FileResult:
    """One published file: downloaded (and ingested) or unchanged since last time."""

    name: str
    url: str
    kind: str
    status: Literal["downloaded", "unchanged"]
    bytes: int = 0
    rows: int = 0


@dataclass
class RefreshReport:
    base_url: str
    format: str
    files: list[FileResult] = field(default_factory=list)
    renamed: int = 0  # titles Netflix renamed, kept as aliases by the ingest

    @property
    def changed(self) -> bool:
        return any(f.status == "downloaded" for f in self.files)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "format": self.format,
            "changed": self.changed,
            "rows": self.rows,
            "renamed": self.renamed,
            "files": [asdict(f) for f in self.files],
        }


@dataclass
class _Fetched:
    path: Path
    bytes: int
    sha256: str
    etag: str | None
    last_modified: str | None


class _Retryable(Exception):
    """A failure that may pass: connection trouble, a timeout, a 5xx, a cut-off body."""

    def __init__(self, problem: str, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.retry_after = retry_after  # seconds the server asked us to wait, if it did


#: The longest Retry-After we honour; a server asking for more is waited on for this long.
MAX_RETRY_AFTER = 60.0


def file_urls(base_url: str, fmt: str) -> dict[str, str]:
    """``{file name: URL}`` for the three published files."""
    # Plain concatenation: urljoin would drop the last path segment of a base without "/".
    base = base_url if base_url.endswith("/") else base_url + "/"
    return {f"{name}.{fmt}": f"{base}{name}.{fmt}" for name in FILES}


def engagement_urls(base_url: str = NETFLIX_ENGAGEMENT_BASE_URL,
                    reports: dict[str, tuple[str, str]] | None = None) -> dict[str, tuple[str, str | None]]:
    """``{file name: (URL, expected SHA-256)}`` for the known engagement reports."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    return {path.rsplit("/", 1)[-1]: (base + path, digest)
            for path, digest in (reports if reports is not None else ENGAGEMENT_REPORTS).values()}


def refresh_engagement(
    store: Store,
    base_url: str = NETFLIX_ENGAGEMENT_BASE_URL,
    extra_urls: Sequence[str] = (),
    *,
    reports: dict[str, tuple[str, str]] | None = None,
    timeout: float = 30.0,
    retries: int = 3,
    deadline: float = 600.0,
    max_bytes: int = 200_000_000,
    backoff: float = 0.5,
    progress: Progress | None = None,
    ingest: Callable[[list[Path]], Ingested] | None = None,
) -> RefreshReport:
    """Download the engagement reports the store does not hold yet and ingest them together.

    A known report must have its recorded digest (else Netflix revised it: DownloadError, so a
    person looks before the figures change); ``extra_urls`` (a new report's address) are taken
    on their content. Every file must parse as an engagement report. All or nothing: any
    failure leaves the store exactly as it was.
    """
    _check_base_url(base_url)
    held = _ingested_digests(store)
    report = RefreshReport(base_url, "xlsx")
    wanted = {name: pair for name, pair in engagement_urls(base_url, reports).items() if pair[1] not in held}
    for url in extra_urls:
        _check_base_url(url)
        wanted[httpx.URL(url).path.rsplit("/", 1)[-1] or "report.xlsx"] = (url, None)
    skipped = [name for name, (_url, digest) in engagement_urls(base_url, reports).items() if digest in held]
    for name in skipped:
        url = engagement_urls(base_url, reports)[name][0]
        report.files.append(FileResult(name, url, "engagement", "unchanged"))
    if not wanted:
        return report
    downloaded: list[Path] = []
    store.path.parent.mkdir(parents=True, exist_ok=True)
    with (
        store.download_folder() as tmp,
        _client(timeout) as client,
    ):
        for name, (url, digest) in wanted.items():
            got = _fetch(client, url, Path(tmp) / name, {}, timeout=timeout, retries=retries, backoff=backoff,
                         progress=progress, deadline=deadline, max_bytes=max_bytes)
            if got is None:  # no validators were sent: a 304 here is a confused server
                raise DownloadError(f"{url} answered 304 Not Modified to a plain request; {_AGAIN}")
            if digest is not None and got.sha256 != digest:
                raise DownloadError(f"{url} is not the report as published (SHA-256 {got.sha256[:12]}..., "
                                    f"expected {digest[:12]}...): Netflix may have revised it; fetch it with "
                                    f"--engagement-url to take it as it is; the store is unchanged")
            if got.sha256 in held:
                report.files.append(FileResult(name, url, "engagement", "unchanged"))
                continue
            _verify(url, got.path, "engagement")
            report.files.append(FileResult(name, url, "engagement", "downloaded", got.bytes))
            downloaded.append(got.path)
        if not downloaded:
            return report
        ingested = (ingest or (lambda paths: store.ingest(paths, source="refresh")))(downloaded)  # type: ignore[attr-defined]
    rows = sum(count for _path, kind, count in ingested.files if kind == "engagement")
    for result in report.files:
        if result.status == "downloaded":
            result.rows = rows // max(1, len(downloaded))
    report.renamed = ingested.renamed
    return report


Fetched = _Fetched


def fetch(store: Store, url: str, target: Path, *, conditional: bool = False, timeout: float = 30.0,
          retries: int = 3, deadline: float = 600.0, max_bytes: int = 1_000_000_000, backoff: float = 0.5,
          progress: Progress | None = None) -> _Fetched | None:
    """One file saved to ``target`` with the refresh's guarantees (a deadline over connect,
    headers and body, a size limit, retries); ``conditional``: send the validators of the
    last fetch the store remembers, and return None when the server says it is unchanged.
    Call ``remember`` once what was fetched is stored."""
    _check_base_url(url)
    validators = load_validators(store).get(url, {}) if conditional else {}
    with _client(timeout) as client:
        return _fetch(client, url, target, validators, timeout=timeout, retries=retries, backoff=backoff,
                      progress=progress, deadline=deadline, max_bytes=max_bytes)


def remember(store: Store, url: str, got: _Fetched) -> None:
    """Keep a fetched file's validators for the next conditional request."""
    _save_validators(store, {**load_validators(store), url: {
        "etag": got.etag, "last_modified": got.last_modified, "sha256": got.sha256, "bytes": got.bytes,
        "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}})


def cache_path(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".http-cache.json")


def load_validators(store: Store) -> dict[str, dict[str, Any]]:
    """``{url: {etag, last_modified, sha256, bytes, fetched_at}}`` from the last refreshes."""
    try:
        data = json.loads(cache_path(store).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: the only cost is a full download
    urls = data.get("urls") if isinstance(data, dict) else None
    return {k: v for k, v in urls.items() if isinstance(v, dict)} if isinstance(urls, dict) else {}


def refresh(
    store: Store,
    base_url: str = NETFLIX_TOP10_BASE_URL,
    fmt: str = "tsv",
    *,
    timeout: float = 30.0,
    retries: int = 3,
    deadline: float = 600.0,
    max_bytes: int = 1_000_000_000,
    backoff: float = 0.5,
    progress: Progress | None = None,
    ingest: Callable[[list[Path]], Ingested] | None = None,
) -> RefreshReport:
    """Download the three Top 10 files from ``base_url`` and ingest those that changed.

    ``timeout`` is seconds per connect/read, ``deadline`` seconds per file in all (a server
    trickling bytes cannot hold a refresh forever), ``max_bytes`` the largest file accepted.
    Retry ``n`` waits about ``backoff * 2**n`` seconds, with jitter, or what ``Retry-After`` asks.
    Raises DownloadError, leaving the store and the cached validators exactly as they
    were, if any file fails.
    ``ingest(paths)`` loads the downloaded files all or nothing (``renewcast.build``
    passes one that also re-points the ledger); without it, ``store.ingest``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    retries = max(0, retries)
    _check_base_url(base_url)

    cached = load_validators(store)
    held = _ingested_digests(store)
    report = RefreshReport(base_url, fmt)
    fresh: dict[str, dict[str, Any]] = {}
    downloaded: list[Path] = []
    store.path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary folder sits next to the DB: the countries file is large and /tmp may be small.
    with (
        store.download_folder() as tmp,
        _client(timeout) as client,
    ):
        for name, url in file_urls(base_url, fmt).items():
            kind = FILES[name.rsplit(".", 1)[0]]
            entry = cached.get(url, {})
            validators = entry if entry.get("sha256") in held else {}
            got = _fetch(client, url, Path(tmp) / name, validators, timeout=timeout, retries=retries,
                         backoff=backoff, progress=progress, deadline=deadline, max_bytes=max_bytes)
            if got is None:
                report.files.append(FileResult(name, url, kind, "unchanged"))
                continue
            _verify(url, got.path, kind)
            report.files.append(FileResult(name, url, kind, "downloaded", got.bytes))
            downloaded.append(got.path)
            fresh[url] = {
                "etag": got.etag,
                "last_modified": got.last_modified,
                "sha256": got.sha256,
                "bytes": got.bytes,
                "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
        if not downloaded:
            return report
        ingested = (ingest or (lambda paths: store.ingest(paths, source="refresh")))(downloaded)  # type: ignore[attr-defined]
    rows: dict[str, int] = {}
    for _path, kind, count in ingested.files:
        rows[kind] = rows.get(kind, 0) + count
    for result in report.files:
        if result.status == "downloaded":
            result.rows = rows.get(result.kind, 0)
    report.renamed = ingested.renamed
    # Only now: had the ingest failed, the old validators make the next refresh retry.
    _save_validators(store, {**cached, **fresh})
    return report


def _check_base_url(base_url: str) -> None:
    try:
        scheme = httpx.URL(base_url).scheme
    except httpx.InvalidURL as err:
        raise DownloadError(f"--base-url {base_url!r} is not a valid URL ({err})") from None
    if scheme not in ("http", "https"):
        raise DownloadError(f"--base-url {base_url!r} must start with http:// or https://")


def _client(timeout: float) -> httpx.Client:
    try:
        agent = f"renewcast/{version('renewcast')}"
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        agent = "renewcast"
    return httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True,
                        headers={"User-Agent": agent})


def _ingested_digests(store: Store) -> set[str]:
    """Content hashes of every file the store has ingested."""
    if not store.exists():
        return set()
    try:
        return {row["sha256"] for row in store.query("SELECT DISTINCT sha256 FROM ingests")}
    except (RenewcastError, duckdb.Error):
        return set()  # an older or unreadable store: download everything


def _fetch(
    client: httpx.Client,
    url: str,
    target: Path,
    validators: dict[str, Any],
    *,
    timeout: float,
    retries: int,
    backoff: float,
    progress: Progress | None,
    deadline: float = 600.0,
    max_bytes: int = 1_000_000_000,
) -> _Fetched | None:
    """The file at ``url`` saved to ``target``, or None when the server says it is unchanged."""
    headers = {}
    if validators.get("etag"):
        headers["If-None-Match"] = str(validators["etag"])
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = str(validators["last_modified"])
    jitter = tenacity.wait_exponential_jitter(multiplier=backoff, exp_base=2, jitter=backoff, max=30)

    def wait(state: tenacity.RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        asked = getattr(failure, "retry_after", None)
        return min(asked, MAX_RETRY_AFTER) if asked is not None else float(jitter(state))

    retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(retries + 1), wait=wait,
                                 retry=tenacity.retry_if_exception_type(_Retryable), reraise=True,
                                 sleep=time.sleep)
    ends = time.monotonic() + deadline
    try:
        # The whole exchange runs under the deadline: a server that trickles its status line or
        # headers (each byte restarts httpx's read timeout) cannot hold the command past it.
        return within(deadline + 1.0, f"could not download {url}: no complete answer within the "
                      f"{deadline:g} s deadline; {_AGAIN}",
                      retrying, _attempt, client, url, target, headers, timeout, progress, ends, max_bytes)
    except _Retryable as err:
        tries = f"{retries + 1} attempts" if retries else "1 attempt"
        raise DownloadError(f"could not download {url}: {err} ({tries}); "
                            f"check the connection and {_AGAIN}") from None


def _attempt(
    client: httpx.Client,
    url: str,
    target: Path,
    headers: dict[str, str],
    timeout: float,
    progress: Progress | None,
    ends: float = float("inf"),
    max_bytes: int = 1_000_000_000,
) -> _Fetched | None:
    if time.monotonic() > ends:
        raise DownloadError(f"could not download {url}: no complete file within the deadline; {_AGAIN}")
    try:
        with client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status == 304:
                if not headers:  # we asked for nothing conditional: a broken server or proxy
                    raise DownloadError(f"{url} answered 304 Not Modified to a plain request; {_AGAIN}")
                return None
            if status in _RETRY_STATUS or status >= 500:
                raise _Retryable(f"HTTP {status} {response.reason_phrase}".strip(),
                                 _retry_after(response.headers.get("Retry-After")))
            if status != 200:
                raise DownloadError(f"{url} answered HTTP {status} {response.reason_phrase}; "
                                    f"{_CHECK_URL}; the store is unchanged")
            expected = _content_length(response)
            if expected is not None and expected > max_bytes:
                raise DownloadError(f"{url} is {expected:,} bytes, over the limit of {max_bytes:,}: not a Netflix "
                                    "file (RENEWCAST_MAX_BYTES raises the limit); the store is unchanged")
            digest = hashlib.sha256()
            size = 0
            bar = progress(target.name, expected) if progress else contextlib.nullcontext(_ignore)
            with open(target, "wb") as out, bar as advance:
                for chunk in response.iter_bytes():  # as it arrives, so the deadline is checked
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    advance(len(chunk))
                    if size > max_bytes:
                        raise DownloadError(f"{url} sent over {max_bytes:,} bytes: not a Netflix file "
                                            "(RENEWCAST_MAX_BYTES raises the limit); the store is unchanged")
                    if time.monotonic() > ends:
                        raise DownloadError(f"could not download {url}: {size:,} bytes in the deadline, the "
                                            f"server is too slow; {_AGAIN}")
            # Raw (possibly compressed) bytes are what Content-Length counts.
            if expected is not None and response.num_bytes_downloaded != expected:
                raise _Retryable(f"the file was cut short: {response.num_bytes_downloaded:,} of "
                                 f"{expected:,} bytes received")
            return _Fetched(target, size, digest.hexdigest(), response.headers.get("ETag"),
                            response.headers.get("Last-Modified"))
    except httpx.TimeoutException:
        raise _Retryable(f"no answer within {timeout:g} s") from None
    except httpx.RemoteProtocolError as err:
        # h11 raises this when the server closes before Content-Length bytes arrived.
        raise _Retryable(f"the connection was cut before the file was complete ({_line(err)})") from None
    except httpx.TransportError as err:
        raise _Retryable(f"connection failed ({_line(err) or type(err).__name__})") from None
    except httpx.HTTPError as err:  # too many redirects, undecodable compression, ...
        reason = _line(err) or type(err).__name__
        raise DownloadError(f"could not download {url}: {reason}; {_AGAIN}") from None


def within(seconds: float, problem: str, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` if it returns within ``seconds`` (its exception if it raises); otherwise
    DownloadError(problem). The work runs on a daemon thread left to die with the process:
    a socket blocked in a read cannot be interrupted from outside, only abandoned."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn(*args)
        except BaseException as err:  # handed to the caller's thread
            box["error"] = err

    worker = threading.Thread(target=run, daemon=True, name="renewcast-download")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise DownloadError(problem)
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _ignore(_n: int) -> None:
    return None


def _line(err: BaseException) -> str:
    return " ".join(str(err).split())


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _verify(url: str, path: Path, kind: str) -> None:
    """The body is a Netflix file of the expected kind, or DownloadError saying what came instead."""
    try:
        tables = parse_file(path)
    except InputError as err:
        where = f" (line {err.line})" if err.line is not None else ""
        raise DownloadError(f"{url} did not return a valid Netflix file: {err.problem}{where}; "
                            f"{_CHECK_URL}, then {_AGAIN}") from None
    found = sorted({t.kind for t in tables})
    if found != [kind]:
        raise DownloadError(f"{url} holds {', '.join(found)} data, expected {kind}; {_CHECK_URL}; "
                            "the store is unchanged")


@contextlib.contextmanager
def _atomic_write(path: Path) -> Iterator[Any]:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.replace(tmp, path)  # readers see the old cache or the new one, never half
    finally:
        Path(tmp).unlink(missing_ok=True)


def _save_validators(store: Store, urls: dict[str, dict[str, Any]]) -> None:
    with _atomic_write(cache_path(store)) as handle:
        json.dump({"version": 1, "urls": urls}, handle, indent=2, sort_keys=True)
