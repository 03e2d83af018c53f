"""Find a season from what a user typed: forgiving of case, accents, punctuation,
original-language names, renamed titles and typos."""

from __future__ import annotations

from typing import Any

import duckdb

from renewcast.errors import AmbiguousTitle, SeasonNotFound, TitleNotFound
from renewcast.store import rows_as_dicts
from renewcast.titles import normalize


def season_by_slug(con: duckdb.DuckDBPyConnection, slug: str) -> dict[str, Any] | None:
    rows = rows_as_dicts(con.execute("SELECT * FROM seasons WHERE slug = ?", [slug]))
    return rows[0] if rows else None


def seasons_of_show(con: duckdb.DuckDBPyConnection, show_title: str, kind: str) -> list[dict[str, Any]]:
    return rows_as_dicts(con.execute(
        "SELECT * FROM seasons WHERE show_title = ? AND kind = ? "
        "ORDER BY season_number NULLS LAST, first_week", [show_title, kind]))


def candidates(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[dict[str, Any]]:
    """Seasons matching ``query``: exact keys first, then prefixes, then words contained."""
    key = normalize(query)
    if not key:
        return []
    rows = rows_as_dicts(con.execute(
        """
        WITH hits AS (
            SELECT slug, min(CASE WHEN key = $key THEN 0
                                  WHEN starts_with(key, $key) THEN 1 ELSE 2 END) AS quality
            FROM title_keys
            WHERE key = $key OR starts_with(key, $key) OR contains(key, ' ' || $key)
            GROUP BY slug
        )
        SELECT s.*, h.quality, max(s.top10_hours) OVER (PARTITION BY h.quality, s.show_title, s.kind) AS show_reach
        FROM hits h JOIN seasons s USING (slug)
        -- Within a match quality, a show's seasons in their order (1, 2, 3), shows by their reach.
        ORDER BY h.quality, show_reach DESC, s.show_title, s.season_number NULLS LAST, s.first_week
        LIMIT $limit
        """,
        {"key": key, "limit": limit},
    ))
    return rows


def suggestions(con: duckdb.DuckDBPyConnection, query: str, limit: int = 5) -> list[str]:
    """Closest titles by edit similarity, for 'did you mean'."""
    from rapidfuzz import fuzz, process  # only on a miss

    key = normalize(query)
    rows = con.execute(
        "SELECT k.key, s.show_title, bool_or(s.season_number IS NOT NULL) AS series, sum(s.top10_hours) AS reach "
        "FROM title_keys k JOIN seasons s USING (slug) WHERE k.via IN ('show', 'alias', 'original') GROUP BY ALL"
    ).fetchall()
    choices = {k: (show, series, reach) for k, show, series, reach in rows}
    found = process.extract(key, list(choices), scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=70)
    # The closest names first; among near-equals (within 5 points), a series before a special
    # or a documentary about it, then the most watched.
    ranked = sorted(found, key=lambda m: (-(m[1] // 5), not choices[m[0]][1], -(choices[m[0]][2] or 0)))
    seen: list[str] = []
    for match, _score, _ in ranked:
        title = choices[match][0]
        if title not in seen:
            seen.append(title)
    return seen[:limit]


def split_season(query: str, season: int | None = None) -> tuple[str, int | None]:
    """'Wednesday#2' -> ('Wednesday', 2): one spelling for ``show`` and ``compare``; an explicit
    ``season`` wins over the suffix."""
    head, sep, tail = query.rpartition("#")
    if sep and head.strip() and tail.strip().isdigit():
        return head.strip(), season if season is not None else int(tail)
    return query, season


def resolve(con: duckdb.DuckDBPyConnection, query: str, season: int | None = None) -> dict[str, Any]:
    """The one season ``query`` names (latest season of a show unless ``season`` is given,
    or a '#N' suffix: 'Wednesday#2')."""
    query, season = split_season(query, season)
    by_slug = season_by_slug(con, query.strip())
    if by_slug is not None and season is None:
        return by_slug
    exact = rows_as_dicts(con.execute(
        "SELECT DISTINCT s.*, 0 AS quality FROM title_keys k JOIN seasons s USING (slug) WHERE k.key = ?",
        [normalize(query)]))
    if not exact:  # the broader (slower) search only when no key matches exactly
        found = candidates(con, query, limit=200)
        exact = [r for r in found if r["quality"] == 0] or found
    if not exact:
        raise TitleNotFound(query, suggestions(con, query))
    shows = list(dict.fromkeys((r["show_title"], r["kind"]) for r in exact))
    if len(shows) > 1:
        # A season label that matched exactly ('Squid Game: Season 2') settles it.
        if len({r["slug"] for r in exact}) == 1 and season is None:
            return exact[0]
        raise AmbiguousTitle(query, [f"{show} ({kind})" for show, kind in shows[:10]])
    show, kind = shows[0]
    seasons = seasons_of_show(con, show, kind)
    if season is not None:
        for row in seasons:
            if row["season_number"] == season:
                return row
        # A show whose only listing has no season label ('KAOS') charted as its first season.
        unlabelled = [r for r in seasons if r["season_number"] is None and not r["season_title"]]
        if season == 1 and len(unlabelled) == 1 and not any(r["season_number"] for r in seasons):
            return unlabelled[0]
        numbers = sorted({r["season_number"] for r in seasons if r["season_number"] is not None})
        raise SeasonNotFound(
            f"'{show}' has no season {season} in the Top 10; seasons that charted: "
            + (", ".join(map(str, numbers)) or "none numbered")
        )
    named = {r["slug"] for r in exact if normalize(r["season_title"] or "") == normalize(query)}
    if len(named) == 1:
        return next(r for r in exact if r["slug"] in named)
    return max(seasons, key=lambda r: (r["first_week"], r["season_number"] or 0))
