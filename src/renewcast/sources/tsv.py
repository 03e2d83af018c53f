"""DuckDB reads Netflix's Top 10 TSVs: typed columns in C++, the checks as SQL.

``stage_tsv`` loads a file into a temporary table of the caller's connection, or returns
None when the file is not plainly one of Netflix's TSVs: a spreadsheet, an unknown
header, a value DuckDB rejects (``store_rejects``) or one the checks refuse. The caller
then reads it with the strict parser (``parse_file``), which names the file, line,
column and the fix; so a good file costs one C++ scan, and a bad one is explained
exactly as before. A slot listed twice (two downloads pasted together) is reported
here, by a streamed scan, with the strict parser's words.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from renewcast.errors import InputError
from renewcast.sources import top10
from renewcast.sources._values import Column, to_date, to_float, to_int, to_text

__all__ = ["Staged", "stage_tsv"]

_TYPES: dict[Callable[..., Any], str] = {to_date: "DATE", to_int: "BIGINT", to_float: "DOUBLE", to_text: "VARCHAR"}


@dataclass(frozen=True)
class Staged:
    """A file loaded into a temp table named ``table``, its columns named as the store's."""

    kind: str
    path: str
    table: str
    rows: int
    newest_week: Any  # a date, for the weekly lists


def _header(path: Path) -> list[str] | None:
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04") or b"\n" not in head:
        return None
    first = head.split(b"\n", 1)[0].decode("utf-8-sig", "replace").rstrip("\r")
    return [h.strip() for h in first.split("\t")]


def _kind(header: list[str]) -> tuple[str, tuple[Column, ...]] | None:
    for kind, (columns, marker) in top10.KINDS.items():
        if marker in header:
            return kind, columns
    return None


def _first_repeat(path: Path, kind: str, header: list[str], keys: list[Column]) -> InputError:
    """The strict parser's error for a slot listed twice, found by streaming the file (every
    value already passed DuckDB's typed read), never holding it whole."""
    at = [header.index(c.name) for c in keys]
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        keyed = ((reader.line_num, tuple(c.convert(row[i]) for c, i in zip(keys, at, strict=True)))
                 for row in reader if any(row))
        error = top10.repeated_slot(str(path), kind, keyed)
    return error or InputError(str(path), "a slot is listed twice", hint=f"one row per ({', '.join(top10.KEYS[kind])})")


def stage_tsv(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> Staged | None:
    header = _header(path)
    found = _kind(header) if header else None
    if header is None or found is None or len(set(header)) != len(header):
        return None
    kind, spec = found
    by_name = {c.name: c for c in spec}
    if any(c.required and c.name not in header for c in spec):
        return None
    if any(c.convert not in _TYPES or (c.check is not None and not hasattr(c.check, "sql")) for c in spec):
        return None
    types = {h: _TYPES[by_name[h].convert] if h in by_name else "VARCHAR" for h in header}
    columns = "{" + ", ".join(f"'{h}': '{t}'" for h, t in types.items()) + "}"
    literal = str(path).replace("'", "''")
    try:
        con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_raw AS SELECT * FROM read_csv('{literal}', delim='\t', "
            f"header=true, quote='', escape='', nullstr=['N/A', ''], auto_detect=false, columns={columns}, "
            "store_rejects=true)")
        rejected = con.execute("SELECT count(*) FROM reject_errors").fetchone()
    except duckdb.Error:
        return None  # not UTF-8, ragged lines, ...: the strict reader says exactly what
    if rejected and rejected[0]:
        return None
    bad = []
    for c in spec:
        if c.name not in header:
            continue
        if not c.nullable:
            bad.append(f'"{c.name}" IS NULL')
        if c.check is not None:
            bad.append("(" + c.check.sql().format(c=f'"{c.name}"') + ")")  # type: ignore[attr-defined]
    present = [c.name for c in spec if c.name in header]
    # In the spec's order (the store's); an optional column the file lacks is NULL.
    select = ", ".join(f'"{c.name}"' if c.name in header else f"NULL AS {c.name}" for c in spec)
    row = con.execute(f"SELECT count(*) FILTER (WHERE {' OR '.join(bad) or 'false'}), count(*) "
                      f"FROM {table}_raw").fetchone()
    if row is None or row[0] or not row[1]:
        return None
    key = ", ".join(f'"{k}"' for k in top10.KEYS[kind])
    if con.execute(f"SELECT count(*) FROM (SELECT {key} FROM {table}_raw GROUP BY ALL HAVING count(*) > 1)"
                   ).fetchone() != (0,):
        con.execute(f"DROP TABLE {table}_raw")
        raise _first_repeat(path, kind, header, [by_name[k] for k in top10.KEYS[kind]])  # a slot listed twice
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select} FROM {table}_raw")
    con.execute(f"DROP TABLE {table}_raw")
    newest = con.execute(f"SELECT max(week) FROM {table}").fetchone() if "week" in present else None
    return Staged(kind, str(path), table, int(row[1]), newest[0] if newest else None)
