"""Title text: normalising for search, slugs for URLs, season numbers from labels.

Pure functions; the store builds its search index with them and the resolver in
``renewcast.lookup`` matches queries against that index.
"""

from __future__ import annotations

import re
import unicodedata

_SEASON = re.compile(
    r"(?:Season|Part|Volume|Vol\.|Book|Chapter|Series|Temporada|Staffel|Saison)\s+(\d+)",
    re.IGNORECASE,
)
_TRAILING_NUMBER = re.compile(r"\s(\d{1,2})$")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalize(text: str) -> str:
    """Casefold, strip accents and punctuation: 'Pokémon: Horizons!' -> 'pokemon horizons'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lowered = stripped.casefold().replace("&", " and ")
    return " ".join(_NOT_WORD.sub(" ", lowered).split()).replace("_", " ")


def slugify(text: str) -> str:
    """URL-safe, readable where the script allows: 'The Imperfects: Season 1' -> 'the-imperfects-season-1'."""
    return "-".join(normalize(text).split()) or "title"


def season_number(show_title: str, season_title: str | None) -> int | None:
    """The season a label names: 'X: Season 3' -> 3, 'X: Part 2' -> 2, limited series -> 1.

    None for films (no season label) and labels with no number (arcs, specials).
    """
    if season_title is None:
        return None
    label = season_title[len(show_title) :] if season_title.startswith(show_title) else season_title
    match = _SEASON.search(label)
    if match:
        return int(match.group(1))
    if "limited series" in label.lower():
        return 1
    trailing = _TRAILING_NUMBER.search(label)
    if trailing and label.strip() == trailing.group(1):
        return int(trailing.group(1))  # 'Stranger Things 4', 'Tiger King 2'
    return None


def original_show_name(original_season: str) -> str | None:
    """The show part of an original-language season name: '더 글로리: 시즌 1' -> '더 글로리'."""
    head, sep, _tail = original_season.rpartition(":")
    return head.strip() if sep and head.strip() else None
