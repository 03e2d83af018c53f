"""Title text: normalising for search, slugs for URLs, season numbers from labels.

Pure functions; the store builds its search index with them and the resolver in
``renewcast.lookup`` matches queries against that index.
"""

from __future__ import annotations

import re
import unicodedata

#: A season's number in its label, every way Netflix writes one: 'Season 3', 'Part 2',
#: 'Vol. 2', 'Collection 11', 'Class 2' (Weak Hero), 'Temporada 2', '시즌 1', 'S10: Ohio',
#: 'Season II', 'Book Two', '1st STAGE', 'The Snow Girl 1.' / '2. The Soul Game', a bare 'II'.
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_NUMBER = r"(\d{1,3}|" + "|".join(_WORDS) + r"|" + "|".join(sorted(_ROMAN, key=len, reverse=True)) + r")"
_SEASON = re.compile(
    r"(?:\b(?:Season|Part|Volume|Vol\.|Book|Chapter|Series|Collection|Class|Temporada|Staffel|Saison|"
    r"Stagione|Seizoen|Sezon)|시즌)\s*" + _NUMBER + r"(?![\w])",
    re.IGNORECASE,
)
_SHORT = re.compile(r"^S(\d{1,3})(?::|$)")  # 'S10: Ohio'
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)\s+(?:Season|Stage|Part)\b", re.IGNORECASE)
_DOTTED = re.compile(r"^(\d{1,2})\.(?:\s|$)")  # '1.', '2. The Soul Game'
_BARE = re.compile(r"^" + _NUMBER + r"$", re.IGNORECASE)  # 'II', '4' (after the show's name)
_DATED = re.compile(r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
                    r"December)\s+\d{1,2},\s+\d{4}$|\b(?:19|20)\d{2}$")
#: Why a TV label has no season number (every label has a number or one of these).
NO_NUMBER_REASONS = {
    "unlabelled": "Netflix listed the show without a season label (a special, or a show's only season)",
    "dated": "a dated episode or event ('Raw: July 13, 2026', 'Royal Rumble 2025'): a live weekly show",
    "arc": "an anime arc named by its story, not numbered ('Hashira Training Arc')",
    "subtitle": "a season named by a subtitle only ('Ancient Apocalypse: The Americas')",
}
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


def _value(token: str) -> int:
    token = token.lower()
    return int(token) if token.isdigit() else _WORDS.get(token) or _ROMAN[token]


def season_label(show_title: str, season_title: str | None) -> tuple[int | None, str | None]:
    """A season label's number, or why it has none (a key of ``NO_NUMBER_REASONS``).

    'X: Season 3' -> (3, None), 'Love Is Blind: S10: Ohio' -> (10, None), 'Weak Hero: Class 2'
    -> (2, None), 'X: Limited Series' -> (1, None), 'Raw: July 13, 2026' -> (None, 'dated').
    """
    if season_title is None or not season_title.strip() or season_title.strip() == show_title.strip():
        return None, "unlabelled"
    label = season_title[len(show_title):] if season_title.startswith(show_title) else season_title
    label = label.strip().lstrip(":").strip()
    match = _SEASON.search(label)
    if match:
        return _value(match.group(1)), None
    if "limited series" in label.lower():
        return 1, None
    for pattern in (_SHORT, _ORDINAL, _DOTTED, _BARE):
        if m := pattern.match(label):
            return _value(m.group(1)), None
    if _DATED.search(label):
        return None, "dated"
    if label.lower().endswith(" arc"):
        return None, "arc"
    return None, "subtitle"


def season_number(show_title: str, season_title: str | None) -> int | None:
    """The season a label names: 'X: Season 3' -> 3, 'X: Part 2' -> 2, limited series -> 1.

    None for films (no season label) and labels with no number (arcs, specials, dated episodes).
    """
    return season_label(show_title, season_title)[0]


def display(season_title: str) -> str:
    """A label as a reader should see it: Netflix's empty parts dropped ('Furies: Season 2: :
    Resistance' -> 'Furies: Season 2: Resistance', 'Furies: Season 1:' -> 'Furies: Season 1')."""
    parts = [p.strip() for p in season_title.split(":")]
    return ": ".join(p for p in parts if p) or season_title


def original_show_name(original_season: str) -> str | None:
    """The show part of an original-language season name: '더 글로리: 시즌 1' -> '더 글로리'."""
    head, sep, _tail = original_season.rpartition(":")
    return head.strip() if sep and head.strip() else None


def title_of(row: dict[str, object]) -> str:
    """What to call a season row on screen: its cleaned label, or the show's name."""
    label = row.get("season_title")
    return display(label) if isinstance(label, str) and label.strip() else str(row.get("show_title") or "")
