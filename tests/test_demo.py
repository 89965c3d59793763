"""`baokan demo` end to end, as a user runs it: a fresh directory, default settings, twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb

REPRINT = "让实验室成果走出“最后一公里”"
SEED = "2025年国家高新区和自创区十大新闻"


def _demo(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOKAN_")}
    baokan = Path(sys.executable).with_name("baokan")
    return subprocess.run(
        [str(baokan), "demo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "articles": con.execute("SELECT * FROM marts.articles ORDER BY article_id").fetchall(),
            "issues": con.execute("SELECT * FROM marts.issues ORDER BY issue_date").fetchall(),
        }


def test_demo_twice_in_a_fresh_directory(tmp_path: Path, truth: dict[str, dict[str, Any]]) -> None:
    first = _demo(tmp_path)
    assert first.returncode == 0, first.stderr
    db = tmp_path / "data" / "warehouse.duckdb"  # the documented default location
    assert db.exists()
    assert (
        "issues     2 loaded (2025-12-29 complete, 2026-01-05 complete), 0 failed" in first.stdout
    )
    assert "articles   18, ads 2" in first.stdout
    assert "clusters   17 (1 with more than one member" in first.stdout
    assert "crawl sample" in first.stderr  # progress while it works
    assert "SELECT" in first.stdout and str(db) in first.stdout

    snap = _snapshot(db)
    with duckdb.connect(str(db), read_only=True) as con:
        arts = con.execute(
            "SELECT title, body, cluster_id, is_canonical, text_source FROM marts.articles"
        ).fetchall()
        statuses = con.execute("SELECT status FROM marts.issues").fetchall()
    expected = sorted(a["title"] for i in truth.values() for p in i["pages"] for a in p["articles"])
    assert sorted(t for t, *_ in arts) == expected
    assert all(title and body for title, body, *_ in arts)
    assert statuses == [("complete",), ("complete",)]
    reprints = [(c, canon) for t, _, c, canon, _ in arts if t == REPRINT]
    assert len(reprints) == 2 and reprints[0][0] == reprints[1][0]
    assert sorted(canon for _, canon in reprints) == [False, True]
    seed = next(a for a in arts if a[0] == SEED)
    assert "精准性培育" in seed[1] and "欢迎订阅" not in seed[1] and seed[4] == "both"

    second = _demo(tmp_path)
    assert second.returncode == 0, second.stderr
    assert _snapshot(db) == snap


SECRET = "Pa55-w0rd-not-to-show"


def test_demo_never_prints_the_warehouse_password(tmp_path: Path, pg_url: str) -> None:
    """A PostgreSQL URL with a password (trust auth takes any): masked in every line."""
    from urllib.parse import urlsplit

    parts = urlsplit(pg_url)
    url = parts._replace(netloc=f"postgres:{SECRET}@{parts.netloc}").geturl()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOKAN_")}
    env |= {"BAOKAN_WAREHOUSE": url, "BAOKAN_DATA_DIR": str(tmp_path / "data")}
    baokan = Path(sys.executable).with_name("baokan")
    run = subprocess.run(
        [str(baokan), "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    masked = parts._replace(netloc=f"postgres:***@{parts.netloc}").geturl()
    assert f"into {masked}" in run.stderr and f"warehouse  {masked}" in run.stdout
    assert f"psql '{parts._replace(netloc=f'postgres@{parts.netloc}').geturl()}'" in run.stdout
    assert SECRET not in run.stdout + run.stderr
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "data").rglob("*.log"))
    assert SECRET not in logs
