"""Scale-out: one baokan_sample run through a Celery worker (Redis broker, PostgreSQL metadata).

Starts the stack with the documented scripts/airflow_celery_up.sh against the machine's Redis
(127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432, database ``airflow_celery_test``, recreated).
A missing Redis or PostgreSQL fails the test; it never skips.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from tests.airflow_live import running_airflow

pytestmark = pytest.mark.airflow_live

PAPER = "baokan_sample"
DB = "airflow_celery_test"


def test_one_run_through_a_celery_worker(
    tmp_path_factory: pytest.TempPathFactory, sample_url: str
) -> None:
    home = tmp_path_factory.mktemp("celery")
    queue = f"baokan-{uuid.uuid4().hex[:8]}"  # our own queue on the shared Redis
    with running_airflow(
        home,
        up="airflow_celery_up.sh",
        BAOKAN_CELERY_DB=DB,
        BAOKAN_CELERY_RESET="1",
        AIRFLOW__OPERATORS__DEFAULT_QUEUE=queue,
    ) as airflow:
        airflow.wait_for_dag(PAPER)
        airflow.unpause(PAPER)
        run_id = airflow.trigger(PAPER, {"base_url": sample_url, "issue_date": "2026-01-05"})
        run = airflow.wait_run(PAPER, run_id)
        tis = airflow.api("GET", f"dags/{PAPER}/dagRuns/{run_id}/taskInstances")["task_instances"]

    states = {(t["task_id"], t["map_index"]): t["state"] for t in tis}
    assert run["state"] == "success", states
    assert len(tis) == 9 and set(states.values()) == {"success"}
    assert {t["queue"] for t in tis} == {queue}
    # Every task instance went through the broker to the worker (the only process that runs
    # tasks under CeleryExecutor).
    worker_log = (Path(home) / "celery-worker.log").read_text(encoding="utf-8")
    executed = [line for line in worker_log.splitlines() if "Executing workload in Celery" in line]
    assert len([line for line in executed if run_id in line]) == 9
    # The run lives in the PostgreSQL metadata database.
    rows = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB, "-tAc",
         f"SELECT state FROM dag_run WHERE run_id = '{run_id}'"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert rows == ["success"]
