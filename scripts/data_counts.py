"""Write the count tables of data/README.md (between its <!-- counts --> markers) from the
shipped catalog and ledger; a test checks them.

    .venv/bin/python scripts/data_counts.py
"""

from __future__ import annotations

import collections
import contextlib
import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from renewcast import catalog, ledger  # noqa: E402
from renewcast.titles import normalize  # noqa: E402


def table(title: str, counts: collections.Counter[str], label: str) -> None:
    print(f"| {title} | rows |\n|---|---|")
    for value, n in counts.most_common():
        print(f"| {label} = {value} | {n:,} |")
    print()


def counts() -> None:
    rows = catalog.parse_catalog_file(catalog.BUNDLED_CATALOG)
    print(f"catalog: {len(rows):,} rows\n")
    for column in ("netflix_decides", "format", "run"):
        table(column, collections.Counter(getattr(r, column) for r in rows), column)
    evidence = collections.Counter(k for r in rows for k in (r.evidence.split("+") if r.evidence else ["none"]))
    table("evidence (a row may rest on several)", evidence, "evidence")
    entries = ledger.parse_ledger_file(ledger.BUNDLED_LEDGER)
    print(f"ledger: {len(entries):,} rows, {sum(len(e.announced) == 10 for e in entries):,} dated to the day\n")
    table("outcome", collections.Counter(e.outcome for e in entries), "outcome")
    table("how the day is known (only 'day' rows train and score the model)",
          collections.Counter(e.precision for e in entries), "precision")
    table("tier", collections.Counter(e.tier or "none" for e in entries), "tier")
    table("year announced", collections.Counter(str(e.announced_date.year) for e in entries), "year")
    fmt = {normalize(r.show_title): r.format for r in rows if r.season == 0}
    table("format (the catalog's)", collections.Counter(fmt.get(normalize(e.show_title), "unknown") for e in entries),
          "format")
    language: dict[str, str] = {}
    for path in sorted((catalog.BUNDLED_DATA / "netflix-top10").glob("all-weeks-global*.tsv")):
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f, delimiter="\t"):
                if r["category"].startswith("TV"):
                    english = "Non-English" not in r["category"]
                    language[normalize(r["show_title"])] = "English" if english else "non-English"
    table("language (the Top 10 list it charted in)",
          collections.Counter(language.get(normalize(e.show_title), "not in the Top 10") for e in entries), "language")


def curated() -> None:
    """Counts of the curated files beside the catalog and the ledger."""
    data = catalog.BUNDLED_DATA

    def read(name: str) -> list[dict[str, str]]:
        with open(data / name, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    dates = read("release_dates.csv")
    print(f"release_dates.csv: {len(dates):,} seasons with a cited Netflix release day\n")
    facts = read("show_facts.csv")
    print(f"show_facts.csv: {len(facts):,} shows\n")
    table("studio_kind", collections.Counter(r["studio_kind"] or "unknown" for r in facts), "studio_kind")
    table("genre_tier", collections.Counter(r["genre_tier"] or "unknown" for r in facts), "genre_tier")
    filled = collections.Counter(k for r in facts for k in ("studio", "episodes", "episode_minutes", "imdb_id",
                                                          "wikipedia_title") if r[k])
    table("filled from a cited page", filled, "column")
    campaigns = read("campaigns.csv")
    found = [r for r in campaigns if r["campaign"] != "none_found"]
    back = [r for r in campaigns if r["result"] in ("revived_elsewhere", "reversed", "film")]
    print(f"campaigns.csv: of {len(campaigns)} cancellations, {len(found)} had a reported campaign; "
          f"{len(back)} came back anywhere\n")
    table("campaign", collections.Counter(r["campaign"] for r in campaigns), "campaign")
    table("result", collections.Counter(r["result"] for r in campaigns), "result")


def main() -> None:
    readme = ROOT / "src" / "renewcast" / "data" / "README.md"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        counts()
        curated()
    text = readme.read_text(encoding="utf-8")
    block = f"<!-- counts -->\n{buffer.getvalue()}<!-- /counts -->"
    new = re.sub(r"<!-- counts -->.*<!-- /counts -->", lambda _: block, text, flags=re.S)
    readme.write_text(new, encoding="utf-8")
    print(buffer.getvalue())


if __name__ == "__main__":
    main()
