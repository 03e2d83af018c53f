"""Shared fixtures. The bundled data is real: most tests read a store built from it once."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from renewcast import build
from renewcast.config import BUNDLED_DATA
from renewcast.store import Store

TOP10 = BUNDLED_DATA / "netflix-top10"

#: The suite runs on one fixed day, so "141 days ago" and the board are the same every run.
TODAY = "2026-12-07"
os.environ["RENEWCAST_TODAY"] = TODAY


def sha256(path: Path) -> str:
    """The file's digest: 'the store is unchanged' means byte for byte."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(tmp_path: Path, text: str | bytes, name: str) -> Path:
    """A test file with exactly these bytes (text is written as UTF-8)."""
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path
ENGAGEMENT = BUNDLED_DATA / "netflix-engagement"


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store built from every bundled file, once per test session (read-only use)."""
    store = Store(tmp_path_factory.mktemp("built") / "renewcast.duckdb")
    build.ensure(store)
    return store


@pytest.fixture
def store_copy(built_store: Store, tmp_path: Path) -> Store:
    """A private copy of the built store, for tests that write."""
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(built_store.path, path)
    return Store(path)


@pytest.fixture
def con(built_store: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    with built_store.reading() as connection:
        yield connection


@pytest.fixture
def cli_env(built_store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """Point the CLI at the built store."""
    monkeypatch.setenv("RENEWCAST_DB", str(built_store.path))
    return built_store


def web_client(db: Path) -> Any:
    """An in-process client of the web app on a store (starlette's httpx note silenced at import)."""
    import warnings

    from renewcast.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(create_app(db), raise_server_exceptions=False)
