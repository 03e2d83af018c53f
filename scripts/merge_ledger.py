"""Merge researched ledger rows (scripts/research/ledger_*.csv) into data/ledger.csv.

Rows for a season the ledger already covers are left out (the ledger's row stays); every
row gets a source tier, from the research or, for older rows, from the source's site.
Rows of ``ledger_dates_*.csv`` replace a covered season's row that is dated only to the
month (the research found the day). Rows of ``ledger_tier_*.csv`` are the same decision
from a higher source tier (Netflix or the trade press): the earliest report wins, and where
the dates agree the higher tier does; the other report is named in the note. A row is left
out when its page gives no month, and the seasons in ``EXCLUDE`` are left out for the reason
given there. Rows of ``ledger_outcome_*.csv`` correct a season's outcome (a renewal that
named the next season as the last is ``renewed_final``, a season billed as the last is
``final``, an unofficial claim is ``reported``): they replace the season's renewed, canceled
or final row, or are added when the season has none. Dates may be ``<=YYYY-MM-DD``: a
page of that day (or, undated, read that day) reports the decision, day unknown.

    .venv/bin/python scripts/merge_ledger.py
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "src" / "renewcast" / "data" / "ledger.csv"
sys.path.insert(0, str(ROOT / "src"))

from renewcast.titles import normalize  # noqa: E402

COLUMNS = ["show_title", "season", "outcome", "announced", "source", "tier", "note", "season_title"]
TRADE = ("deadline.com", "variety.com", "hollywoodreporter.com", "tvline.com", "thewrap.com", "indiewire.com",
         "screendaily.com", "c21media.net", "kidscreen.com", "realscreen.com", "tvinsider.com")
NETFLIX = ("netflix.com", "netflix.net")  # Netflix's own hosts (Tudum, its press and IR sites), exactly
#: A note that names Netflix's own post or release: what makes a press page "netflix" tier.
OFFICIAL = re.compile(r"tweet|twitter|\bX\b|instagram|@\w|official account|press release|Netflix.{0,40}\bpost", re.I)
FAN = ("fandom.com", "wikipedia.org", "blogspot.", "wordpress.", "reddit.com", "clateway.com")  # a wiki mirror


#: The outcomes a ``ledger_outcome_*.csv`` row replaces for its season.
REPLACEABLE = ("renewed", "renewed_final", "canceled", "final", "reported")
#: Researched rows that are not Netflix's decision, or whose page does not settle one.
EXCLUDE = {
    ("cobra kai", "1"): "renewed by YouTube Red, before Netflix",
    ("lucifer", "1"): "renewed by Fox, before Netflix",
    ("you", "1"): "renewed by Lifetime, before Netflix",
    ("fauda", "4"): "ordered by the Israeli network Yes",
    ("the unbroken voice", "1"): "a Caracol decision, reported by an actor",
    ("the last kingdom", "1"): "a BBC Two order",
    ("workin moms", "6"): "a CBC decision",
    ("workin moms", "7"): "a CBC decision",
    ("school spirits", "1"): "a Paramount+ decision",
    ("good girls", "4"): "an NBC decision",
    ("manifest", "1"): "an NBC decision",
    ("manifest", "2"): "an NBC decision",
    ("new amsterdam", "1"): "an NBC decision",
    ("new amsterdam", "2"): "an NBC decision",
    ("new amsterdam", "3"): "an NBC decision",
    ("new amsterdam", "4"): "an NBC decision",
    ("wolf king", "1"): "the page says a final season was expected, not ordered",
    ("daughter from another mother", "3"): "another page says Netflix had not confirmed it",
    ("valeria", "1"): "the page's claim is loose and undated",
    ("kota factory", "3"): "an actor's remark, not an announcement",
    ("the tailor", "1"): "the month is inferred, not stated",
    ("the tailor", "2"): "the month is inferred, not stated",
    ("homicide", "1"): "dated by a later premiere announcement, not the order",
    ("at home with the furys", "1"): "an insider's report, later said to be on hold",
    ("blood and water", "4"): "one journalist's post, never confirmed",
    ("i woke up a vampire", "1"): "one 16-episode order split in two, not a renewal",
    ("sonic prime", "2"): "part of the original order, not a renewal",
    ("jurassic world chaos theory", "3"): "dated by the final season's trailer, not its order",
    ("cocomelon lane", "2"): "part of a three-season order before launch, not a renewal",
    ("money heist", "1"): "Part 2 was Antena 3's; Netflix's first order (Part 3) is the Part 2 row",
    ("juvenile justice", "1"): "press reports of a scrapped season 2 that Netflix said the same day were undecided",
    ("alpha males", "5"): "the page's confirmed 'fifth season' is the renewal of season 4, already its row",
}
FULL_DAY = 10  # len("YYYY-MM-DD")
RANK = {"fan": 0, "press": 1, "trade": 2, "netflix": 3}


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.")


def tier_of(url: str) -> str:
    host = _host(url)
    # Exact hosts: whats-on-netflix.com and best-of-netflix.com are independent sites.
    if any(host == n or host.endswith("." + n) for n in NETFLIX):
        return "netflix"
    if any(host == t or host.endswith("." + t) for t in TRADE):
        return "trade"
    if any(f in host for f in FAN):
        return "fan"
    return "press"


def tier_for(row: dict[str, str]) -> str:
    """The row's tier: its site's, or "netflix" where the note names Netflix's own post
    that the page quotes (a stored "netflix" without one falls back to the site's)."""
    site = tier_of(row["source"]) if row["source"] else ""
    stored = (row.get("tier") or "").strip()
    if stored == "netflix" and OFFICIAL.search(row.get("note") or ""):
        return "netflix"
    return "fan" if stored == "fan" else site  # the research judged the page a blog


def _clean(note: str) -> str:
    """A research note without its comparison with the input row (it becomes the row)."""
    tail = r"[;,.]?\s*[^;]*?\b(same|earlier|later)\b[^;]*\b(our row|the input'?s?)\b.*$"
    note = re.sub(r"\s*\(the same page as our current source\)|,? the same page as our current source", "", note)
    return re.sub(tail, "", note.strip()).rstrip(".")


def better_source(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """``old`` with ``new``'s source where ``new`` is the earlier report, or as early and of a
    higher tier; otherwise ``old``, its note naming ``new``. Idempotent: a second merge
    changes nothing."""
    tier = tier_for(new)  # "trade" must be the trade site itself, not a copy of its article
    if len(new.get("announced") or "") != FULL_DAY or RANK.get(tier, 0) <= RANK["press"]:
        return old
    said = _clean(new.get("note") or "")
    if new["source"] == old["source"]:  # the page we cite quotes Netflix's own post: a re-tier
        if said in old["note"]:
            return old
        return {**old, "tier": tier, "note": f"{old['note']}; {said}"}
    date, was = new["announced"], old["announced"]
    earlier = date < was  # a day in a month-only row's month sorts after it: "same", below
    same = date[: len(was)] == was
    if earlier or (same and RANK[tier] > RANK.get(tier_for(old), 0)):
        return {**old, "announced": date, "source": new["source"], "tier": tier,
                "note": f"{old['note']}; {said} ({_host(old['source'])} reported it on {was})"}
    mention = f"({_host(new['source'])} reported it on {date})"
    return old if mention in old["note"] else {**old, "note": f"{old['note']} {mention}"}


def main() -> None:
    with open(LEDGER, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    seasons = {(normalize(r["show_title"]), r["season"]) for r in rows}
    added = dated = 0
    research = ROOT / "scripts" / "research"
    for path in sorted(research.glob("ledger_dates_*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                key = (normalize(r["show_title"]), r["season"])
                if len(r.get("announced") or "") != FULL_DAY or not r.get("source", "").startswith("http"):
                    continue
                for i, old in enumerate(rows):
                    if (normalize(old["show_title"]), old["season"]) == key and len(old["announced"]) < FULL_DAY:
                        rows[i] = {**old, **{k: r[k] for k in COLUMNS if r.get(k)}}
                        dated += 1
                        break
    upgraded = 0
    for path in sorted(research.glob("ledger_tier_*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                key = (normalize(r["show_title"]), r["season"], r["outcome"])
                for i, old in enumerate(rows):
                    if (normalize(old["show_title"]), old["season"], old["outcome"]) == key:
                        rows[i] = better_source(old, r)
                        upgraded += rows[i]["source"] != old["source"]
                        break
    corrected = 0
    for path in sorted(research.glob("ledger_outcome_*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                key = (normalize(r["show_title"]), r["season"])
                if not r.get("source", "").startswith("http"):
                    continue
                rows = [old for old in rows if not ((normalize(old["show_title"]), old["season"]) == key
                                                     and old["outcome"] in REPLACEABLE)]
                rows.append(r)
                seasons.add(key)
                corrected += 1
    for path in sorted(research.glob("ledger_*.csv")):
        if path.name.startswith(("ledger_dates_", "ledger_tier_", "ledger_outcome_")):
            continue
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                key = (normalize(r["show_title"]), r["season"])
                if (key in seasons or key in EXCLUDE or not r.get("source", "").startswith("http")
                        or len(r.get("announced") or "") < len("YYYY-MM")):
                    continue
                seasons.add(key)
                rows.append(r)
                added += 1
    for r in rows:
        r["tier"] = tier_for(r)
    rows.sort(key=lambda r: (normalize(r["show_title"]), int(r["season"]), r["announced"]))
    with open(LEDGER, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{corrected} outcomes corrected or added, {added} rows added,"
          f" {dated} dated to the day, {upgraded} given an earlier or higher-tier "
          f"source; {len(rows)} in {LEDGER.name}")


if __name__ == "__main__":
    main()
