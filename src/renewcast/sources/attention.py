"""Public attention data: IMDb's ratings dataset and Wikipedia's daily page views.

Both are fetched with the same machinery as Netflix's files (a deadline over the whole
exchange, a size limit, retries, a conditional request where the server supports one) and
parsed strictly: a damaged download is a one-line InputError, never a partial read.

- IMDb's non-commercial datasets (https://developer.imdb.com/non-commercial-datasets/):
  ``title.ratings.tsv.gz``, refreshed daily, columns ``tconst``, ``averageRating``,
  ``numVotes``. For personal and non-commercial use only, under IMDb's terms.
- Wikimedia's pageviews REST API: daily views of an article, public and keyless, from 2015-07.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import zlib
from pathlib import Path
from urllib.parse import quote

from renewcast.errors import InputError

IMDB_RATINGS_URL = "https://datasets.imdbws.com/title.ratings.tsv.gz"
PAGEVIEWS_BASE_URL = "https://wikimedia.org/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/"
IMDB_HEADER = ["tconst", "averageRating", "numVotes"]
#: The daily page-view series start here (the API's first day).
PAGEVIEWS_FROM = dt.date(2015, 7, 1)
_TCONST = re.compile(r"tt\d{7,9}")


def parse_imdb_ratings(path: Path, wanted: set[str]) -> dict[str, tuple[float, int]]:
    """``{tconst: (rating, votes)}`` for the wanted titles, streamed from the gzipped TSV
    (the whole file is checked: a bad or cut-off line anywhere refuses it)."""
    name = str(path)
    found: dict[str, tuple[float, int]] = {}
    line = 0
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as f:
            header = f.readline().rstrip("\n").split("\t")
            line = 1
            if header != IMDB_HEADER:
                raise InputError(name, f"not IMDb's ratings file: the header is {header[:3]}", line=1,
                                 hint="expected " + "\t".join(IMDB_HEADER))
            for text in f:
                line += 1
                if not text.endswith("\n"):
                    raise InputError(name, "the last line is cut short", line=line, hint="download it again")
                cells = text.rstrip("\n").split("\t")
                if len(cells) != 3 or not _TCONST.fullmatch(cells[0]):
                    raise InputError(name, f"{len(cells)} fields or a bad title id", line=line, column="tconst")
                if cells[0] in wanted:
                    try:
                        rating, votes = float(cells[1]), int(cells[2])
                    except ValueError:
                        raise InputError(name, f"'{cells[1]}' / '{cells[2]}' are not a rating and a count",
                                         line=line, column="averageRating") from None
                    if not (0 <= rating <= 10 and votes >= 0):
                        raise InputError(name, f"rating {rating} or votes {votes} out of range", line=line,
                                         column="averageRating")
                    found[cells[0]] = (rating, votes)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as err:
        raise InputError(name, f"not a whole gzip file ({err.__class__.__name__}: {err})", line=line or None,
                         hint="download it again") from None
    return found


def pageviews_url(base: str, article: str, start: dt.date, end: dt.date) -> str:
    """The API address of an article's daily views from ``start`` to ``end``."""
    base = base if base.endswith("/") else base + "/"
    title = quote(article.replace(" ", "_"), safe="")
    return f"{base}{title}/daily/{start:%Y%m%d}00/{end:%Y%m%d}00"


def parse_pageviews(data: bytes, source: str) -> list[tuple[dt.date, int]]:
    """(day, views) from the API's JSON answer; InputError naming what is wrong otherwise."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise InputError(source, f"not JSON ({err})", hint="the page-view API answers JSON") from None
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise InputError(source, "no 'items' list in the answer", hint="the page-view API answers {'items': [...]}")
    out = []
    for n, item in enumerate(items, 1):
        try:
            stamp, views = str(item["timestamp"]), item["views"]
            day = dt.date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
        except (KeyError, TypeError, ValueError):
            raise InputError(source, f"item {n} has no valid timestamp and views", column="timestamp") from None
        if not isinstance(views, int) or isinstance(views, bool) or views < 0:
            raise InputError(source, f"item {n}: views {views!r} is not a count", column="views")
        out.append((day, views))
    return out
