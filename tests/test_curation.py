"""The ledger's merge rule for a better source (scripts/merge_ledger.py): the earliest
report wins, and where the dates agree the higher tier does."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "merge_ledger.py"
spec = importlib.util.spec_from_file_location("merge_ledger", SCRIPT)
assert spec and spec.loader
merge = importlib.util.module_from_spec(spec)
spec.loader.exec_module(merge)

# Example addresses: only their hosts matter to the rule (they set the tier).
OLD = {"show_title": "The Imperfects", "season": "1", "outcome": "canceled", "announced": "2022-11-08",
       "source": "https://popculture.com/example-press-page/", "tier": "press",
       "note": "canceled after 1 season", "season_title": "The Imperfects: Season 1"}
TRADE = "https://deadline.com/example-trade-page/"


def new(announced: str, source: str = TRADE) -> dict[str, str]:
    return {**OLD, "announced": announced, "source": source, "tier": "", "note": "x"}


@pytest.mark.parametrize(("announced", "replaced"), [
    ("2022-11-07", True),   # a day earlier: the earliest report wins
    ("2022-11-08", True),   # the same day: the higher tier wins
    ("2022-11-09", False),  # a day later: the earlier press report stays
])
def test_a_trade_report_replaces_a_press_row_only_if_as_early(announced: str, replaced: bool) -> None:
    out = merge.better_source(OLD, new(announced))
    assert (out["source"] == TRADE) is replaced
    assert out["announced"] == (announced if replaced else OLD["announced"])
    assert out["tier"] == ("trade" if replaced else "press")
    other = "popculture.com reported it on 2022-11-08" if replaced else f"deadline.com reported it on {announced}"
    assert out["note"].startswith("canceled after 1 season") and other in out["note"]
    assert merge.better_source(out, new(announced)) == out  # a second merge changes nothing


def test_a_same_tier_or_undated_report_changes_nothing() -> None:
    assert merge.better_source(OLD, new("2022-11-07", "https://www.ismyshowcancelled.com/example/")) == OLD
    assert merge.better_source(OLD, new("2022-11")) == OLD
    trade_row = {**OLD, "source": "https://variety.com/example/", "tier": "trade"}
    assert merge.better_source(trade_row, new("2022-11-08"))["source"] == "https://variety.com/example/"


def test_a_day_in_the_month_dates_a_month_only_row() -> None:
    month = {**OLD, "announced": "2022-11"}
    assert merge.better_source(month, new("2022-11-20"))["announced"] == "2022-11-20"
    assert merge.better_source(month, new("2022-12-01"))["announced"] == "2022-11"


def test_netflix_quoted_by_the_press_outranks_it_but_a_copy_of_the_trade_does_not() -> None:
    quoted = {**new("2022-11-08", "https://example-news.com/netflix-tweet/"), "tier": "netflix",
              "note": "quotes the @netflix tweet"}
    assert merge.better_source(OLD, quoted)["tier"] == "netflix"
    copied = {**new("2022-11-08", "https://example-news.com/deadline-copy/"), "tier": "trade"}
    assert merge.better_source(OLD, copied)["source"] == OLD["source"]


def test_the_page_we_cite_can_be_re_tiered_without_a_new_note() -> None:
    retier = {**new("2022-11-08", OLD["source"]), "tier": "netflix",
              "note": "quotes the @netflix tweet of 2022-11-08; date same as the input's 2022-11-08."}
    out = merge.better_source(OLD, retier)
    assert out == {**OLD, "tier": "netflix", "note": "canceled after 1 season; quotes the @netflix tweet of 2022-11-08"}
    assert merge.better_source(out, retier) == out


def test_netflix_tier_needs_netflix_s_host_or_its_quoted_post() -> None:
    assert merge.tier_of("https://www.netflix.com/tudum/articles/x") == "netflix"
    assert merge.tier_of("https://about.netflix.com/en/news/x") == "netflix"
    assert merge.tier_of("https://www.whats-on-netflix.com/news/x/") == "press"  # an independent site
    assert merge.tier_for({**OLD, "tier": "netflix"}) == "press"  # no post named in the note
    assert merge.tier_for({**OLD, "tier": "netflix", "note": "quotes Netflix's X post"}) == "netflix"
    assert merge.tier_for({**OLD, "source": "https://www.tvinsider.com/x/", "tier": "press"}) == "trade"
