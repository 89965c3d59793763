"""Shared fixtures: the bundled sample served on 127.0.0.1 and isolated data directories."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from baokan.config import Settings
from baokan.demo import sample_dates, sample_root
from baokan.serve import serve_directory


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """baokan/sample: site/ and truth/."""
    return sample_root()


@pytest.fixture(scope="session")
def truth(sample_dir: Path) -> dict[str, dict[str, Any]]:
    """The generator's record of what every sample page really says, by issue date."""
    return {
        d: json.loads((sample_dir / "truth" / f"{d}.json").read_text("utf-8"))
        for d in sample_dates()
    }


@pytest.fixture(scope="session")
def sample_url(sample_dir: Path) -> Iterator[str]:
    """Base URL of the sample e-paper served on 127.0.0.1 for the whole session."""
    with serve_directory(sample_dir / "site") as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A private data dir and DuckDB warehouse, also exported for subprocesses."""
    monkeypatch.setenv("BAOKAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BAOKAN_WAREHOUSE", f"duckdb:///{tmp_path / 'data' / 'wh.duckdb'}")
    monkeypatch.delenv("BAOKAN_SITES_DIR", raising=False)
    return Settings.from_env()


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory, sample_url: str) -> Settings:
    """Both sample issues crawled once into a session data dir (read-only for tests)."""
    from baokan.steps import crawl_dates

    root = tmp_path_factory.mktemp("crawled")
    settings = Settings(data_dir=root, warehouse=f"duckdb:///{root / 'wh.duckdb'}", sites_dir=None)
    crawl_dates("sample", sample_dates(), base_url=sample_url, settings=settings)
    return settings


@pytest.fixture
def site_copy(tmp_path: Path, sample_dir: Path) -> Path:
    """A private copy of the sample site that a test may break."""
    dest = tmp_path / "site"
    shutil.copytree(sample_dir / "site", dest)
    return dest


# PostgreSQL: the real server (trust auth); each test gets a database of its own.
POSTGRES_ADMIN = os.environ.get("BAOKAN_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


@contextmanager
def fresh_database(prefix: str = "baokan_t_") -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped on exit; fails the test if no server."""
    import psycopg

    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_ADMIN} is not reachable (.ci/run starts it): {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlsplit(POSTGRES_ADMIN)._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    with fresh_database() as url:
        yield url


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh warehouse URL on each backend in turn."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'wh.duckdb'}"
    return str(request.getfixturevalue("pg_url"))
