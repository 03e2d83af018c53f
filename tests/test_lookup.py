"""Finding titles forgivingly."""

from __future__ import annotations

import pytest

from renewcast import lookup
from renewcast.errors import AmbiguousTitle, SeasonNotFound, TitleNotFound


@pytest.mark.parametrize("query", ["The Imperfects", "the imperfects", "THE IMPERFECTS!", "imperfects",
                                   "The Imperfects: Season 1", "the-imperfects-season-1"])
def test_case_punctuation_and_slugs(con, query: str) -> None:
    assert lookup.resolve(con, query)["slug"] == "the-imperfects-season-1"


def test_accents_are_optional(con) -> None:
    assert lookup.resolve(con, "pokemon concierge")["show_title"] == "Pokémon Concierge"


def test_original_language_name(con) -> None:
    assert lookup.resolve(con, "오징어 게임")["show_title"] == "Squid Game"
    assert lookup.resolve(con, "la casa de papel")["show_title"] == "Money Heist"


def test_season_number(con) -> None:
    season = lookup.resolve(con, "Squid Game", season=2)
    assert season["season_title"] == "Squid Game: Season 2"
    latest = lookup.resolve(con, "Squid Game")
    assert latest["season_number"] == 3


def test_missing_season_lists_the_seasons(con) -> None:
    with pytest.raises(SeasonNotFound, match="seasons that charted: 1, 2, 3"):
        lookup.resolve(con, "Squid Game", season=9)


def test_ambiguous_lists_candidates(con) -> None:
    with pytest.raises(AmbiguousTitle) as err:
        lookup.resolve(con, "Pokemon")
    assert any("Pokémon Concierge" in c for c in err.value.candidates)


def test_unknown_suggests_closest(con) -> None:
    with pytest.raises(TitleNotFound) as err:
        lookup.resolve(con, "Strnger Thngs")
    assert "Stranger Things" in err.value.suggestions


def test_title_netflix_renamed_retroactively(con) -> None:
    """The 2025 Top 10 said 'She the People'; the 2026 one restated it as 'Miss Governor'."""
    season = lookup.resolve(con, "She the People")
    assert season["season_title"] == "Miss Governor: Season 1"
    assert str(season["premiere"]) == "2025-05-22" and not season["premiere_estimated"]
