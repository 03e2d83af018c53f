"""The CLI: one-line errors, exit codes, and every command documented."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from renewcast.cli import main

README = Path(__file__).parent.parent / "README.md"


def commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        names.append(f"{prefix}{name}")
        if isinstance(command, click.Group):
            names += commands(command, f"{prefix}{name} ")
    return names


@pytest.mark.parametrize("name", commands(main))
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 3
    assert f"renewcast {name}" in README.read_text(encoding="utf-8")


def test_bad_file_is_one_line_and_non_zero(tmp_path: Path) -> None:
    bad = tmp_path / "broken.tsv"
    bad.write_text("<html><body>502 Bad Gateway</body></html>", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "x.duckdb"), "ingest", str(bad)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert "broken.tsv, line 1" in result.output and "HTML" in result.output
    assert not (tmp_path / "x.duckdb").exists()


def test_ingest_reports_rows(tmp_path: Path) -> None:
    from renewcast.config import BUNDLED_DATA

    result = CliRunner().invoke(main, ["--db", str(tmp_path / "x.duckdb"), "ingest",
                                       str(BUNDLED_DATA / "netflix-top10" / "most-popular.tsv")])
    assert result.exit_code == 0, result.output
    assert "most_popular" in result.output and "40 rows" in result.output


def test_unknown_title_suggests(cli_env) -> None:
    result = CliRunner().invoke(main, ["show", "Strnger Things"])
    assert result.exit_code == 1
    assert "did you mean: 'Stranger Things'" in result.output


def test_search_and_top10_json(cli_env) -> None:
    found = json.loads(CliRunner().invoke(main, ["search", "imperfects", "--json"]).output)
    assert found["results"][0]["slug"] == "the-imperfects-season-1"
    latest = json.loads(CliRunner().invoke(main, ["top10", "--json"]).output)
    assert latest["week"] == "2026-07-19"
    assert latest["known"]["data_age_days"] == 141
    assert sorted(latest["lists"]) == ["Films (English)", "Films (Non-English)", "TV (English)", "TV (Non-English)"]
    assert all(len(rows) == 10 for rows in latest["lists"].values())
