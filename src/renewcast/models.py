"""The library's answers as typed, frozen models: what ``renewcast.Store`` returns and what the
JSON API documents as its response schemas (one set of names for both).

Each model forbids fields it does not name, so a report that grows a key without its model
fails the tests (``tests/test_models.py``) instead of drifting from the published schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Known(Model):
    """What the store knew and when."""

    today: dt.date
    data_through: dt.date | None
    data_age_days: int | None
    stale: bool
    stale_after_days: int
    decisions_through: dt.date
    latest_decision: dt.date | None
    note: str  # for the person at the command line: says to run refresh when the data is old
    data_note: str = ""  # for public readers (the static export): what the data is, no command


class CatalogLabel(Model):
    netflix_decides: str
    format: str
    run: str
    evidence: str | None
    source: str | None
    note: str | None
    scope: str
    format_words: str
    awaits_decision: bool
    why_not_awaited: str | None


class Week(Model):
    week_start: dt.date
    week_end: dt.date
    hours_viewed: int
    change_fraction: float | None
    rank: int
    week_in_top10: int
    views: int | None
    views_source: str | None
    week_since_premiere: int | None


class RuleOfThumb(Model):
    threshold: float
    largest_drop_fraction: float | None
    week: int | None
    left_top10_in_first_month: bool
    exit_drop_at_least_fraction: float | None
    says_canceled: bool | None
    sentence: str


class CountryRow(Model):
    country_name: str
    country_iso2: str
    weeks: int
    best_rank: int
    first_week: dt.date


class Coverage(Model):
    first_week: dt.date | None
    last_week: dt.date | None
    countries: int


class Countries(Model):
    covered: bool
    coverage: Coverage
    countries_charted: int
    country_weeks: int
    top: list[CountryRow]
    all: list[CountryRow]
    note: str | None


class ShowFacts(Model):
    """What a show is beyond its format (data/show_facts.csv, each fact from the cited page)."""

    studio: str | None
    studio_kind: str | None  # netflix | outside | coproduction | unknown
    episodes: int | None
    episode_minutes: int | None
    genre_tier: str | None  # high_cost | animation | standard
    imdb_id: str | None
    wikipedia_title: str | None
    source: str | None
    sentence: str | None


class OtherSeason(Model):
    slug: str
    season_title: str | None
    season_number: int | None
    first_week: dt.date | None = None


class LedgerEvent(Model):
    show_title: str
    season: int
    season_title: str | None
    outcome: str
    announced: str
    announced_date: dt.date
    source: str | None
    tier: str | None
    note: str | None
    slug: str | None
    recorded_at: dt.datetime
    recorded_by: str | None
    charted: bool
    flag: str | None = None
    replaced_at: dt.datetime | None = None
    replaced_by: str | None = None
    precision: str | None = None  # day | month | bound: how the announced date is known
    how_known: str | None = None  # 'announced 2022-11-08', 'reported by 2026-03-01, day unknown'


class Decision(Model):
    """A season's status as of today (``renewcast.status``): its latest decision; 'renewed'
    with ``implied`` when a later season charted; 'awaiting' when Netflix still has to decide
    (the board's population); 'undecided' with ``why`` when no decision is awaited."""

    outcome: str
    implied: bool = False
    how_known: str | None = None
    precision: str | None = None
    why: str | None = None
    next_season: int | None = None
    reports: list[LedgerEvent] = []
    announced: str | None
    source: str | None
    note: str | None
    events: list[LedgerEvent]
    history: list[LedgerEvent]
    show_title: str | None = None
    season: int | None = None
    season_title: str | None = None
    announced_date: dt.date | None = None
    tier: str | None = None
    slug: str | None = None
    recorded_at: dt.datetime | None = None
    recorded_by: str | None = None
    charted: bool | None = None
    flag: str | None = None


class Signal(Model):
    show_title: str
    season: int
    season_title: str | None
    slug: str | None
    kind: str
    value: float
    observed: str
    observed_date: dt.date
    platform: str | None
    url: str | None
    note: str | None
    recorded_at: dt.datetime
    charted: bool
    flag: str | None = None


class Reason(Model):
    feature: str
    value: float | None
    effect: float
    text: str


class Similar(Model):
    slug: str
    title: str
    outcome: str
    similarity: float


class Timeline(Model):
    days_since_premiere: int
    median_days: float | None
    p90_days: float | None
    in_limbo: bool


class WindowOdds(Model):
    decision: float  # P(Netflix announces a decision within the window)
    canceled: float  # P(that decision is a cancellation, within the window)


class DecisionOdds(Model):
    """How soon Netflix decides, from the seasons that had waited as long (censored waits counted)."""

    days_waited: int
    compared_with: str  # scripted | unscripted | all
    still_undecided_then: int
    within_30_days: WindowOdds
    within_90_days: WindowOdds


class WhatItWouldTake(Model):
    """The views a week, after the store's newest week, that would lift the forecast past 50%."""

    views_per_week: int | None  # None: no audience in the Top 10's range would
    weeks: int
    through: dt.date
    horizon_days: int
    text: str


class Forecast(Model):
    slug: str
    title: str
    category: str
    probability: float
    interval_95: tuple[float, float]  # bootstrap refits of the model
    as_of: dt.date
    horizon_days: int  # features over this many days after the premiere
    waited_days: int  # trained on seasons still undecided this many days after theirs
    status: str
    reasons: list[Reason]
    similar: list[Similar]
    rule_of_thumb_says_canceled: bool | None
    trained_on: int
    base_rate: float
    timeline: Timeline
    decision_odds: DecisionOdds | None = None
    what_it_would_take: WhatItWouldTake | None = None
    awaiting: bool | None = None
    stale: bool | None = None
    premiere: dt.date | None = None
    format_group: str | None = None  # scripted, unscripted or unknown: the decision odds' peers
    answered_on: dt.date | None = None  # the day the waits and odds were read for (as_of: the model's day)


class Backtested(Model):
    """What the walk-forward backtest said for a season before its decision."""

    slug: str
    title: str
    year: int
    language: str
    outcome: str
    renewed: int  # 1 renewed, 0 canceled
    announced: dt.date
    predicted_on: dt.date
    trained_as_of: dt.date  # the Monday on or before predicted_on: the model's knowledge
    trained_on: int
    model_probability: float
    rule_probability: float
    majority_probability: float
    horizon_days: int


class SeasonReport(Model):
    """A season the way the trade press reports it, with its decision, label and forecast."""

    known: Known
    headline: str | None
    headline_reason: str | None = None  # an undecided season's main reason, beside its odds
    show_verdict: str | None
    days_since_premiere: int | None
    catalog: CatalogLabel | None
    slug: str
    show_title: str
    season_title: str | None
    season_number: int | None
    category: str
    kind: str
    language: str
    premiere: dt.date | None
    premiere_estimated: bool
    premiere_source: str | None = None  # 'engagement', a cited page's URL, or None (estimated)
    runtime_hours: float | None
    runtime: str | None
    runtime_source: str | None
    show_facts: ShowFacts | None = None
    top10_hours_total: int
    weeks_in_top10: int
    peak_rank: int | None
    first28_hours: int | None
    first28_views: int | None
    first_week_views: int | None
    first_week_days: int | None
    weeks: list[Week]
    rule_of_thumb: RuleOfThumb
    countries: Countries
    other_seasons: list[OtherSeason]
    ledger: Decision | None
    signals: list[Signal]
    forecast: Forecast | None
    backtest: Backtested | None


class SeasonAnswer(SeasonReport):
    """``/api/v1/seasons/{slug}``: the report, and why there is no forecast when there is none."""

    forecast_note: str | None


class BoardEntry(Forecast):
    days_since_premiere: int
    in_limbo: bool


class Board(Model):
    """Seasons Netflix still has to decide, most at risk first, or why there is no board."""

    board: list[BoardEntry]
    note: str | None
    known: Known | None = None


class ListEntry(Model):
    category: str
    weekly_rank: int
    show_title: str
    season_title: str | None
    weekly_hours_viewed: int
    weekly_views: int | None
    cumulative_weeks_in_top_10: int
    slug: str
    last_rank: int | None
    last_hours: int | None
    places_up: int | None  # places up (+) or down (-) since last week; None: not on last week's list
    entry: str  # new (first week in the Top 10), back (after a gap) or stayed
    change_fraction: float | None
    views: int | None = None  # official, or hours / runtime before June 2023 (views_source 'computed')
    views_source: str | None = None


class WeekLists(Model):
    """A week's four global Top 10 lists with movement since the week before."""

    week: dt.date | None
    week_start: dt.date | None = None
    previous_week: dt.date | None = None
    next_week: dt.date | None = None
    ranked_by: str | None = None  # 'views' (Netflix's ranking since June 2023) or 'hours'
    lists: dict[str, list[ListEntry]]
    known: Known | None = None


class WeekIndexEntry(Model):
    week: dt.date  # the Sunday that ends it
    week_start: dt.date
    ranked_by: str  # 'views' or 'hours'
    no1: dict[str, str]  # category -> the No. 1 title (season label when it has one)
    url: str  # its lists: /api/v1/weeks/<week>


class WeekIndex(Model):
    """Every week the store covers, newest first."""

    weeks: list[WeekIndexEntry]
    known: Known | None = None


class SeasonSummary(Model):
    slug: str
    show_title: str
    season_title: str | None
    season_number: int | None
    category: str
    kind: str
    premiere: dt.date | None
    first_week: dt.date
    last_week: dt.date
    weeks_in_top10: int
    top10_hours_total: int
    peak_rank: int
    status: str | None  # the decision as of today ('awaiting' when none); None for films


class SeasonList(Model):
    total: int
    limit: int
    offset: int
    seasons: list[SeasonSummary]


class LedgerList(Model):
    decisions: list[LedgerEvent]


class CatalogRow(Model):
    show_key: str
    show_title: str
    season: int
    netflix_decides: str
    format: str
    run: str
    evidence: str | None
    source: str | None
    note: str | None
    recorded_at: dt.datetime
    recorded_by: str | None


class CatalogList(Model):
    rows: list[CatalogRow]


class ComparedSeason(Model):
    slug: str
    show_title: str
    season_title: str | None
    category: str
    premiere: dt.date | None
    runtime_hours: float | None
    first_week_views: int | None
    first_week_days: int | None
    first28_hours: int | None
    first28_views: int | None
    top10_hours_total: int
    weeks_in_top10: int
    peak_rank: int | None


class ComparedCell(Model):
    hours_viewed: int
    views: int | None
    rank: int


class ComparedWeek(Model):
    week_since_premiere: int
    seasons: list[ComparedCell | None]


class Ratio(Model):
    of: str
    to: str
    first_week_views: float | None
    first_week_views_per_day: float | None
    same_first_week_length: bool
    first28_views: float | None
    top10_hours_total: float | None


class Comparison(Model):
    seasons: list[ComparedSeason]
    weeks: list[ComparedWeek]
    ratios: list[Ratio]


class Backtest(Model):
    """A walk-forward backtest: scores of the model, the rule of thumb and the majority class."""

    model_config = ConfigDict(frozen=True, extra="allow")  # breakdowns grow with the evaluation
    horizon_days: int
    n: int
    ledger: str
    model: dict[str, Any]
    rule: dict[str, Any]
    majority: dict[str, Any]
    misses: list[dict[str, Any]]
    predictions: list[dict[str, Any]]


class BacktestAnswer(Model):
    backtest: Backtest | None
    note: str | None


class ShowSeason(Model):
    """One season on a show's page: its status and the figures a fan compares."""

    slug: str
    title: str
    season_number: int | None
    premiere: dt.date | None
    premiere_estimated: bool
    first_week_views: int | None
    first28_views: int | None
    top10_hours_total: int
    peak_rank: int | None
    status: str | None  # the season's status as of today (renewcast.status)
    headline: str | None  # its decision, or its odds while Netflix has to decide
    probability: float | None  # the chance of renewal, only while awaiting


class ShowSummary(Model):
    """A show at a glance (GET /api/v1/shows/{slug}, /show/{slug}, `renewcast show TITLE`)."""

    known: Known
    show_title: str
    slug: str
    verdict: str | None
    seasons: list[ShowSeason]
