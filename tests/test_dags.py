"""Tests for the Airflow DAGs in ``dags/``.

Everything Airflow runs in child interpreters (see ``tests/airflow_support.py``), so this
module never imports ``airflow`` itself and does not depend on test ordering or on the
developer's ``AIRFLOW_*`` environment.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.airflow_support import (
    HEAVY_MODULES,
    init_airflow_db,
    inspect_dags,
    run_dag_test,
)

DAG_ID = "baokan_issue"
TASKS = ("crawl", "parse", "dedup", "load")


@pytest.fixture(scope="module")
def dag_info(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The dags/ folder as parsed by Airflow's DagBag in a fresh interpreter."""
    return inspect_dags(tmp_path_factory.mktemp("airflow_inspect"))


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A tmp AIRFLOW_HOME with an initialised SQLite metadata DB, shared by this module."""
    home = tmp_path_factory.mktemp("airflow_home")
    init_airflow_db(home)
    yield home


# --------------------------------------------------------------------------- integrity


def test_dags_folder_imports_cleanly(dag_info: dict[str, Any]) -> None:
    assert dag_info["import_errors"] == {}
    assert dag_info["warnings"] == {}
    assert DAG_ID in dag_info["dags"]


def test_dag_structure(dag_info: dict[str, Any]) -> None:
    dag = dag_info["dags"][DAG_ID]
    tasks = dag["tasks"]
    assert set(tasks) == set(TASKS)
    for upstream, downstream in pairwise(TASKS):
        assert tasks[downstream]["upstream"] == [upstream]
        assert tasks[upstream]["downstream"] == [downstream]
    assert tasks["crawl"]["upstream"] == []
    assert tasks["load"]["downstream"] == []
    assert "baokan" in dag["tags"]
    assert dag["schedule"] is None
    assert dag["catchup"] is False
    assert dag["start_date"] is not None
    assert dag["has_doc_md"]
    assert dag["params"] == {"site": "sample", "base_url": None, "issue_date": None}
    for task in tasks.values():
        assert task["retries"] >= 2
        # Airflow 3: a multiplier; 0 (and True == 1.0) means no backoff at all.
        assert task["retry_exponential_backoff"] > 1


def test_dag_file_import_stays_thin(dag_info: dict[str, Any]) -> None:
    """Parsing dags/ must not import the library or its heavy dependencies."""
    assert dag_info["heavy_modules_loaded"] == [], HEAVY_MODULES


# --------------------------------------------------------------------------- dag.test()

FAKE_STEPS = '''
"""Stand-in for baokan.steps: records each call as one JSON line."""
import json
import os


def _record(step, site_id, issue_date, **kwargs):
    call = {"step": step, "site": site_id, "issue_date": issue_date, **kwargs}
    with open(os.environ["FAKE_STEPS_LOG"], "a", encoding="utf-8") as fh:
        fh.write(json.dumps(call) + "\\n")
    return {"step": step, "count": 1}


def crawl_issue(site_id, issue_date, *, base_url=None):
    return _record("crawl", site_id, issue_date, base_url=base_url)


def parse_issue(site_id, issue_date):
    return _record("parse", site_id, issue_date)


def dedup_issue(site_id, issue_date):
    return _record("dedup", site_id, issue_date)


def load_issue(site_id, issue_date):
    return _record("load", site_id, issue_date)
'''


def test_issue_date_defaults_to_logical_date(airflow_home: Path, tmp_path: Path) -> None:
    """Without an issue_date param the run's logical date is used (wiring only, fake steps)."""
    fake_root = tmp_path / "fake"
    (fake_root / "baokan").mkdir(parents=True)
    (fake_root / "baokan" / "__init__.py").write_text("", encoding="utf-8")
    (fake_root / "baokan" / "steps.py").write_text(textwrap.dedent(FAKE_STEPS), encoding="utf-8")
    calls_log = tmp_path / "calls.jsonl"

    result = run_dag_test(
        airflow_home,
        DAG_ID,
        logical_date="2025-12-29T00:00:00+00:00",
        extra_env={
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(fake_root), os.environ.get("PYTHONPATH")])
            ),
            "FAKE_STEPS_LOG": str(calls_log),
        },
    )

    assert result["state"] == "success", result["log_path"]
    calls = [json.loads(line) for line in calls_log.read_text(encoding="utf-8").splitlines()]
    assert [c["step"] for c in calls] == list(TASKS)
    assert {(c["site"], c["issue_date"]) for c in calls} == {("sample", "2025-12-29")}
    assert calls[0]["base_url"] is None
    assert result["xcom"] == {t: {"step": t, "count": 1} for t in TASKS}


def test_dag_test_end_to_end(airflow_home: Path, tmp_path: Path, sample_url: str) -> None:
    """Crawl the bundled sample e-paper over HTTP and load it into a tmp DuckDB warehouse.

    ``sample_url`` (tests/conftest.py) serves baokan/sample/site on 127.0.0.1.
    """
    import duckdb

    warehouse = tmp_path / "warehouse.duckdb"
    result = run_dag_test(
        airflow_home,
        DAG_ID,
        run_conf={"base_url": sample_url, "issue_date": "2025-12-29"},
        extra_env={
            "BAOKAN_DATA_DIR": str(tmp_path / "data"),
            "BAOKAN_WAREHOUSE": f"duckdb:///{warehouse}",
        },
    )

    assert result["state"] == "success", result["log_path"]
    assert result["tasks"] == {t: "success" for t in TASKS}, result["log_path"]
    for task_id in TASKS:  # only small JSON dicts travel through XCom
        assert isinstance(result["xcom"][task_id], dict)
        assert len(json.dumps(result["xcom"][task_id])) < 10_000

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        articles = con.execute(
            "SELECT title, body FROM marts.articles"
            " WHERE site_id = 'sample' AND CAST(issue_date AS VARCHAR) = ?",
            ["2025-12-29"],
        ).fetchall()
        statuses = con.execute(
            "SELECT status FROM marts.issues"
            " WHERE site_id = 'sample' AND CAST(issue_date AS VARCHAR) = ?",
            ["2025-12-29"],
        ).fetchall()
    finally:
        con.close()
    assert len(articles) == 9
    assert all(title and title.strip() and body and body.strip() for title, body in articles)
    assert statuses == [("complete",)]


def test_dag_test_loads_into_postgresql(
    airflow_home: Path, tmp_path: Path, sample_url: str, pg_url: str
) -> None:
    """BAOKAN_WAREHOUSE=postgresql://… switches the DAG's load task to the real server."""
    from warehouse import open_warehouse

    result = run_dag_test(
        airflow_home,
        DAG_ID,
        run_conf={"base_url": sample_url, "issue_date": "2025-12-29"},
        extra_env={"BAOKAN_DATA_DIR": str(tmp_path / "data"), "BAOKAN_WAREHOUSE": pg_url},
    )
    assert result["state"] == "success", result["log_path"]
    with open_warehouse(pg_url) as store:
        assert store.execute("SELECT count(*) FROM marts.articles") == [(9,)]
        assert store.execute("SELECT status FROM marts.issues") == [("complete",)]
