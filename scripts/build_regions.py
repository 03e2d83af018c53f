"""Make data/country_regions.csv: the region of each country in Netflix's country lists.

The regions are the countryinfo package's (PyPI `countryinfo` 1.0.1, MIT; its data gives
each country's region and subregion); a row is written only when its ISO code agrees.
Run by hand, in an environment with that package (it is not one of renewcast's own):

    pip install countryinfo==1.0.1 && python scripts/build_regions.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import duckdb
from countryinfo import CountryInfo  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "renewcast" / "data"
SOURCE = "countryinfo 1.0.1 (PyPI)"


def main() -> int:
    con = duckdb.connect()
    files = sorted((DATA / "netflix-top10").glob("all-weeks-countries*.tsv"))
    countries = dict(con.execute(
        "SELECT DISTINCT country_iso2, country_name FROM read_csv(?, delim='\t', header=true, all_varchar=true)",
        [[str(f) for f in files]]).fetchall())
    rows = []
    for iso, name in sorted(countries.items()):
        info = None
        for query in (name, iso):
            try:
                info = CountryInfo(query).info()
                break
            except Exception:  # the package raises bare KeyErrors for names it does not know
                continue
        alpha2 = (info or {}).get("ISO", {}).get("alpha2") if isinstance((info or {}).get("ISO"), dict) else None
        if not info or (alpha2 and alpha2 != iso):
            print(f"no region for {iso} {name}", file=sys.stderr)
            continue
        rows.append({"country_iso2": iso, "country_name": name, "region": info.get("region") or "unknown",
                     "subregion": info.get("subregion") or "", "source": SOURCE})
    with open(DATA / "country_regions.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} countries -> {DATA / 'country_regions.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
