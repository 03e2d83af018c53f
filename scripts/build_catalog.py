"""Make data/catalog.csv: one row per TV show in Netflix's global Top 10, with its evidence.

Run by hand when the bundled data or the research changes:

    .venv/bin/python scripts/build_catalog.py --reference ../shared/data/reference

Evidence, strongest first, per label (see data/README.md for the counts):
1. a page read during research (scripts/research/catalog_pages.csv: URL in ``source``);
2. title markers (WWE, NFL, "Limited Series", dated live events);
3. Netflix's engagement reports ("Available Globally?") with the 2023 originals list;
4. the renewal ledger: a show whose decisions Netflix announced is one Netflix decides;
5. Wikipedia's 2023 list of ended Netflix originals (run "ended" and its genre).
Anything these do not settle stays "unknown".
"""

from __future__ import annotations

import argparse
import collections
import csv
import re
import sys
from pathlib import Path

from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "renewcast" / "data"
sys.path.insert(0, str(ROOT / "src"))

from renewcast.titles import normalize, season_number  # noqa: E402

LIVE = re.compile(r"\bWWE\b|\bNFL\b|\bNBA\b|\bMLB\b|Christmas Gameday|Netflix Cup|Netflix Slam|"
                  r"\bvs\.? |\bLive\)|: Live\b|Tudum|Jake Paul|Taylor vs|Canelo|\bUFC\b", re.IGNORECASE)
#: A season labelled with a date ("Raw: July 13, 2026") is an episode of a live weekly show.
DATED = re.compile(r": (January|February|March|April|May|June|July|August|September|October|November|December) "
                   r"\d{1,2}, \d{4}\b")
ROAST = re.compile(r"\bRoast of\b", re.IGNORECASE)

#: The helpers' names for evidence kinds, in this file's terms.
RESEARCH_EVIDENCE = {"engagement_no": "engagement", "none": ""}

GENRES = [  # Wikipedia's free-text genre -> format; first match wins
    (r"anime", "anime"),
    (r"animat", "animation"),
    (r"true crime|docu|documentary|biograph|society|history|nature|making-of|health|drugs|politics|"
     r"educational|professions|science and|travel$|music|sports|food|lifestyle|fitness", "docuseries"),
    (r"reality|competition|dating|cooking|game show|makeover|baking", "reality"),
    (r"talk show|aftershow|variety|stand-up|sketch", "standup_variety"),
    (r"preschool|children|kids", "kids"),
    (r"comedy|sitcom|mockumentary", "scripted_comedy"),
    (r"drama|thriller|horror|science fiction|fantasy|mystery|supernatural|period|teen|action|superhero|"
     r"romance|legal|war|western|crime|anthology", "scripted_drama"),
]


def top10_shows() -> dict[str, dict[str, object]]:
    shows: dict[str, dict[str, object]] = {}
    spelling: dict[str, str] = {}
    for path in sorted((DATA / "netflix-top10").glob("all-weeks-global*.tsv"), reverse=True):  # newest first
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f, delimiter="\t"):
                if not r["category"].startswith("TV"):
                    continue
                # Spellings that normalise alike are one show ('Avatar: The Last Airbender').
                name = spelling.setdefault(normalize(r["show_title"]), r["show_title"])
                s = shows.setdefault(name, {"seasons": set(), "numbers": set()})
                label = None if r["season_title"] == "N/A" else r["season_title"]
                s["seasons"].add(label or r["show_title"])  # type: ignore[union-attr]
                number = season_number(r["show_title"], label)
                if number:
                    s["numbers"].add(number)  # type: ignore[union-attr]
    return shows


def engagement_availability() -> dict[str, set[bool]]:
    found: dict[str, set[bool]] = collections.defaultdict(set)
    for path in sorted((DATA / "netflix-engagement").glob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            header = None
            for row in book.get_sheet_by_name(name).to_python():
                cells = [str(c).strip() for c in row]
                if header is None:
                    header = cells if "Title" in cells and "Available Globally?" in cells else None
                    continue
                values = dict(zip(header, row, strict=False))
                title = str(values.get("Title") or "").split(" // ")[0].strip()
                flag = str(values.get("Available Globally?") or "").strip()
                if title and flag in ("Yes", "No"):
                    show = title.split(":")[0].strip()
                    for key in {normalize(title), normalize(show)}:
                        found[key].add(flag == "Yes")
    return found


def originals_list(reference: Path) -> set[str]:
    with open(reference / "netflix-originals-2023-11.csv", encoding="utf-8", newline="") as f:
        return {normalize(r["title"]) for r in csv.DictReader(f)
                if r["type"].startswith("TV") and r["netflix_original"] == "True"}


def ended_list(reference: Path) -> dict[str, dict[str, object]]:
    book = CalamineWorkbook.from_path(str(reference / "ended-netflix-originals-2023-08-28.xlsx"))
    rows = book.get_sheet_by_index(0).to_python()
    header = [str(c) for c in rows[0]]
    out = {}
    for row in rows[1:]:
        r = dict(zip(header, row, strict=False))
        if r.get("Title"):
            out[normalize(str(r["Title"]))] = r
    return out


def genre_format(genre: str) -> str | None:
    text = genre.lower()
    for pattern, fmt in GENRES:
        if re.search(pattern, text):
            return fmt
    return None


def ledger_rows() -> dict[str, list[dict[str, str]]]:
    by_show: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    with open(DATA / "ledger.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            by_show[normalize(r["show_title"])].append(r)
    return by_show


def research(paths: list[Path]) -> dict[str, dict[str, str]]:
    """Researched rows by show; a later file settles a label an earlier one left unknown
    or revises it, and their evidence and pages add up."""
    out: dict[str, dict[str, str]] = {}
    for path in paths:
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                key = normalize(r["show_title"])
                usable = [e for e in (r.get("evidence") or "").split("+") if e and e != "none"]
                if key not in out or not usable:
                    out.setdefault(key, r)
                    continue
                row = out[key]
                for column in ("netflix_decides", "format", "run"):
                    if (r.get(column) or "unknown").strip() != "unknown":
                        row[column] = r[column]
                kinds = [e for e in (row.get("evidence") or "").split("+") if e and e != "none"]
                row["evidence"] = "+".join(dict.fromkeys(kinds + usable))
                urls = (r.get("source") or "").split() + (row.get("source") or "").split()
                row["source"] = " ".join(dict.fromkeys(urls))
                row["note"] = "; ".join(n for n in (r.get("note"), row.get("note")) if n)
    return out


def build(reference: Path, research_files: list[Path]) -> list[dict[str, str]]:
    shows = top10_shows()
    avail = engagement_availability()
    originals = originals_list(reference)
    ended = ended_list(reference)
    decisions = ledger_rows()
    pages = research(research_files)
    rows = []
    for show in sorted(shows, key=normalize):
        key = normalize(show)
        info = shows[show]
        labels = " | ".join(sorted(info["seasons"]))  # type: ignore[arg-type]
        decides, fmt, run = "unknown", "unknown", "unknown"
        evidence: dict[str, list[str]] = {"netflix_decides": [], "format": [], "run": []}
        source, notes = "", []
        flags = avail.get(key, set())
        page = pages.get(key)
        # 1. Title markers.
        if LIVE.search(show) or LIVE.search(labels) or DATED.search(labels):
            decides, fmt, run = "no", "sports_live", "limited"
            for k in evidence:
                evidence[k].append("title_marker")
            notes.append("a live event")
        elif ROAST.search(show):
            fmt, run = "standup_variety", "limited"
            evidence["format"].append("title_marker")
            evidence["run"].append("title_marker")
        if run == "unknown" and "limited series" in labels.lower() and len(info["numbers"]) <= 1:  # type: ignore
            run = "limited"
            evidence["run"].append("title_marker")
        # 2. Netflix's own availability with the originals list.
        if decides == "unknown":
            if key in originals and flags == {True}:
                decides = "yes"
                evidence["netflix_decides"] += ["engagement", "originals_list"]
            elif key not in originals and flags == {False}:
                decides = "no"
                evidence["netflix_decides"].append("engagement")
                notes.append("not available globally on Netflix: licensed")
        # 3. The ledger: Netflix announced decisions about it.
        own = [r for r in decisions.get(key, []) if r["outcome"] in ("renewed", "canceled", "final",
                                                                    "renewed_final", "reversed")]
        if decides == "unknown" and own:
            decides = "yes"
            evidence["netflix_decides"].append("ledger")
            source = own[0]["source"]
            notes.append(f"Netflix {own[0]['outcome']} season {own[0]['season']} (ledger)")
        if own and run == "unknown":
            last = max(own, key=lambda r: int(r["season"]))
            if last["outcome"] in ("canceled", "final") and int(last["season"]) >= max(info["numbers"] or {1}):  # type: ignore
                run = "ended"
                evidence["run"].append("ledger")
                source = source or last["source"]
        # 4. Wikipedia's ended originals (as of 2023-08-28), unless a later season charted.
        w = ended.get(key)
        if w is not None:
            fmt_w = genre_format(str(w.get("Genre") or ""))
            if fmt == "unknown" and fmt_w:
                fmt = fmt_w
                evidence["format"].append("wikipedia_ended_list")
            try:
                seasons_w = int(float(w.get("Seasons") or 0))
            except ValueError:
                seasons_w = 0
            if run == "unknown" and w.get("Finale Date") and max(info["numbers"] or {1}) <= max(seasons_w, 1):  # type: ignore
                run = "ended"
                evidence["run"].append("wikipedia_ended_list")
        # 5. Research rows (scripts/research/) override what they settle: a page read for the
        # row (cited in source), or the reference lists read more closely (the ended list's
        # sections give a format where its genre column is blank).
        if page is not None:
            kinds_r = [RESEARCH_EVIDENCE.get(k, k) for k in (page.get("evidence") or "").split("+") if k]
            urls = (page.get("source") or "").split()
            usable = [k for k in kinds_r if k in ("page", "engagement", "originals_list", "wikipedia_ended_list",
                                                   "title_marker")]
            if "page" in usable and not urls:
                usable.remove("page")
            if usable:
                for column in ("netflix_decides", "format", "run"):
                    value = (page.get(column) or "unknown").strip()
                    if value == "unknown":
                        continue
                    if column == "netflix_decides":
                        decides = value
                    elif column == "format":
                        fmt = value
                    else:
                        run = value
                    evidence[column] = usable
                if urls:
                    source = urls[0]
                    notes.extend(f"also {u}" for u in urls[1:])
            if page.get("note") and usable:
                notes.insert(0, page["note"].strip())
        kinds = []
        for k in ("netflix_decides", "format", "run"):
            for e in evidence[k]:
                if e not in kinds:
                    kinds.append(e)
        rows.append({"show_title": show, "season": "", "netflix_decides": decides, "format": fmt, "run": run,
                     "evidence": "+".join(kinds), "source": source if "page" in kinds or "ledger" in kinds else "",
                     "note": "; ".join(dict.fromkeys(notes))})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "data" / "reference")
    parser.add_argument("--research", type=Path, nargs="*",
                        default=sorted((ROOT / "scripts" / "research").glob("catalog_*.csv")))
    parser.add_argument("--out", type=Path, default=DATA / "catalog.csv")
    args = parser.parse_args()
    rows = build(args.reference, args.research)
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows -> {args.out}")
    for column in ("netflix_decides", "format", "run"):
        print(column, dict(collections.Counter(r[column] for r in rows).most_common()))
    evidence = collections.Counter(e for r in rows for e in (r["evidence"].split("+") if r["evidence"] else ["none"]))
    print("evidence", dict(evidence.most_common()))


if __name__ == "__main__":
    main()
