"""``baokan_marts``: refreshes the warehouse marts whenever any paper's load updates its asset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Asset, AssetAny, dag, task

from baokan import airflow_tasks as run
from baokan.sites import load_sites

DOC_MD = """
### baokan_marts — marts refresh and cross-paper deduplication

Scheduled on the assets `baokan://warehouse/<site>` that each paper's `load` task updates:
runs after any paper loads an issue.

1. `refresh_marts` — re-creates the mart views and checks their invariants (every
   `core.articles` row visible in `marts.articles`, exactly one canonical article per
   cluster, every issue in `marts.issues`); fails naming the broken invariant and count.
2. `cross_paper_dedup` — counts clusters whose copies span more than one paper (the hook
   where cross-paper near-duplicate matching will run).
"""

PAPERS = [
    Asset(name=f"baokan_{s}", uri=run.paper_asset_uri(s), group="baokan")
    # Broken profiles are left out (baokan_papers shows them); selectors are the tasks' job.
    for s in load_sites(check_selectors=False)
]


@dag(
    dag_id="baokan_marts",
    schedule=AssetAny(*PAPERS),
    start_date=datetime(2025, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["baokan", "marts"],
    doc_md=DOC_MD,
    default_args={
        "owner": "baokan",
        "retries": 3,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=15),
    },
)
def baokan_marts() -> None:
    @task(pool=run.load_pool())  # re-creating the views writes DuckDB too
    def refresh_marts() -> dict[str, Any]:
        return run.refresh_marts()

    @task
    def cross_paper_dedup() -> dict[str, Any]:
        return run.cross_paper_dedup()

    refresh_marts() >> cross_paper_dedup()


baokan_marts()
