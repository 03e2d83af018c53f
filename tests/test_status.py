"""One status per season, everywhere: the rule (``renewcast.status``) at its boundaries on
synthetic seasons, and the contradictions 0.3.2 showed on the real bundled store."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from renewcast import status
from renewcast.catalog import Label
from renewcast.cli import main
from renewcast.forecast.features import FEATURES, VOLUME, load_history
from renewcast.titles import NO_NUMBER_REASONS, display, season_label

from .conftest import TODAY, web_client

DAY = dt.date(2026, 12, 7)
START = dt.date(2021, 7, 4)
NETFLIX = Label(netflix_decides="yes", format="scripted_drama", run="ongoing", scope="show")


def season(premiere: dt.date, number: int | None = 1, title: str | None = "Show: Season 1") -> dict:
    return {"slug": "show-season-1", "show_title": "Show", "season_title": title, "season_number": number,
            "kind": "TV", "premiere": premiere, "first_week": premiere + dt.timedelta(days=3)}


def outcome(s: dict, label: Label = NETFLIX, decision: dict | None = None, later: int | None = None) -> str:
    found = status.resolve(s, label, decision, later, DAY, START, DAY)
    assert found is not None
    return found["outcome"]


# -- the rule at its boundaries ---------------------------------------------------------------
def test_two_year_window_at_its_boundary() -> None:
    assert outcome(season(DAY - dt.timedelta(days=730))) == "awaiting"
    assert outcome(season(DAY - dt.timedelta(days=731))) == "undecided"


def test_a_live_event_never_awaits_even_from_netflix() -> None:
    live = Label(netflix_decides="yes", format="sports_live", run="ongoing")
    assert outcome(season(DAY - dt.timedelta(days=30)), live) == "undecided"


def test_a_decision_decides_whatever_its_precision() -> None:
    for announced in ("2026-11-02", "2026-11", "<=2026-11-30"):
        decision = {"outcome": "renewed", "announced": announced}
        assert outcome(season(DAY - dt.timedelta(days=100)), decision=decision) == "renewed"


def test_a_later_season_is_an_implied_renewal_only_where_netflix_decides() -> None:
    s = season(DAY - dt.timedelta(days=400))
    found = status.resolve(s, NETFLIX, None, 2, DAY, START, DAY)
    assert found is not None and found["outcome"] == "renewed" and found["implied"]
    licensed = Label(netflix_decides="no", format="scripted_drama", run="ongoing")
    assert outcome(s, licensed, later=2) == "undecided"


def test_limited_and_unnumbered_seasons_await_nothing() -> None:
    assert outcome(season(DAY - dt.timedelta(days=30), 1, "Show: Limited Series")) == "undecided"
    assert outcome(season(DAY - dt.timedelta(days=30), None, "Show: The Americas")) == "undecided"


# -- every season-title form --------------------------------------------------------------------
@pytest.mark.parametrize(("show", "label", "number"), [
    ("Love Is Blind", "Love Is Blind: S10: Ohio", 10),
    ("Weak Hero", "Weak Hero: Class 2", 2),
    ("Barbarians", "Barbarians: II", 2),
    ("Our Planet", "Our Planet: II", 2),
    ("The Snow Girl", "The Snow Girl 1.", 1),
    ("The Snow Girl", "The Snow Girl: 2. The Soul Game", 2),
    ("STEEL BALL RUN JoJo’s Bizarre Adventure", "STEEL BALL RUN JoJo’s Bizarre Adventure: 1st STAGE", 1),
    ("Bebefinn Playtime", "Bebefinn Playtime: 시즌 1", 1),
    ("The Great British Baking Show", "The Great British Baking Show: Collection 13", 13),
    ("Furies", "Furies: Season 2: : Resistance", 2),
    ("Money Heist", "Money Heist: Part 5", 5),
    ("Stranger Things", "Stranger Things 4", 4),
    ("Show", "Show: Book Two", 2),
    ("Show", "Show: Volume 3", 3),
    ("Show", "Show: Limited Series", 1),
])
def test_numbered_forms(show: str, label: str, number: int) -> None:
    assert season_label(show, label) == (number, None)


@pytest.mark.parametrize(("show", "label", "reason"), [
    ("Raw", "Raw: July 13, 2026", "dated"),
    ("Royal Rumble", "Royal Rumble 2025", "dated"),
    ("Demon Slayer: Kimetsu no Yaiba", "Demon Slayer: Kimetsu no Yaiba: Hashira Training Arc", "arc"),
    ("Ancient Apocalypse", "Ancient Apocalypse: The Americas", "subtitle"),
    ("KAOS", None, "unlabelled"),
])
def test_unnumbered_forms_say_why(show: str, label: str | None, reason: str) -> None:
    assert season_label(show, label) == (None, reason)


def test_every_distinct_tv_label_in_the_bundled_files_parses_or_says_why(con) -> None:
    rows = con.execute(
        "SELECT DISTINCT show_title, season_title FROM top10_global WHERE category LIKE 'TV%' UNION "
        "SELECT DISTINCT show_title, season_title FROM most_popular WHERE category LIKE 'TV%' UNION "
        "SELECT DISTINCT show_title, season_title FROM top10_country WHERE category = 'TV'").fetchall()
    assert len(rows) > 2000
    by_reason: dict[str, list[str]] = {}
    for show, label in rows:
        number, reason = season_label(show, label)
        assert (number is None) == (reason is not None)
        if reason is not None:
            assert reason in NO_NUMBER_REASONS
            by_reason.setdefault(reason, []).append(label or show)
    # A label that names a number in any spelling is numbered: no subtitle hides one.
    for label in by_reason.get("subtitle", []):
        assert not any(token in label.split() for token in ("Season", "Part", "Volume", "II", "III", "2", "3"))
    assert len(by_reason["subtitle"]) < 40 and len(by_reason["arc"]) < 10


def test_display_drops_empty_parts() -> None:
    assert display("Furies: Season 2: : Resistance") == "Furies: Season 2: Resistance"
    assert display("Furies: Season 1:") == "Furies: Season 1"


# -- the contradictions of 0.3.2, on the real store --------------------------------------------------
def test_a_season_whose_next_season_charted_is_renewed_on_page_json_and_api(cli_env, built_store) -> None:
    out = CliRunner().invoke(main, ["show", "Selling Sunset", "--season", "8", "--json"]).output
    data = json.loads(out)
    assert data["ledger"]["outcome"] == "renewed" and data["ledger"]["implied"]
    assert data["headline"].startswith("Renewed: season 9 followed")
    client = web_client(built_store.path)
    listed = client.get("/api/v1/seasons", params={"status": "awaiting", "limit": 1000}).json()
    assert "selling-sunset-season-8" not in {s["slug"] for s in listed["seasons"]}


def test_awaiting_has_one_meaning_board_ledger_list_and_api(cli_env, built_store) -> None:
    board = json.loads(CliRunner().invoke(main, ["forecast", "--json"]).output)["board"]
    listed = json.loads(CliRunner().invoke(main, ["ledger", "list", "--awaiting", "--json"]).output)
    api = web_client(built_store.path).get("/api/v1/seasons", params={"status": "awaiting", "limit": 1000}).json()
    slugs = {r["slug"] for r in board}
    assert slugs == {r["slug"] for r in listed} == {r["slug"] for r in api["seasons"]}
    assert {"love-is-blind-s10-ohio", "weak-hero-class-2"} <= slugs  # their labels parse now


def test_no_season_on_the_board_has_a_decision_in_any_form(cli_env, con) -> None:
    board = {r["slug"] for r in json.loads(CliRunner().invoke(main, ["forecast", "--json"]).output)["board"]}
    decided = {slug for (slug,) in con.execute(
        "SELECT slug FROM ledger WHERE slug IS NOT NULL AND outcome <> 'reported' AND announced_date <= ?",
        [dt.date.fromisoformat(TODAY)]).fetchall()}
    assert not board & decided
    assert "devil-may-cry-season-2" not in board  # renewed for a final season, day unknown


def test_a_reported_claim_is_no_decision(cli_env) -> None:
    data = json.loads(CliRunner().invoke(main, ["show", "Formula 1: Drive to Survive", "--season", "8",
                                                 "--json"]).output)
    assert data["ledger"]["outcome"] != "renewed"
    assert [r["outcome"] for r in data["ledger"]["reports"]] == ["reported"]
    listed = json.loads(CliRunner().invoke(main, ["ledger", "list", "--json"]).output)
    assert all(r["outcome"] != "reported" for r in listed)


def test_final_and_renewed_final_say_what_happened(cli_env) -> None:
    alice = json.loads(CliRunner().invoke(main, ["show", "Alice in Borderland", "--season", "3", "--json"]).output)
    assert alice["ledger"]["outcome"] == "final"
    for title, n in (("Outer Banks", "4"), ("Squid Game", "2")):
        data = json.loads(CliRunner().invoke(main, ["show", title, "--season", n, "--json"]).output)
        assert data["ledger"]["outcome"] == "renewed_final", title


def test_a_licensed_season_says_so(cli_env) -> None:
    out = CliRunner().invoke(main, ["show", "Prison Break", "--season", "2"]).output
    assert out.splitlines()[1].startswith("Licensed: another network decides")
    assert "followed" not in out.splitlines()[1]


def test_only_day_dated_decisions_train(con) -> None:
    history = load_history(con)
    assert {r["precision"] for r in history.ledger} == {"day", "month", "bound"}
    dated = history.decisions(DAY, dated_only=True)
    assert dated and all(r["precision"] == "day" for r in dated)
    assert len(history.decisions(DAY)) > len(dated)


def test_board_reasons_never_say_more_views_lower_the_odds(cli_env) -> None:
    board = json.loads(CliRunner().invoke(main, ["forecast", "--json"]).output)["board"]
    assert board
    volume = [r for row in board for r in row["reasons"] if r["feature"] in VOLUME]
    assert volume, "the board explains viewing somewhere"
    for reason in volume:
        assert "lowers the odds" not in reason["text"], reason
    assert set(VOLUME) & set(FEATURES)


# -- time is read at answer time; --as-of is what was known then ----------------------------------
def test_the_stored_board_ages_with_today(cli_env, monkeypatch) -> None:
    now = json.loads(CliRunner().invoke(main, ["forecast", "--json"]).output)["board"]
    monkeypatch.setenv("RENEWCAST_TODAY", "2026-12-21")
    later = json.loads(CliRunner().invoke(main, ["forecast", "--json"]).output)["board"]
    before = {r["slug"]: r for r in now}
    assert later and all(r["slug"] in before for r in later)
    for r in later:
        assert r["timeline"]["days_since_premiere"] == before[r["slug"]]["timeline"]["days_since_premiere"] + 14
        assert r["answered_on"] == "2026-12-21" and r["as_of"] == before[r["slug"]]["as_of"]
        if r["decision_odds"]:
            assert r["decision_odds"]["days_waited"] == r["timeline"]["days_since_premiere"]
    # A season that passes two years since its premiere leaves the board on that day.
    gone = {s for s, r in before.items() if r["timeline"]["days_since_premiere"] + 14 > 731}
    assert gone and not gone & {r["slug"] for r in later}


def test_as_of_is_what_was_known_then(cli_env) -> None:
    out = CliRunner().invoke(main, ["show", "The Imperfects", "--as-of", "2022-10-06", "--json"]).output
    then = json.loads(out)
    assert then["ledger"]["outcome"] == "awaiting"  # the cancellation came on 2022-11-08
    assert then["known"]["data_through"] == "2022-10-02" and then["known"]["today"] == "2022-10-06"
    assert [w["week_end"] for w in then["weeks"]][-1] <= "2022-10-02"
    assert then["signals"] == [] and then["backtest"] is None
    assert 0 < then["forecast"]["probability"] < 1 and then["forecast"]["as_of"] == "2022-10-06"
    now = json.loads(CliRunner().invoke(main, ["show", "The Imperfects", "--json"]).output)
    assert now["ledger"]["outcome"] == "canceled" and now["forecast"] is None  # decided: no current odds
    assert now != then


def test_one_spelling_of_a_season_for_show_and_compare(cli_env) -> None:
    by_suffix = json.loads(CliRunner().invoke(main, ["show", "Wednesday#2", "--json"]).output)
    by_option = json.loads(CliRunner().invoke(main, ["show", "Wednesday", "--season", "2", "--json"]).output)
    assert by_suffix["slug"] == by_option["slug"] == "wednesday-season-2"
    a = json.loads(CliRunner().invoke(main, ["compare", "Wednesday#1", "Wednesday#2", "--json"]).output)
    b = json.loads(CliRunner().invoke(main, ["compare", "Wednesday", "Wednesday", "-s", "1", "-s", "2",
                                             "--json"]).output)
    assert a == b and [s["slug"] for s in a["seasons"]] == ["wednesday-season-1", "wednesday-season-2"]
    bad = CliRunner().invoke(main, ["compare", "Wednesday", "Wednesday", "-s", "1"])
    assert bad.exit_code == 2 and "once per title" in bad.output


def test_an_unlabelled_only_listing_is_season_1(cli_env) -> None:
    result = CliRunner().invoke(main, ["show", "KAOS", "--season", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].startswith("Canceled after 1 season")


def test_release_days_are_facts_or_not_claimed(cli_env) -> None:
    wednesday = json.loads(CliRunner().invoke(main, ["show", "Wednesday#2", "--json"]).output)
    assert (wednesday["premiere"], wednesday["first_week_days"]) == ("2025-08-06", 5)
    assert wednesday["premiere_source"].startswith("https://") and not wednesday["premiere_estimated"]
    stranger = json.loads(CliRunner().invoke(main, ["show", "Stranger Things", "--season", "5", "--json"]).output)
    assert (stranger["premiere"], stranger["first_week_days"]) == ("2025-11-26", 5)
    ratio = json.loads(CliRunner().invoke(main, ["compare", "Stranger Things#5", "Wednesday#2", "--json"]).output)
    assert ratio["ratios"][0]["same_first_week_length"]
    # A season with neither an engagement report nor a cited page claims no day count.
    unknown = json.loads(CliRunner().invoke(main, ["show", "India’s Got Latent", "--season", "2",
                                                   "--json"]).output)
    assert unknown["premiere_estimated"] and unknown["first_week_days"] is None
    text = CliRunner().invoke(main, ["show", "India’s Got Latent", "--season", "2"]).output
    assert "First Top 10 week:" in text and "release day unknown" in text and " days." not in text


def test_a_runtime_netflix_left_as_zero_is_unknown_not_zero(cli_env) -> None:
    suits = json.loads(CliRunner().invoke(main, ["show", "Suits", "--season", "1", "--json"]).output)
    assert suits["runtime"] != "0:00" and suits["runtime_hours"] != 0
    assert suits["headline"].startswith("Licensed: another network decides")
    assert all(w["views"] for w in suits["weeks"])  # Netflix's own views, never hours / 0


def test_the_track_records_sentence_counts_bands_at_their_edges() -> None:
    from renewcast.report import track_record_headline

    def p(model: float, rule: float, renewed: int) -> dict:
        return {"model_probability": model, "rule_probability": rule, "renewed": renewed}

    preds = [p(0.6, 0.8, 1), p(0.79, 0.8, 0), p(0.8, 0.8, 1), p(0.59, 0.2, 0), p(0.9, 0.49, 1), p(0.5, 0.5, 0)]
    text = track_record_headline({"predictions": preds, "horizon_days": 28})
    assert text == ("When we said 60–80%, 50% were renewed (2 seasons); when we said over 80%, 100% were; "
                    "of the seasons the articles' rule of thumb (a drop of over 50%) called canceled, 50% were: "
                    "6 decisions forecast 28 days after the premiere.")
    assert track_record_headline(None) is None and track_record_headline({"predictions": []}) is None


# -- mutations that used to survive: each caught here by name ------------------------------------
def test_a_forecasts_95_interval_holds_95_of_its_refits(built_store) -> None:
    import numpy as np

    from renewcast.forecast.core import fit_at
    from renewcast.forecast.features import season_features, vector

    with built_store.reading() as con:
        history = load_history(con)
    fit = fit_at(history, 28, dt.date(2025, 6, 2))
    slug = next(iter(history.seasons))
    x = np.array([vector(season_features(history, slug, 28, dt.date(2025, 6, 2)))])
    low, high = fit.interval(x)[0]
    assert fit._bootstrap, "the interval comes from bootstrap refits"
    scores = np.array([((x - m) / s) @ c + b for m, s, c, b in fit._bootstrap]).ravel()
    draws = fit.model.calibrate(scores)
    inside = float(np.mean((draws >= low - 1e-12) & (draws <= high + 1e-12)))
    assert 0.93 <= inside <= 0.99, inside  # a 50% interval would hold about half


def test_a_backtest_interval_is_as_wide_as_95_percent_should_be() -> None:
    import numpy as np

    from renewcast.forecast.backtest import intervals

    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    p = np.where(rng.random(400) < 0.75, y, 1 - y).astype(float)  # right 75% of the time
    low, high = intervals(y, {"model": p})["model"]["accuracy"]
    accuracy = float(((p >= 0.5) == y).mean())
    half = 1.96 * (accuracy * (1 - accuracy) / 400) ** 0.5  # the normal approximation, independent of the code
    assert 0.8 * 2 * half <= high - low <= 1.2 * 2 * half, (low, high, half)


def test_the_campaigns_page_lists_reported_campaigns_with_sources(built_store) -> None:
    import re

    page = web_client(built_store.path).get("/campaigns").text
    assert "Of 71 cancellations in the ledger, 12 had a campaign the press reported" in page
    row = re.search(r"Shadow and Bone: Season 2.*?</tr>", page, re.S)
    assert row and "150,000" in row.group() and 'rel="noopener noreferrer">source</a>' in row.group()
    assert "The Imperfects: Season 1" in page and "1,300" in page
    assert 'href="/campaigns"' in web_client(built_store.path).get("/").text


def test_a_season_says_what_the_show_is_with_its_source(cli_env) -> None:
    data = json.loads(CliRunner().invoke(main, ["show", "Wednesday#2", "--json"]).output)
    facts = data["show_facts"]
    assert facts["studio"] == "MGM Television" and facts["studio_kind"] == "outside"
    assert facts["source"].startswith("https://")
    out = CliRunner().invoke(main, ["show", "Wednesday#2"]).output
    assert "About the show: Made by MGM Television (an outside studio, for Netflix), 8 episodes" in out
