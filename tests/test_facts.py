"""The web's per-generation Snapshot answers exactly what the one-season Live reads answer."""

from __future__ import annotations

import json

import duckdb

from renewcast import lookup, report


def test_a_snapshot_report_equals_a_live_report(con: duckdb.DuckDBPyConnection) -> None:
    snap = report.snapshot(con)
    # The seasons with the most to get wrong (corrections, several events, signals, a
    # backtest verdict), films, and a fixed sample of the rest.
    slugs = [r[0] for r in con.execute(
        """SELECT slug FROM seasons WHERE slug IN (SELECT slug FROM ledger_history)
           OR slug IN (SELECT slug FROM ledger GROUP BY slug HAVING count(*) > 1)
           OR slug IN (SELECT slug FROM signals)
           OR hash(slug) % 40 = 0 ORDER BY slug""").fetchall()]
    assert len(slugs) > 100
    kinds, with_peers, with_countries = set(), 0, 0
    for slug in slugs:
        season = lookup.season_by_slug(con, slug)
        assert season is not None
        kinds.add(season["kind"])
        live = report.season_report(con, season)
        cached = report.season_report(con, season, snap)
        assert json.dumps(live, default=str, sort_keys=True) == json.dumps(cached, default=str, sort_keys=True), slug
        assert snap.season(slug) == season
        live_page, cached_page = report.season_page(con, slug), report.season_page(con, slug, facts=snap)
        assert json.dumps(live_page, default=str) == json.dumps(cached_page, default=str), slug
        with_peers += bool(cached_page["peers"])
        with_countries += bool(cached["countries"]["all"])
    assert kinds == {"TV", "Film"}
    assert with_peers > 5 and with_countries > 20  # the sample exercises both grouped reads
