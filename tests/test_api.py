"""The public surface stays small and honest."""

from __future__ import annotations

import renewcast


def test_all_is_sorted_and_complete() -> None:
    assert renewcast.__all__ == sorted(renewcast.__all__)
    public = {name for name in vars(renewcast) if not name.startswith("_")}
    modules = {name for name, value in vars(renewcast).items() if type(value).__name__ == "module"}
    assert public - modules == set(renewcast.__all__)


def test_library_answers_without_the_cli(built_store: renewcast.Store) -> None:
    with built_store.reading() as con:
        report = renewcast.season_report(con, renewcast.resolve(con, "The Imperfects"))
    assert report["top10_hours_total"] == 71_850_000
