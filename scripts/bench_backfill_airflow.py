#!/usr/bin/env python3
"""Backfill benchmark through Airflow: N days of bench_backfill's replica under CeleryExecutor.

Reuses scripts/bench_backfill.py's replica (generated once, cached) and serves it the same way,
starts the documented scripts/airflow_celery_up.sh with BAOKAN_CELERY_WORKERS worker nodes
against a fresh metadata DB and a fresh PostgreSQL warehouse (DuckDB has one writer), creates
one backfill over the days through the REST API v2 and times it from the create call to the
last run's end. Per-task durations and queue waits come from the metadata DB's task_instance
rows, which worker ran what from each worker's log. Then, with the stack stopped, the CLI
(`baokan ingest --date … --until …`) runs the same days into a fresh PostgreSQL warehouse for
the ratio. Writes bench-results/backfill-airflow.json (with --no-airflow, which has no
Airflow figures, bench-results/backfill-airflow-cli.json instead). Unless --keep,
AIRFLOW_HOME, the metadata DB and both warehouses are removed at the end.

    .venv/bin/python scripts/bench_backfill_airflow.py [--days 30] [--workers 2] [--concurrency 1]
        [--parallelism 4] [--max-active-runs 4] [--no-cli] [--no-airflow] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_backfill as bb  # noqa: E402  the replica, its server, the CLI run

from tests.airflow_live import free_port, running_airflow  # noqa: E402

DAG_ID = f"baokan_{bb.SITE_ID}"
META_DB = "airflow_bench"
CLI_ARGS = "--parse-workers 2 --pdf-engine pdfium --load-batch 10"
TASKS = ("crawl", "list_pages", "parse_page", "reconcile", "dedup", "load", "quality")


def wait_runs(run_type: str, count: int, timeout: float, pid: int) -> tuple[list[str], float]:
    """Poll the metadata DB until `count` runs of `run_type` have finished; their states, peak MB.

    The stack's process tree RSS is sampled on the way (the API's page limit is 100 runs, so
    the runs are read from the database).
    """
    deadline = time.monotonic() + timeout
    peak = 0.0
    while time.monotonic() < deadline:
        peak = max(peak, bb.tree_rss_mb(pid))
        states = [
            str(r[0])
            for r in metadata(
                "SELECT state FROM dag_run WHERE dag_id = %s AND run_type = %s", [DAG_ID, run_type]
            )
        ]
        if len(states) >= count and all(s in ("success", "failed") for s in states):
            return states, peak
        time.sleep(1.0)
    raise TimeoutError(f"{DAG_ID}: {count} {run_type} runs not finished after {timeout:.0f} s")


def wait_scheduled(airflow: Any, timeout: float) -> str:
    """The run id of the DAG's first scheduled run, once the scheduler has created it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = airflow.api("GET", f"dags/{DAG_ID}/dagRuns", params={"run_type": "scheduled"})
        if runs["dag_runs"]:
            return str(runs["dag_runs"][0]["dag_run_id"])
        time.sleep(1.0)
    raise TimeoutError(f"{DAG_ID}: no scheduled run after {timeout:.0f} s")


def metadata(sql: str, args: list[Any]) -> list[tuple[Any, ...]]:
    """Rows from the stack's metadata DB (PostgreSQL, trust auth)."""
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{META_DB}") as conn:
        return list(conn.execute(sql, args).fetchall())


TI_SQL = """
SELECT ti.task_id, ti.map_index, ti.state, ti.try_number, ti.duration,
       EXTRACT(EPOCH FROM ti.start_date - ti.queued_dttm),
       EXTRACT(EPOCH FROM ti.queued_dttm - ti.scheduled_dttm),
       ti.start_date, ti.end_date
FROM task_instance ti JOIN dag_run dr ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id
WHERE ti.dag_id = %s AND dr.backfill_id = %s
"""


def task_stats(rows: list[tuple[Any, ...]]) -> dict[str, dict[str, float]]:
    """Per task id: count, total and median duration, median waits queued→start, scheduled→queued."""
    out: dict[str, dict[str, float]] = {}
    for task in TASKS:
        mine = [r for r in rows if r[0] == task and r[4] is not None]
        if not mine:
            continue
        durations = [float(r[4]) for r in mine]
        out[task] = {
            "n": len(mine),
            "total_s": round(sum(durations), 1),
            "median_s": round(statistics.median(durations), 2),
            "max_s": round(max(durations), 2),
            "median_queue_wait_s": round(statistics.median(float(r[5] or 0) for r in mine), 2),
            "median_schedule_wait_s": round(statistics.median(float(r[6] or 0) for r in mine), 2),
        }
    return out


def worker_counts(home: Path, workers: int) -> dict[str, int]:
    """Workloads each worker node's log says it executed."""
    logs = (
        [home / "celery-worker.log"] if workers == 1 else sorted(home.glob("celery-worker-*.log"))
    )
    return {
        log.stem: sum("Executing workload in Celery" in line for line in log.open(errors="replace"))
        for log in logs
    }


def warehouse_counts(warehouse: str) -> dict[str, str]:
    """pages, articles, clusters, ads in a warehouse (bench_backfill's query)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOKAN_")}
    env["BAOKAN_WAREHOUSE"] = warehouse
    exe = Path(sys.executable).with_name("baokan")
    lines = subprocess.run(
        [str(exe), "sql", "--csv", bb.COUNTS_SQL], env=env, capture_output=True, text=True
    ).stdout.splitlines()
    return dict(zip(*(line.split(",") for line in lines[:2]), strict=False)) if lines else {}


def run_airflow(args: argparse.Namespace, replica: dict[str, Any], url: str) -> dict[str, Any]:
    """Start the Celery stack, run the backfill, collect its numbers, stop the stack."""
    work = Path(tempfile.mkdtemp(prefix="baokan-airflow-bench-"))
    home = work / "airflow"
    home.mkdir()
    warehouse = bb.postgres_url(args.postgres, args.pg_database)
    env = {
        "BAOKAN_CELERY_DB": META_DB,
        "BAOKAN_CELERY_RESET": "1",
        "BAOKAN_CELERY_WORKERS": str(args.workers),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(args.concurrency),
        "AIRFLOW__CORE__PARALLELISM": str(args.parallelism),
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": f"baokan-bench-{uuid.uuid4().hex[:6]}",
        "BAOKAN_WAREHOUSE": warehouse,
        "BAOKAN_SITES_DIR": str(replica["root"] / "sites"),
        "BAOKAN_START_DATE": bb.START.isoformat(),
        "BAOKAN_PDF_ENGINE": args.pdf_engine,
        "BAOKAN_DATA_DIR": str(work / "data"),
    }
    started = time.monotonic()
    with running_airflow(home, up="airflow_celery_up.sh", **env) as airflow:
        up_s = time.monotonic() - started
        pid = int((home / "airflow.pid").read_text())
        airflow.wait_for_dag(DAG_ID, timeout=300)
        # Unpausing creates the latest scheduled run (today's issue, crawled at the profile's
        # placeholder host): marked failed at once, so only the backfill uses the slots.
        airflow.unpause(DAG_ID)
        t = time.monotonic()
        scheduled = wait_scheduled(airflow, 120)
        airflow.api("PATCH", f"dags/{DAG_ID}/dagRuns/{scheduled}", {"state": "failed"})
        wait_runs("scheduled", 1, 300, pid)
        warmup_s = time.monotonic() - t
        last = bb.START + timedelta(days=args.days - 1)
        body = {
            "dag_id": DAG_ID,
            "from_date": f"{bb.START.isoformat()}T00:00:00+08:00",
            "to_date": f"{last.isoformat()}T23:59:59+08:00",
            "max_active_runs": args.max_active_runs,
            "dag_run_conf": {"base_url": url},
        }
        created = datetime.now().astimezone()
        t0 = time.monotonic()
        backfill = airflow.api("POST", "backfills", body)
        print(f"  backfill {backfill['id']} created: {args.days} runs", flush=True)
        runs, peak = wait_runs("backfill", args.days, 4 * 3600, pid)
        polled_s = time.monotonic() - t0
        rows = metadata(TI_SQL, [DAG_ID, backfill["id"]])
        ended = max(r[8] for r in rows if r[8] is not None)
        workers = worker_counts(home, args.workers)
    slots = args.workers * args.concurrency
    wall = (ended - created).total_seconds()
    busy = sum(float(r[4] or 0) for r in rows)
    return {
        "workers": args.workers,
        "concurrency": args.concurrency,
        "parallelism": args.parallelism,
        "max_active_runs": args.max_active_runs,
        "stack_up_s": round(up_s, 1),
        "cancel_scheduled_s": round(warmup_s, 1),
        "wall_s": round(wall, 1),
        "polled_wall_s": round(polled_s, 1),
        "runs": len(runs),
        "runs_failed": sum(r != "success" for r in runs),
        "task_instances": len(rows),
        "retried": sum(int(r[3] or 1) > 1 for r in rows),
        "not_success": sum(r[2] != "success" for r in rows),
        "task_busy_s": round(busy, 1),
        "slot_use": round(busy / (wall * slots), 3),
        "stack_peak_mb": round(peak),
        "tasks": task_stats(rows),
        "workloads_per_worker": workers,
        "loaded": warehouse_counts(warehouse),
        "home": str(home),
    }


def report(days: int, replica: dict[str, Any], af: dict[str, Any] | None, cli: Any) -> str:
    """Markdown tables: Airflow per task, then Airflow vs CLI."""
    out = []
    if af:
        slots = af["workers"] * af["concurrency"]
        out += [
            f"Airflow CeleryExecutor: {af['workers']} worker node(s) × concurrency "
            f"{af['concurrency']} = {slots} slots, parallelism {af['parallelism']}, backfill "
            f"max_active_runs {af['max_active_runs']}; {af['runs']} runs "
            f"({af['runs_failed']} failed), {af['task_instances']} task instances "
            f"({af['retried']} retried); workloads per worker {af['workloads_per_worker']}",
            "",
            "| task | n | total s | median s | max s | median queued→start s |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for task, s in af["tasks"].items():
            out.append(
                f"| {task} | {s['n']} | {s['total_s']} | {s['median_s']} | {s['max_s']} "
                f"| {s['median_queue_wait_s']} |"
            )
        out += [
            "",
            f"wall {af['wall_s']} s (backfill create → last task end); task time "
            f"{af['task_busy_s']} s over {slots} slots = {af['slot_use']:.0%} busy; stack peak "
            f"{af['stack_peak_mb']} MB; loaded: {af['loaded']}",
            "",
        ]
    out += ["| path | wall s | s/day | pages/s |", "|---|---:|---:|---:|"]
    pages = replica["pages"]
    if af:
        out.append(
            f"| Airflow Celery, PostgreSQL | {af['wall_s']} | {af['wall_s'] / days:.2f} "
            f"| {pages / af['wall_s']:.2f} |"
        )
    if cli:
        out.append(
            f"| CLI `{CLI_ARGS}`, PostgreSQL | {cli['wall_s']:.1f} | {cli['wall_s'] / days:.2f} "
            f"| {pages / cli['wall_s']:.2f} |"
        )
        parse = cli["stages"].get("parse")
        if parse:
            out.append(
                f"\nCLI parse CPU {parse['cpu_s'] / pages:.3f} s/page; loaded: {cli['loaded']}"
            )
    if af and cli:
        out.append(f"\nAirflow / CLI wall: {af['wall_s'] / cli['wall_s']:.2f}×")
    return "\n".join(out) + "\n"


def main() -> int:
    """Generate or reuse the replica, serve it, backfill through Celery, then run the CLI."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker nodes")
    parser.add_argument("--concurrency", type=int, default=1, help="slots per worker node")
    parser.add_argument("--parallelism", type=int, default=4, help="[core] parallelism")
    parser.add_argument("--max-active-runs", type=int, default=4, help="of the backfill")
    parser.add_argument("--pdf-engine", default="pdfium", help="BAOKAN_PDF_ENGINE of the tasks")
    parser.add_argument("--cli-args", default=CLI_ARGS, help="the CLI run's `baokan ingest` args")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI run")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep AIRFLOW_HOME (task logs), the metadata DB and the warehouses (default: removed)",
    )
    parser.add_argument("--no-airflow", action="store_true", help="only the CLI run")
    parser.add_argument("--cache", type=Path, default=ROOT / "data" / "bench-backfill")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BAOKAN_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test"),
    )
    parser.add_argument("--pg-database", default="bench_backfill_airflow")
    parser.add_argument("--cli-pg-database", default="bench_backfill", help="the CLI's warehouse")
    args = parser.parse_args()
    if not 1 <= args.days <= 700:
        parser.error("--days must be 1–700 (the replica starts 2025-01-01)")
    replica = bb.generate(args.days, args.cache, os.cpu_count() or 1)
    print(f"replica: {args.days} days, {replica['pages']} pages, {replica['articles']} articles")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=replica["root"] / "site",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    af = cli = None
    try:
        time.sleep(1.0)
        if not args.no_airflow:
            print(f"== Airflow Celery, {args.workers}×{args.concurrency} slots", flush=True)
            af = run_airflow(args, replica, url)
            if not args.keep:
                shutil.rmtree(Path(af.pop("home")).parent, ignore_errors=True)
        if not args.no_cli:
            print(f"== CLI {args.cli_args}", flush=True)
            with tempfile.TemporaryDirectory(prefix="baokan-backfill-") as tmp:
                wh = bb.postgres_url(args.postgres, args.cli_pg_database)
                variant = bb.Variant("cli", shlex.split(args.cli_args))
                cli = bb.run_ingest(replica, url, wh, Path(tmp), variant, args.days)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            drop = [] if args.no_airflow else [META_DB, args.pg_database]
            for name in drop + ([] if args.no_cli else [args.cli_pg_database]):
                bb.drop_database(args.postgres, name)
    print(report(args.days, replica, af, cli), flush=True)
    # A CLI-only run (--no-airflow) must not overwrite the last (long) Airflow run's file.
    name = "backfill-airflow-cli.json" if af is None else "backfill-airflow.json"
    dest = ROOT / "bench-results" / name
    dest.parent.mkdir(exist_ok=True)
    dest.write_text(
        json.dumps({"days": args.days, "airflow": af, "cli": cli}, indent=1, default=str) + "\n",
        encoding="utf-8",
    )
    failed = (af and (af["runs_failed"] or af["not_success"])) or (cli and cli["rc"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
