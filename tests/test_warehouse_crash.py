"""Crashes and concurrency on real backends: a load killed midway, two loads at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from baokan.config import Settings
from baokan.steps import dedup_issue, load_issue, parse_issue, process_issue
from tests.test_warehouse import DAY, DAY2, REPRINT, make_settings, rows
from warehouse import open_warehouse
from warehouse.postgres_store import PostgresWarehouse
from warehouse.store import WarehouseError

# The child loads one staged issue and stops inside its transaction, right after the new
# articles went in; the parent kills it there (or lets it finish after PAUSE seconds).
CHILD = """
import sys, time
from baokan import steps
from warehouse.duckdb_store import DuckDBWarehouse
from warehouse.postgres_store import PostgresWarehouse

pause = float(sys.argv[3])
for cls in (DuckDBWarehouse, PostgresWarehouse):
    def paused(self, table, columns, real=cls.bulk_insert):
        real(self, table, columns)
        if table == "core.articles":
            print("MID-LOAD", flush=True)
            time.sleep(pause)
    cls.bulk_insert = paused
print(steps.load_issue(sys.argv[1], sys.argv[2])["load_run"], flush=True)
"""


def start_child(settings: Settings, day: str, pause: float) -> subprocess.Popen[str]:
    """A `load_issue` subprocess paused mid-transaction; returns once it says it is there."""
    env = {**os.environ, "BAOKAN_DATA_DIR": str(settings.data_dir)}
    env["BAOKAN_WAREHOUSE"] = settings.warehouse
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, "sample", day, str(pause)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "MID-LOAD", f"child did not reach the middle of its load: {line!r}"
    return proc


def stage(settings: Settings, day: str) -> None:
    """Parse and dedup an issue so that load_issue can run on it."""
    parse_issue("sample", day, settings=settings)
    dedup_issue("sample", day, settings=settings)


@pytest.fixture
def wh(crawled: Settings, tmp_path: Path, warehouse_url: str) -> Settings:
    """Settings with a private raw zone and an empty warehouse, once per backend."""
    return make_settings(crawled, tmp_path, warehouse_url)


def test_a_killed_load_leaves_the_previous_state_and_a_rerun_equals_a_clean_run(
    wh: Settings,
) -> None:
    first = process_issue("sample", DAY, settings=wh)["load_run"]
    clean = rows(wh.warehouse, "SELECT * FROM marts.articles ORDER BY article_id")
    issues = rows(wh.warehouse, "SELECT * FROM marts.issues")

    child = start_child(wh, DAY, pause=600)
    child.kill()  # SIGKILL: no rollback, no cleanup, no goodbye
    child.wait(timeout=30)

    assert rows(wh.warehouse, "SELECT * FROM marts.articles ORDER BY article_id") == clean
    assert rows(wh.warehouse, "SELECT * FROM marts.issues") == issues
    assert rows(wh.warehouse, "SELECT DISTINCT load_run FROM core.articles") == [(first,)]
    assert rows(wh.warehouse, "SELECT count(*) FROM core.load_runs") == [(1,)]

    second = load_issue("sample", DAY, settings=wh)["load_run"]
    assert rows(wh.warehouse, "SELECT * FROM marts.articles ORDER BY article_id") == clean
    assert rows(wh.warehouse, "SELECT DISTINCT load_run FROM core.articles") == [(second,)]


def test_duckdb_second_writer_fails_clearly_then_waits(crawled: Settings, tmp_path: Path) -> None:
    wh = make_settings(crawled, tmp_path, f"duckdb:///{tmp_path / 'wh.duckdb'}")
    stage(wh, DAY)
    stage(wh, DAY2)
    child = start_child(wh, DAY, pause=600)
    try:
        with pytest.raises(WarehouseError, match=r"in use by another process.*1 s"):
            open_warehouse(wh.warehouse + "?lock_timeout=1")
    finally:
        child.kill()
        child.wait(timeout=30)

    child = start_child(wh, DAY, pause=2)  # holds the file ~2 s, then commits
    waiting = Settings(wh.data_dir, wh.warehouse + "?lock_timeout=60", None)
    load_issue("sample", DAY2, settings=waiting)  # waits for the child instead of failing
    assert child.wait(timeout=60) == 0
    counts = rows(
        wh.warehouse,
        "SELECT CAST(issue_date AS VARCHAR), count(*) FROM core.articles GROUP BY 1 ORDER BY 1",
    )
    assert counts == [(DAY, 9), (DAY2, 9)]


def _paused_postgres(
    monkeypatch: pytest.MonkeyPatch, day: str, after: str = "core.articles"
) -> tuple[threading.Event, threading.Event]:
    """Make loads of `day` stop after writing table `after` until released; (reached,
    release)."""
    reached, release = threading.Event(), threading.Event()
    real = PostgresWarehouse.bulk_insert

    def paused(self: PostgresWarehouse, table: str, columns: Any) -> None:
        real(self, table, columns)
        if table == after and str(columns["issue_date"][0]) == day:
            reached.set()
            assert release.wait(60), "test never released the paused load"

    monkeypatch.setattr(PostgresWarehouse, "bulk_insert", paused)
    return reached, release


def _in_thread(settings: Settings, day: str) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(load_issue("sample", day, settings=settings))
        except BaseException as exc:  # surfaced by the test
            out.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_postgres_loads_of_different_issues_run_at_once(
    crawled: Settings, tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh = make_settings(crawled, tmp_path, pg_url)
    stage(wh, DAY)
    stage(wh, DAY2)
    open_warehouse(pg_url).close()  # migrate first, so both loads only load
    # Paused after its pages, before deduplicating against history: from there to its commit
    # a load holds the history locks, and loads take turns (test_warehouse_concurrency.py).
    reached, release = _paused_postgres(monkeypatch, DAY, after="core.pages")
    slow, slow_out = _in_thread(wh, DAY)
    assert reached.wait(60)
    load_issue("sample", DAY2, settings=wh)  # completes while DAY's transaction is open
    assert rows(pg_url, "SELECT count(*) FROM core.articles") == [(9,)]  # DAY not visible yet
    assert rows(pg_url, "SELECT count(*) FROM core.pages") == [(3,)]
    release.set()
    slow.join(60)
    assert not isinstance(slow_out[0], BaseException), slow_out
    counts = rows(
        pg_url,
        "SELECT CAST(issue_date AS VARCHAR), count(*) FROM core.articles GROUP BY 1 ORDER BY 1",
    )
    assert counts == [(DAY, 9), (DAY2, 9)]
    # DAY deduplicated after DAY2 committed: the reprint they share is one cluster.
    reprint = "SELECT count(DISTINCT cluster_id), count(*) FROM marts.articles WHERE title = ?"
    assert rows(pg_url, reprint, [REPRINT]) == [(1, 2)]


def test_postgres_loads_of_the_same_issue_take_turns(
    crawled: Settings, tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh = make_settings(crawled, tmp_path, pg_url)
    stage(wh, DAY)
    open_warehouse(pg_url).close()
    reached, release = _paused_postgres(monkeypatch, DAY)
    first, first_out = _in_thread(wh, DAY)
    assert reached.wait(60)
    reached.clear()
    second, second_out = _in_thread(wh, DAY)
    second.join(2)
    assert second.is_alive()  # blocked on the issue's lock, not writing beside the first
    release.set()
    first.join(60)
    second.join(60)
    assert not any(isinstance(o, BaseException) for o in first_out + second_out)
    assert rows(pg_url, "SELECT count(*), count(DISTINCT load_run) FROM core.articles") == [(9, 1)]
    assert rows(pg_url, "SELECT load_run FROM core.issues") == [(second_out[0]["load_run"],)]
