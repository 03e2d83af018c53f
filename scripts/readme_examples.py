"""Rewrite the README's `$ renewcast ...` console blocks with real output (what
tests/test_readme.py checks), on a store built from the bundled data, on a pinned day.

    .venv/bin/python scripts/readme_examples.py   # RENEWCAST_TODAY defaults to the suite's day
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"(```console\n\$ (renewcast [^\n]*)\n)(.*?)(```)", re.S)


def main() -> None:
    os.environ.setdefault("RENEWCAST_TODAY", "2026-12-07")  # tests/conftest.py's TODAY
    sys.path.insert(0, str(ROOT / "src"))
    from click.testing import CliRunner

    from renewcast import build
    from renewcast.cli import main as cli
    from renewcast.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "readme.duckdb"
        build.ensure(Store(db))
        os.environ["RENEWCAST_DB"] = str(db)

        def run(match: re.Match[str]) -> str:
            command, _, pipe = match.group(2).partition(" | ")
            out = CliRunner().invoke(cli, shlex.split(command)[1:]).output
            if pipe:
                out = "".join(out.splitlines(keepends=True)[: int(pipe.split("-")[1])])
            return match.group(1) + out + match.group(4)

        README.write_text(BLOCK.sub(run, README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"rewrote the examples in {README}")


if __name__ == "__main__":
    main()
