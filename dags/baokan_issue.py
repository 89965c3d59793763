"""Airflow DAG: ingest one issue of one e-paper site (crawl → parse → dedup → load).

This file is parsed often by the DAG processor, so it stays thin: only the standard
library and ``airflow.sdk`` at module level. Each task imports ``baokan.steps``
inside its body (which in turn pulls in Scrapy, pdfplumber and DuckDB).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task

DOC_MD = """
### baokan_issue — ingest one issue of one e-paper (电子报)

Runs the whole pipeline for **one site and one issue date**:

1. `crawl` — `baokan.steps.crawl_issue`: runs the site's Scrapy spider in a subprocess
   and lands raw pages/PDFs under `BAOKAN_DATA_DIR`.
2. `parse` — `baokan.steps.parse_issue`: turns the raw HTML/PDF pages into articles.
3. `dedup` — `baokan.steps.dedup_issue`: gives every article a cluster id; copies are
   linked to one canonical article, never dropped.
4. `load` — `baokan.steps.load_issue`: loads the issue into the warehouse
   (`BAOKAN_WAREHOUSE`).

Data moves between tasks **through files** under `BAOKAN_DATA_DIR` (default `./data`);
only small JSON dicts (paths and counts) go through XCom. Each task works out
(site, issue date) from the run itself, so a single task can be cleared and re-run.

**Params** (trigger with config):

* `site` — site id from the baokan site registry (default `sample`).
* `base_url` — optional mirror URL to crawl instead of the site's own base URL.
* `issue_date` — `YYYY-MM-DD`. When empty, the run's data interval start
  (else logical date, else `run_after`) in the DAG's timezone is used — never "now".

**Settings** come from the worker environment: `BAOKAN_DATA_DIR` and `BAOKAN_WAREHOUSE`
(default `duckdb:///<data_dir>/warehouse.duckdb`).

Unscheduled for now (trigger manually or via the API); per-site scheduled DAGs come later.
Tasks retry twice with exponential backoff.
"""


def _target() -> tuple[str, str, str | None]:
    """Return ``(site, issue_date, base_url)`` for the current run, from the run's context."""
    context = get_current_context()
    params = context["params"]
    site = str(params["site"])
    base_url = params.get("base_url") or None
    issue_date = params.get("issue_date") or None
    if not issue_date:
        moment = (
            context.get("data_interval_start")
            or context.get("logical_date")
            or context["dag_run"].run_after
        )
        issue_date = moment.astimezone(context["dag"].timezone).date().isoformat()
    return site, str(issue_date), base_url


@dag(
    dag_id="baokan_issue",
    schedule=None,
    start_date=datetime(2025, 1, 1, tzinfo=UTC),
    catchup=False,
    tags=["baokan"],
    doc_md=DOC_MD,
    default_args={
        "owner": "baokan",
        "retries": 2,
        "retry_delay": timedelta(minutes=2),
        # Airflow 3: a float multiplier (2.0 doubles the delay per try); True would mean 1.0 = off.
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
    },
    params={
        "site": Param(
            "sample",
            type="string",
            minLength=1,
            description="Site id from the baokan site registry.",
        ),
        "base_url": Param(
            None,
            type=["null", "string"],
            description="Optional mirror base URL; the site's own base URL when empty.",
        ),
        "issue_date": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            description="Issue date YYYY-MM-DD; the run's data interval start when empty.",
        ),
    },
)
def baokan_issue() -> None:
    @task
    def crawl() -> dict[str, Any]:
        from baokan import steps

        site, issue_date, base_url = _target()
        return steps.crawl_issue(site, issue_date, base_url=base_url)

    @task
    def parse() -> dict[str, Any]:
        from baokan import steps

        site, issue_date, _ = _target()
        return steps.parse_issue(site, issue_date)

    @task
    def dedup() -> dict[str, Any]:
        from baokan import steps

        site, issue_date, _ = _target()
        return steps.dedup_issue(site, issue_date)

    @task
    def load() -> dict[str, Any]:
        from baokan import steps

        site, issue_date, _ = _target()
        return steps.load_issue(site, issue_date)

    crawl() >> parse() >> dedup() >> load()


baokan_issue()
