"""The backfill benchmarks' housekeeping: what they leave behind on PostgreSQL.

Each script's main() runs for real (argument parsing, its loopback server, its PostgreSQL
databases made and dropped) with the replica and the `baokan ingest` run faked: what is under
test is the bookkeeping around them, not the numbers.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench_backfill as bb  # noqa: E402
import bench_backfill_airflow as bba  # noqa: E402

POSTGRES_ADMIN = os.environ.get("BAOKAN_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


def databases() -> set[str]:
    """Names of the server's databases."""
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN) as conn:
        return {str(r[0]) for r in conn.execute("SELECT datname FROM pg_database").fetchall()}


@pytest.fixture
def fake_bench(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """A one-day replica that is only a directory, and an ingest that only notes its warehouse.

    Results go under tmp_path/bench-results; returns the warehouse URLs the runs were given.
    """
    (tmp_path / "replica" / "site").mkdir(parents=True)
    replica = {"root": tmp_path / "replica", "pages": 8, "articles": 60, "chars": 24000}
    replica.update(generated_days=0, generate_s=0.0)
    monkeypatch.setattr(bb, "generate", lambda days, cache, jobs: dict(replica))
    given: list[str] = []

    def run_ingest(_r: Any, _url: str, warehouse: str, *_args: Any) -> dict[str, Any]:
        given.append(warehouse)
        if warehouse.startswith("postgresql"):  # the script made the database for this run
            assert warehouse.rsplit("/", 1)[1] in databases()
        return {"rc": 0, "wall_s": 1.0, "tree_peak_mb": 1.0, "loaded": {}, "stages": {}}

    monkeypatch.setattr(bb, "run_ingest", run_ingest)
    monkeypatch.setattr(bb, "ROOT", tmp_path)
    monkeypatch.setattr(bba, "ROOT", tmp_path)
    return given


def _main(module: Any, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", [f"{module.__name__}.py", "--days", "1", *args])
    return int(module.main())


def test_backfill_bench_drops_its_postgres_database(
    fake_bench: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"bench_t_{uuid.uuid4().hex[:12]}"
    args = ("--backend", "postgresql", "--postgres", POSTGRES_ADMIN, "--pg-database", name)
    assert _main(bb, monkeypatch, *args, "--variant", "a:", "--variant", "b:") == 0
    assert [url.rsplit("/", 1)[1] for url in fake_bench] == [name, name]
    assert name not in databases()


def test_backfill_bench_keep_keeps_the_database(
    fake_bench: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"bench_t_{uuid.uuid4().hex[:12]}"
    args = ("--backend", "postgresql", "--postgres", POSTGRES_ADMIN, "--pg-database", name)
    try:
        assert _main(bb, monkeypatch, *args, "--keep") == 0
        assert name in databases()
    finally:
        bb.drop_database(POSTGRES_ADMIN, name)


def test_airflow_bench_cli_run_drops_its_postgres_database(
    fake_bench: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"bench_t_{uuid.uuid4().hex[:12]}"
    args = ("--no-airflow", "--postgres", POSTGRES_ADMIN, "--cli-pg-database", name)
    assert _main(bba, monkeypatch, *args) == 0
    assert [url.rsplit("/", 1)[1] for url in fake_bench] == [name]
    assert name not in databases()


def test_airflow_bench_cli_only_run_keeps_the_airflow_results(
    fake_bench: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--no-airflow writes its CLI figures beside the Airflow run's file, not over it."""
    results = tmp_path / "bench-results"
    results.mkdir()
    airflow_run = '{"days": 30, "airflow": {"wall_s": 926.6}, "cli": {"wall_s": 70.8}}\n'
    (results / "backfill-airflow.json").write_text(airflow_run, encoding="utf-8")
    name = f"bench_t_{uuid.uuid4().hex[:12]}"
    args = ("--no-airflow", "--postgres", POSTGRES_ADMIN, "--cli-pg-database", name)
    assert _main(bba, monkeypatch, *args) == 0
    assert (results / "backfill-airflow.json").read_text(encoding="utf-8") == airflow_run
    cli_only = json.loads((results / "backfill-airflow-cli.json").read_text(encoding="utf-8"))
    assert cli_only["airflow"] is None and cli_only["cli"]["rc"] == 0
