"""Run Airflow 3 pieces (DagBag, ``dag.test()``) for tests, isolated in subprocesses.

Why subprocesses: ``import airflow`` reads its configuration and configures the ORM at
import time (``settings.initialize()``), so ``AIRFLOW_HOME`` and friends must be set
*before* the first import and cannot be changed afterwards. Running the Airflow part in a
fresh interpreter with a scrubbed environment keeps the pytest process free of Airflow
(no stray ``~/airflow``), makes the test independent of test ordering and of whatever
``AIRFLOW__*`` variables the developer has exported, and sidesteps an in-process
``dag.test()`` quirk: Param objects keep the values resolved from the previous run's
conf, so a second ``dag.test()`` of the same DAG object in one process sees stale params.

Parent side: :func:`airflow_env`, :func:`init_airflow_db`, :func:`inspect_dags`,
:func:`run_dag_test`.
Child side: ``python tests/airflow_support.py ACTION IN.json OUT.json`` (see :func:`main`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DAGS_FOLDER = REPO_ROOT / "dags"
HEAVY_MODULES = ("scrapy", "pdfplumber", "pdfminer", "duckdb", "bs4", "lxml", "psycopg", "numpy")
# The only baokan modules a DAG file may import at parse time (stdlib + tomllib underneath).
LIGHT_BAOKAN = ("baokan", "baokan.airflow_tasks", "baokan.config", "baokan.sites")


# --------------------------------------------------------------------------- parent side


def airflow_env(
    home: Path, *, dags_folder: Path = DAGS_FOLDER, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Environment for an isolated Airflow: tmp AIRFLOW_HOME, SQLite metadata DB, no examples.

    Every inherited ``AIRFLOW*`` variable is dropped so a developer's own setup
    (e.g. a Postgres ``SQL_ALCHEMY_CONN``) can never leak into the test.
    """
    home = Path(home).resolve()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__DAGS_FOLDER": str(Path(dags_folder).resolve()),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            # local test servers must never go through a proxy
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    if extra:
        env.update(extra)
    return env


def _run_child(
    action: str,
    payload: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    workdir: Path,
    timeout: float = 600,
) -> dict[str, Any]:
    """Run ``main(action)`` of this file in a fresh interpreter; return its JSON result."""
    workdir.mkdir(parents=True, exist_ok=True)
    in_path = workdir / f"{action}.in.json"
    out_path = workdir / f"{action}.out.json"
    log_path = workdir / f"{action}.log"
    in_path.write_text(json.dumps(payload), encoding="utf-8")
    out_path.unlink(missing_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), action, str(in_path), str(out_path)],
            env=dict(env),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    if proc.returncode != 0 or not out_path.exists():
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-6000:]
        raise RuntimeError(
            f"airflow child {action!r} failed (rc={proc.returncode}); log {log_path}:\n{tail}"
        )
    result: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
    result["log_path"] = str(log_path)
    return result


def init_airflow_db(home: Path, *, timeout: float = 300) -> float:
    """Create the SQLite metadata DB under ``home`` (like ``airflow db migrate``); return seconds.

    Uses ``airflow.utils.db.initdb()`` in a child process: on an empty DB it creates the
    tables from the ORM and stamps the alembic head (~2 s plus ~2.5 s of ``import airflow``).
    """
    result = _run_child("initdb", {}, airflow_env(home), workdir=Path(home), timeout=timeout)
    return float(result["seconds"])


def inspect_dags(
    home: Path, *, dags_folder: Path = DAGS_FOLDER, extra_env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Parse ``dags_folder`` with Airflow's DagBag in a fresh interpreter (no DB needed).

    Returns ``{"import_errors": {...}, "dags": {dag_id: {...}}, "heavy_modules_loaded": [...]}``.
    """
    env = airflow_env(home, dags_folder=dags_folder, extra=extra_env)
    return _run_child(
        "inspect", {"dags_folder": str(dags_folder)}, env, workdir=Path(home), timeout=300
    )


def run_dag_test(
    home: Path,
    dag_id: str,
    *,
    run_conf: Mapping[str, Any] | None = None,
    logical_date: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    no_retries: bool = True,
    timeout: float = 600,
) -> dict[str, Any]:
    """Run ``dag.test()`` once for ``dag_id`` in a fresh interpreter (DB must be initialised).

    ``logical_date`` is an ISO datetime string (or None for Airflow's default, "now").
    With ``no_retries`` every task's retries are set to 0 first, so a failing task fails
    the run at once instead of ``dag.test()`` sleeping through the retry backoff.
    Returns ``{"state", "run_id", "logical_date", "tasks": {task_id: state},
    "xcom": {task_id: return_value}, "seconds"}``.
    """
    payload = {
        "dags_folder": str(DAGS_FOLDER),
        "dag_id": dag_id,
        "run_conf": dict(run_conf) if run_conf is not None else None,
        "logical_date": logical_date,
        "no_retries": no_retries,
    }
    env = airflow_env(home, extra=extra_env)
    return _run_child("dag_test", payload, env, workdir=Path(home), timeout=timeout)


# --------------------------------------------------------------------------- child side


def _child_initdb(payload: Mapping[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    from airflow.utils import db

    db.initdb()
    return {"seconds": time.perf_counter() - started}


def _child_inspect(payload: Mapping[str, Any]) -> dict[str, Any]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=payload["dags_folder"])
    dags: dict[str, Any] = {}
    for dag_id, dag in bag.dags.items():
        dags[dag_id] = {
            "fileloc": dag.fileloc,
            "tags": sorted(dag.tags),
            "schedule": None if dag.schedule is None else str(dag.schedule),
            "timetable": type(dag.timetable).__name__,
            "timezone": str(dag.timezone),
            "max_active_runs": dag.max_active_runs,
            "catchup": dag.catchup,
            "start_date": dag.start_date.isoformat() if dag.start_date else None,
            "has_doc_md": bool(dag.doc_md),
            "description": dag.description,
            "is_paused_upon_creation": dag.is_paused_upon_creation,
            "params": {k: dag.params[k] for k in dag.params},
            "tasks": {
                t.task_id: {
                    "upstream": sorted(t.upstream_task_ids),
                    "downstream": sorted(t.downstream_task_ids),
                    "retries": t.retries,
                    "retry_exponential_backoff": t.retry_exponential_backoff,
                    "mapped": bool(getattr(t, "is_mapped", False)),
                    "outlets": [getattr(o, "uri", str(o)) for o in t.outlets],
                    "trigger_rule": str(t.trigger_rule),
                    "pool": t.pool,
                }
                for t in dag.tasks
            },
        }
    return {
        "import_errors": dict(bag.import_errors),
        "warnings": {path: list(msgs) for path, msgs in bag.captured_warnings.items()},
        "dags": dags,
        "heavy_modules_loaded": sorted(
            m
            for m in sys.modules
            if m.split(".")[0] in HEAVY_MODULES
            or (m.split(".")[0] == "baokan" and m not in LIGHT_BAOKAN)
        ),
    }


def _child_dag_test(payload: Mapping[str, Any]) -> dict[str, Any]:
    from datetime import datetime

    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.asset import AssetEvent
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    bag = DagBag(dag_folder=payload["dags_folder"])
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.dags[payload["dag_id"]]
    if payload.get("no_retries"):
        for t in dag.tasks:
            t.retries = 0
    kwargs: dict[str, Any] = {"run_conf": payload.get("run_conf")}
    if payload.get("logical_date"):
        kwargs["logical_date"] = datetime.fromisoformat(payload["logical_date"])
    started = time.perf_counter()
    dr = dag.test(**kwargs)
    seconds = time.perf_counter() - started
    with create_session() as session:
        tis = dr.get_task_instances(session=session)
        rows = session.scalars(
            select(XComModel).where(
                XComModel.dag_id == dr.dag_id,
                XComModel.run_id == dr.run_id,
                XComModel.key == "return_value",
            )
        ).all()
        xcom = {
            _ti_key(row.task_id, row.map_index): XComModel.deserialize_value(row) for row in rows
        }
        return {
            "state": str(dr.state),
            "run_id": dr.run_id,
            "logical_date": dr.logical_date.isoformat() if dr.logical_date else None,
            "tasks": {_ti_key(ti.task_id, ti.map_index): str(ti.state) for ti in tis},
            "map_labels": {
                _ti_key(ti.task_id, ti.map_index): ti.rendered_map_index
                for ti in tis
                if ti.map_index >= 0
            },
            "xcom": xcom,
            "asset_events": [
                {"uri": e.asset.uri, "extra": e.extra}
                for e in session.scalars(
                    select(AssetEvent).where(AssetEvent.source_run_id == dr.run_id)
                )
            ],
            "seconds": seconds,
        }


def _ti_key(task_id: str, map_index: int) -> str:
    """``task`` for a plain task instance, ``task[2]`` for a mapped one."""
    return task_id if map_index < 0 else f"{task_id}[{map_index}]"


_ACTIONS = {"initdb": _child_initdb, "inspect": _child_inspect, "dag_test": _child_dag_test}


def main(argv: list[str]) -> int:
    """Child entry point: ``ACTION IN.json OUT.json``; writes the action's JSON result."""
    action, in_path, out_path = argv
    payload = json.loads(Path(in_path).read_text(encoding="utf-8"))
    result = _ACTIONS[action](payload)
    Path(out_path).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
