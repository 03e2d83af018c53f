"""Merge researched ledger rows (scripts/research/ledger_*.csv) into data/ledger.csv.

Rows for a season the ledger already covers are left out (the ledger's row stays); every
row gets a source tier, from the research or, for older rows, from the source's site.

    .venv/bin/python scripts/merge_ledger.py
"""

from __future__ import annotations

import csv
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
NETFLIX = ("netflix.com", "about.netflix.com", "tudum")
FAN = ("fandom.com", "wikipedia.org", "blogspot.", "wordpress.", "reddit.com")


def tier_of(url: str) -> str:
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    if any(n in host for n in NETFLIX):
        return "netflix"
    if any(host == t or host.endswith("." + t) for t in TRADE):
        return "trade"
    if any(f in host for f in FAN):
        return "fan"
    return "press"


def main() -> None:
    with open(LEDGER, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    seasons = {(normalize(r["show_title"]), r["season"]) for r in rows}
    added = 0
    for path in sorted((ROOT / "scripts" / "research").glob("ledger_*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                key = (normalize(r["show_title"]), r["season"])
                if key in seasons or not r.get("source", "").startswith("http"):
                    continue
                seasons.add(key)
                rows.append(r)
                added += 1
    for r in rows:
        r["tier"] = (r.get("tier") or "").strip() or tier_of(r["source"]) if r["source"] else ""
    rows.sort(key=lambda r: (normalize(r["show_title"]), int(r["season"]), r["announced"]))
    with open(LEDGER, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{added} rows added; {len(rows)} in {LEDGER.name}")


if __name__ == "__main__":
    main()
