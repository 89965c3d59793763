"""One Airflow DAG per newspaper, ``baokan_<site>``, generated from the site profiles.

Parsed often by the DAG processor, so it stays thin: only ``airflow.sdk``, ``baokan.sites``
(stdlib + tomllib, ~25 ms) and ``baokan.airflow_tasks`` at module level. Every task body
is one call into ``baokan.airflow_tasks``, which imports the pipeline inside the task.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from airflow.sdk import Asset, CronTriggerTimetable, Param, dag, task

from baokan import airflow_tasks as run
from baokan.sites import SiteProfile, SiteProfileError, load_catalog

# First issue date every paper's DAG covers (default: the sample's first issue). Catch-up is off
# unless BAOKAN_CATCHUP=1: then unpausing schedules one run per day from here. Runs before it
# get no tasks.
START_DATE = os.environ.get("BAOKAN_START_DATE", "2025-12-29")

DOC_MD = """
### {dag_id} — {publication} (`{site}`)

Ingests one issue of **{publication}** per run, at `{schedule}` ({timezone}), for the issue
dated by the run's data interval end in that timezone (or the `issue_date` param).

1. `crawl` — Scrapy spider in a subprocess → raw zone (`BAOKAN_DATA_DIR`); fails (and
   retries) when the issue index could not be fetched, naming URL and error; a day without
   an issue (404) succeeds with no pages.
2. `list_pages` — the issue's page list from its index page (missing issue → no pages).
3. `parse_page` — **one mapped task per page** (版): the page's index page, PDF and article
   pages, HTML↔PDF matching on that page; the map index shows the page label.
4. `reconcile` — merges the pages into the issue; HTML↔PDF match count and similarity.
5. `dedup` — cluster ids; copies linked, never dropped.
6. `load` — replaces the issue's rows in the warehouse (connection `baokan_warehouse`,
   else `BAOKAN_WAREHOUSE`) in one transaction; updates asset `{asset}` with the issue
   date, page span (e.g. `A1–A8`) and counts; on DuckDB in pool `baokan_duckdb_load`.
7. `quality` — fails (no retry) when pages or articles are missing, pages are garbled,
   HTML↔PDF similarity is under {threshold:.2f} or row counts disagree between stages;
   the log names site, date, step and numbers.

Only paths and counts travel through XCom. Backfill (dates in the paper's timezone):
`airflow backfill create --dag-id {dag_id} --from-date 2026-01-01T00:00:00+08:00
--to-date 2026-01-07T23:59:59+08:00`, or the UI's *Trigger → Backfill*.
"""

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "baokan",
    "retries": 3,
    "retry_delay": timedelta(minutes=2),
    # Airflow 3.3: a float multiplier (2.0 doubles the delay per try); True would mean 1.0 = off.
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(hours=1),
}


def paper_dag(profile: SiteProfile) -> Any:
    """The DAG for one paper."""
    site = profile.id
    dag_id = f"baokan_{site}"
    asset = Asset(name=dag_id, uri=run.paper_asset_uri(site), group="baokan")
    tz = ZoneInfo(profile.timezone)

    @dag(
        dag_id=dag_id,
        # No interval: the data interval is the fire time itself, so the first run after the
        # start date is not dated before it (a run dated before the start date gets no tasks).
        schedule=CronTriggerTimetable(profile.schedule, timezone=profile.timezone),
        start_date=datetime.fromisoformat(START_DATE).replace(tzinfo=tz),
        catchup=run.catchup(),
        max_active_runs=run.max_active_runs(),
        max_active_tasks=2,
        tags=["baokan", "paper", f"site:{site}", profile.family],
        doc_md=DOC_MD.format(
            dag_id=dag_id,
            site=site,
            publication=profile.publication,
            schedule=profile.schedule,
            timezone=profile.timezone,
            threshold=profile.min_pdf_html_similarity,
            asset=asset.uri,
        ),
        default_args=DEFAULT_ARGS,
        params={
            "base_url": Param(
                None,
                type=["null", "string"],
                description="Mirror base URL to crawl instead of the site.",
            ),
            "issue_date": Param(
                None,
                type=["null", "string"],
                pattern=r"^\d{4}-\d{2}-\d{2}$",
                description="YYYY-MM-DD; default: the data interval end's date.",
            ),
        },
    )
    def paper() -> None:
        @task
        def crawl() -> dict[str, Any]:
            return run.run_step("crawl", site)

        @task
        def list_pages() -> list[dict[str, Any]]:
            return list(run.run_step("list_pages", site)["pages"])

        @task(map_index_template="{{ page_label }}")
        def parse_page(page: dict[str, Any]) -> dict[str, Any]:
            run.label_map_index(page["label"])
            return run.run_step("parse_page", site, page=page)

        @task(trigger_rule="none_failed")  # a missing issue maps zero pages: still reconcile
        def reconcile() -> dict[str, Any]:
            return run.run_step("reconcile", site)

        @task
        def dedup() -> dict[str, Any]:
            return run.run_step("dedup", site)

        @task(outlets=[asset], pool=run.load_pool())  # DuckDB: one load at a time, all papers
        def load() -> dict[str, Any]:
            return run.load_and_publish(site, asset)

        @task  # a failed check raises AirflowFailException: no retries
        def quality() -> dict[str, Any]:
            return run.run_quality(site)

        pages = list_pages()
        crawl() >> pages
        parse_page.expand(page=pages) >> reconcile() >> dedup() >> load() >> quality()

    return paper()


BROKEN_DOC_MD = """
### {dag_id} — broken site profile

This paper's profile could not be loaded, so it has no pipeline until the file is fixed
(the other papers' DAGs are unaffected). The DAG processor re-reads it on its next parse.

    {error}
"""


def broken_profile_dag(site: str, error: SiteProfileError) -> Any:
    """A stand-in DAG that shows a broken profile's error in the UI, one per broken site.

    An import error would be recorded for this whole file and take every paper down; this
    keeps the failure on its own site: the DAG list shows the error as the description,
    and its single task fails with it (it never runs on a schedule).
    """
    dag_id = f"baokan_{site}"

    @dag(
        dag_id=dag_id,
        schedule=None,
        start_date=datetime.fromisoformat(START_DATE).replace(tzinfo=ZoneInfo("UTC")),
        catchup=False,
        is_paused_upon_creation=True,
        tags=["baokan", "paper", f"site:{site}", "broken-profile"],
        description=f"BROKEN PROFILE: {error}"[:1000],
        doc_md=BROKEN_DOC_MD.format(dag_id=dag_id, error=error),
        default_args={"owner": "baokan", "retries": 0},
    )
    def broken() -> None:
        @task
        def profile_error() -> None:
            run.profile_error(site)

        profile_error()

    return broken()


# Selectors are compiled by the tasks, not here: soupsieve would pull bs4 and lxml into
# every parse of this file (see baokan.sites.parse_profile).
_catalog = load_catalog(check_selectors=False)
for _profile in _catalog.sites.values():
    globals()[f"baokan_{_profile.id}"] = paper_dag(_profile)
for _site, _error in _catalog.broken.items():
    globals()[f"baokan_{_site}"] = broken_profile_dag(_site, _error)
