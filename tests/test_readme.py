"""The README's console examples are real output: each `$ renewcast ...` block is run on the
bundled store (on the suite's pinned day) and must print exactly what the README shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from renewcast.cli import main

README = Path(__file__).parent.parent / "README.md"
BLOCK = re.compile(r"```console\n\$ (renewcast [^\n]*)\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples() -> None:
    assert len(examples()) >= 3


@pytest.mark.parametrize(("command", "shown"), examples(), ids=[c for c, _ in examples()])
def test_a_readme_example_prints_what_it_shows(cli_env, command: str, shown: str) -> None:
    command, _, pipe = command.partition(" | ")
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    out = result.output
    if pipe:
        head = re.fullmatch(r"head -(\d+)", pipe.strip())
        assert head, f"only '| head -N' is supported, not {pipe!r}"
        out = "".join(out.splitlines(keepends=True)[: int(head.group(1))])
    assert out == shown


def _commands(group: object, prefix: str = "renewcast") -> list[str]:
    import click

    assert isinstance(group, click.Group)
    out = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += _commands(command, f"{prefix} {name}")
        else:
            out.append(f"{prefix} {name}")
    return out


def test_every_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    commands = _commands(main)
    assert len(commands) > 20
    missing = [c for c in commands if f"`{c}" not in text]
    assert not missing, f"document these in the README's command table: {missing}"


def test_every_api_route_is_in_the_readme(built_store) -> None:
    from renewcast.web.app import create_app

    text = README.read_text(encoding="utf-8")
    routes = sorted(p for p in create_app(built_store.path).openapi()["paths"] if p.startswith("/api/v1/"))
    assert len(routes) >= 10
    missing = [r for r in routes if r.removeprefix("/api/v1/").split("/")[0] not in text]
    assert not missing, f"document these API routes in the README: {missing}"
    for page in ("/show/", "/countries", "/board", "/track-record", "/compare", "/week/"):
        assert page in text, page
