"""BAOKAN_WAREHOUSE switches every command: demo, ingest, reparse and export, on PostgreSQL too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from baokan.config import Settings
from tests.test_warehouse import DAY, REPRINT, rows
from warehouse.schema import MARTS


def baokan(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed `baokan` command with exactly these BAOKAN_* settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BAOKAN_")}
    exe = Path(sys.executable).with_name("baokan")
    return subprocess.run(
        [str(exe), *args], env={**clean, **env}, cwd=cwd, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def test_demo_loads_into_postgresql(tmp_path: Path, pg_url: str) -> None:
    done = baokan("demo", env={"BAOKAN_WAREHOUSE": pg_url}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "articles   18, ads 2" in done.stdout and "psql" in done.stdout
    assert rows(pg_url, "SELECT count(*) FROM marts.articles") == [(18,)]
    assert rows(pg_url, "SELECT count(*) FROM marts.reprints WHERE title = ?", [REPRINT]) == [(1,)]
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_ingest_and_reparse_load_into_postgresql(
    tmp_path: Path, pg_url: str, sample_url: str, crawled: Settings
) -> None:
    env = {"BAOKAN_DATA_DIR": str(tmp_path / "data"), "BAOKAN_WAREHOUSE": pg_url}
    done = baokan(
        "ingest", "sample", "--date", DAY, "--base-url", sample_url, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    first = rows(pg_url, "SELECT * FROM marts.articles ORDER BY article_id")
    assert len(first) == 9
    done = baokan("reparse", "sample", "--date", DAY, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert rows(pg_url, "SELECT * FROM marts.articles ORDER BY article_id") == first
    assert rows(pg_url, "SELECT count(*) FROM core.load_runs") == [(2,)]


def test_export_parquet_gives_the_same_files_from_both_backends(
    tmp_path: Path, pg_url: str, crawled: Settings
) -> None:
    tables = {}
    for name, url in (("duckdb", f"duckdb:///{tmp_path / 'wh.duckdb'}"), ("postgresql", pg_url)):
        data = tmp_path / name
        shutil.copytree(crawled.raw_dir, data / "raw")
        env = {"BAOKAN_DATA_DIR": str(data), "BAOKAN_WAREHOUSE": url}
        assert baokan("reparse", "sample", "--date", DAY, env=env, cwd=tmp_path).returncode == 0
        done = baokan("export", "--format", "parquet", env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        tables[name] = {
            m.name: pq.read_table(data / "export" / f"{m.name.split('.')[1]}.parquet")
            for m in MARTS
        }
    articles = tables["duckdb"]["marts.articles"]
    assert articles.num_rows == 9
    assert articles.column_names == [c for c, _, _ in MARTS[0].columns]
    for mart in MARTS:
        duck, pg = tables["duckdb"][mart.name], tables["postgresql"][mart.name]
        assert duck.schema == pg.schema, mart.name
        key = [(duck.column_names[0], "ascending")]
        assert duck.sort_by(key).to_pylist() == pg.sort_by(key).to_pylist(), mart.name


def test_export_refuses_an_unknown_format(tmp_path: Path) -> None:
    done = baokan("export", "--format", "csv", env={}, cwd=tmp_path)
    assert done.returncode == 2 and "invalid choice" in done.stderr
