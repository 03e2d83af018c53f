"""Each rule pinned at its boundary on small synthetic week sets, so a changed threshold,
a '>' turned '>=', or a shifted day fails here by name (the real data sits far from
most boundaries: The Imperfects fell 64%)."""

from __future__ import annotations

import datetime as dt

import pytest

from renewcast import metrics
from renewcast.forecast.core import timeline_stats
from renewcast.forecast.features import History

PREMIERE = dt.date(2022, 9, 8)  # a Thursday, like The Imperfects
SUNDAY = dt.date(2022, 9, 11)  # the end of its first week


def rows(hours: list[int | None], first_end: dt.date = SUNDAY) -> list[dict]:
    """Top 10 rows for consecutive weeks; None leaves a week out (a gap)."""
    out = []
    for n, h in enumerate(hours):
        if h is not None:
            out.append({"week": first_end + dt.timedelta(days=7 * n), "weekly_hours_viewed": h,
                        "weekly_rank": 5, "cumulative_weeks_in_top_10": len(out) + 1, "weekly_views": None,
                        "runtime": 5.0})
    return out


def verdict(hours: list[int | None], tenth: dict[dt.date, int] | None = None,
            premiere: dt.date = PREMIERE) -> metrics.Drop:
    weeks = metrics.build_weeks(rows(hours), 5.0, premiere)
    return metrics.rule_of_thumb(weeks, premiere, tenth or {})


@pytest.mark.parametrize(("second_week", "says_canceled"), [
    (510, False),  # a 49% drop
    (500, False),  # exactly 50%: the rule says *over* 50%
    (490, True),  # a 51% drop
])
def test_the_fifty_percent_rule_at_its_boundary(second_week: int, says_canceled: bool) -> None:
    drop = verdict([1000, second_week, second_week])
    assert drop.largest_drop == pytest.approx(1 - second_week / 1000)
    assert drop.rule_says_canceled is says_canceled


def test_no_change_is_computed_across_a_gap_week() -> None:
    weeks = metrics.build_weeks(rows([1000, None, 100]), 5.0, PREMIERE)
    assert [w.change_fraction for w in weeks] == [None, None]
    assert [w.week_since_premiere for w in weeks] == [1, 3]


def test_change_is_week_over_week() -> None:
    weeks = metrics.build_weeks(rows([1000, 1450]), 5.0, PREMIERE)
    assert weeks[1].change_fraction == pytest.approx(0.45)


@pytest.mark.parametrize(("premiere", "first_week_days"), [
    (dt.date(2022, 9, 11), 1),  # a Sunday premiere: its first week is one day long
    (dt.date(2022, 9, 5), 7),  # a Monday premiere: a full week
    (dt.date(2022, 9, 8), 4),  # Thursday: The Imperfects' four-day first week
])
def test_the_premiere_day_sets_week_one(premiere: dt.date, first_week_days: int) -> None:
    weeks = metrics.build_weeks(rows([1000, 800]), 5.0, premiere)
    assert [w.week_since_premiere for w in weeks] == [1, 2]
    assert metrics.summary(weeks, premiere)["first_week_days"] == first_week_days


def test_a_week_ending_the_day_after_the_premiere_week_is_week_two() -> None:
    weeks = metrics.build_weeks(rows([1000]), 5.0, dt.date(2022, 9, 12))  # a Monday after that Sunday
    assert weeks[0].week_since_premiere is None  # the week ended before the premiere


def test_the_first_month_ends_on_day_28() -> None:
    premiere = dt.date(2022, 9, 5)  # Monday: weeks end on days 7, 14, 21, 28, 35
    weeks = metrics.build_weeks(rows([100, 90, 80, 70, 60], dt.date(2022, 9, 11)), 5.0, premiere)
    month = metrics.first_month(weeks, premiere)
    assert [w.week_since_premiere for w in month] == [1, 2, 3, 4]
    assert metrics.summary(weeks, premiere)["first28_hours"] == 100 + 90 + 80 + 70


def test_leaving_the_top10_on_day_28_counts_and_on_day_29_does_not() -> None:
    # Monday premiere: the week ending day 28 is week 4. A season charting weeks 1-3 and gone
    # in week 4 left within the first month; charting weeks 1-4 and gone in week 5 did not.
    premiere = dt.date(2022, 9, 5)
    week4, week5 = dt.date(2022, 10, 2), dt.date(2022, 10, 9)
    gone_on_day_28 = verdict([1000, 900, 800], {week4: 300}, premiere)
    assert gone_on_day_28.left_top10 and gone_on_day_28.exit_drop_at_least == pytest.approx(1 - 300 / 800)
    assert gone_on_day_28.rule_says_canceled is True
    gone_on_day_35 = verdict([1000, 900, 800, 700], {week5: 100}, premiere)
    assert not gone_on_day_35.left_top10 and gone_on_day_35.rule_says_canceled is False


def test_an_exit_bound_of_exactly_half_is_not_over_half() -> None:
    premiere = dt.date(2022, 9, 5)
    drop = verdict([1000, 1000], {dt.date(2022, 9, 25): 500}, premiere)
    assert drop.left_top10 and drop.exit_drop_at_least == pytest.approx(0.5)
    assert drop.rule_says_canceled is False


def test_limbo_is_the_ninetieth_percentile_of_past_waits() -> None:
    start = dt.date(2022, 1, 1)
    seasons = {f"s{n}": {"premiere": start, "slug": f"s{n}"} for n in range(10)}
    ledger = [{"slug": f"s{n}", "show_title": f"s{n}", "season": 1, "outcome": "renewed",
               "announced_date": start + dt.timedelta(days=10 * (n + 1)), "precision": "day"} for n in range(10)]
    history = History(seasons, {}, {}, {}, ledger, start, dt.date(2023, 1, 1))
    median, p90 = timeline_stats(history, dt.date(2023, 1, 1))
    # Waits of 10, 20, ..., 100 days: the median is 55, linear 90th percentile 91.
    assert (median, p90) == (55.0, 91.0)


def test_a_week_ending_on_day_29_is_outside_the_first_month() -> None:
    premiere = dt.date(2022, 9, 11)  # Sunday: weeks end on days 1, 8, 15, 22, 29
    weeks = metrics.build_weeks(rows([100, 90, 80, 70, 60]), 5.0, premiere)
    assert [w.week_since_premiere for w in metrics.first_month(weeks, premiere)] == [1, 2, 3, 4]


def test_a_tie_counts_half_in_the_views_percentile() -> None:
    from renewcast.forecast.features import midrank_percentile

    # Below: 1; tied: two 2s, half each; above: 3. (1 + 0.5 * 2) / 4.
    assert midrank_percentile([1.0, 2.0, 2.0, 3.0], 2.0) == 0.5
    assert midrank_percentile([1.0, 2.0, 2.0, 3.0], 2.5) == 0.75
    assert midrank_percentile([], 7.0) == 0.5
