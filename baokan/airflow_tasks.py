"""What the Airflow tasks run: the run's issue date, settings from the connection, step calls.

Imported by the DAG files at parse time, so only the standard library and baokan.config at
module level; ``baokan.steps`` (Scrapy, pdfplumber, DuckDB …) is imported inside the calls.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlunsplit

from baokan.config import Settings, redact_url

log = logging.getLogger(__name__)

WAREHOUSE_CONN_ID = "baokan_warehouse"
# The Airflow pool the load task runs in on DuckDB (one writer); the up scripts create it.
DUCKDB_LOAD_POOL = "baokan_duckdb_load"
# XCom carries paths and counts only; these keys hold text and stay in the task log.
_LOG_ONLY_KEYS = ("problem_details", "fetch_errors")
# Asset event extra of the load task: what the UI shows per issue without opening XCom.
_EVENT_KEYS = ("issue_date", "pages", "status", "pages_listed", "pages_parsed", "articles", "ads")


def paper_asset_uri(site_id: str) -> str:
    """The asset a paper's load task updates (one per paper; the marts DAG listens to all)."""
    return f"baokan://warehouse/{site_id}"


def _on_postgres(environ: Mapping[str, str]) -> bool:
    """Whether the warehouse the environment names (connection or BAOKAN_WAREHOUSE) is PostgreSQL."""
    url = environ.get("BAOKAN_WAREHOUSE", "") + environ.get("AIRFLOW_CONN_BAOKAN_WAREHOUSE", "")
    return "postgres" in url


def max_active_runs(environ: Mapping[str, str] = os.environ) -> int:
    """Runs per paper at once: DuckDB allows one writer, PostgreSQL takes a few (2 cores)."""
    return 2 if _on_postgres(environ) else 1


def load_pool(environ: Mapping[str, str] = os.environ) -> str | None:
    """The pool for tasks writing the warehouse: one slot on DuckDB, none (default) on PostgreSQL.

    Max_active_runs bounds one paper; the pool bounds every paper's loads and backfill runs,
    which all write the same DuckDB file.
    """
    return None if _on_postgres(environ) else DUCKDB_LOAD_POOL


def catchup(environ: Mapping[str, str] = os.environ) -> bool:
    """Catch-up from the start date only when asked (BAOKAN_CATCHUP=1): else unpausing runs today."""
    return environ.get("BAOKAN_CATCHUP", "").strip().lower() in ("1", "true", "yes", "on")


def issue_date_for(context: Mapping[str, Any]) -> str:
    """The issue a run is for: the ``issue_date`` param, else its data interval's end.

    The end of the data interval, in the DAG's (the paper's) timezone: a run scheduled at
    06:30 on 2025-12-29 Asia/Shanghai covers the day ending then and fetches that day's
    issue. Manual runs without a logical date fall back to ``run_after``. Never "now".
    """
    explicit = context["params"].get("issue_date")
    if explicit:
        return str(explicit)
    moment = context.get("data_interval_end") or context["dag_run"].run_after
    return str(moment.astimezone(context["dag"].timezone).date().isoformat())


def warehouse_url(
    conn_type: str | None,
    host: str | None,
    port: int | None,
    login: str | None,
    password: str | None,
    schema: str | None,
    extra: Mapping[str, Any],
) -> str:
    """A BAOKAN_WAREHOUSE URL from an Airflow connection's fields.

    ``extra.url`` wins; a ``postgres`` connection gives ``postgresql://…``; a ``duckdb``
    connection names the file in ``host``.
    """
    if extra.get("url"):
        return str(extra["url"])
    if conn_type in ("postgres", "postgresql"):
        auth = quote(login or "", safe="")
        if password:
            auth += ":" + quote(password, safe="")
        netloc = (auth + "@" if auth else "") + (host or "localhost")
        netloc += f":{port}" if port else ""
        return urlunsplit(("postgresql", netloc, "/" + (schema or ""), "", ""))
    if conn_type == "duckdb" and host:
        return f"duckdb:///{host}"
    raise ValueError(
        f"connection {WAREHOUSE_CONN_ID!r}: conn_type {conn_type!r} is not postgres or duckdb "
        "and its extra has no 'url'"
    )


# The one redaction helper, under the name the DAG tests and older callers know.
redact = redact_url


def task_settings() -> Settings:
    """Settings from the environment; the warehouse from connection ``baokan_warehouse`` if set."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    settings = Settings.from_env()
    try:
        conn = BaseHook.get_connection(WAREHOUSE_CONN_ID)
    except AirflowNotFoundException:
        log.info("no connection %r: warehouse from BAOKAN_WAREHOUSE", WAREHOUSE_CONN_ID)
        return settings
    url = warehouse_url(
        conn.conn_type, conn.host, conn.port, conn.login, conn.password, conn.schema,
        conn.extra_dejson,
    )  # fmt: skip
    log.info("warehouse from connection %r: %s", WAREHOUSE_CONN_ID, redact(url))
    return dataclasses.replace(settings, warehouse=url)


def for_xcom(result: Mapping[str, Any]) -> dict[str, Any]:
    """Log the whole result; return what may travel through XCom (paths and counts)."""
    log.info("result: %s", json.dumps(result, ensure_ascii=False, default=str))
    out = {k: v for k, v in result.items() if k not in _LOG_ONLY_KEYS}
    if isinstance(out.get("warehouse"), str):
        out["warehouse"] = redact(out["warehouse"])
    return out


def run_step(step: str, site_id: str, **kwargs: Any) -> dict[str, Any]:
    """Run one pipeline step for the current run's (site, issue date)."""
    from airflow.sdk import get_current_context

    from baokan import steps

    context = get_current_context()
    issue_date = issue_date_for(context)
    settings = task_settings()
    log.info("%s: site %s, issue %s", step, site_id, issue_date)
    if step == "crawl":
        return for_xcom(_crawl(site_id, issue_date, context["params"].get("base_url"), settings))
    if step == "list_pages":
        listed = steps.list_pages(site_id, issue_date, settings=settings)
        log.info(
            "%s %s: status %s, %d pages",
            site_id,
            issue_date,
            listed["status"],
            len(listed["pages"]),
        )
        return listed
    funcs: dict[str, Callable[..., dict[str, Any]]] = {
        "parse_page": steps.parse_page,
        "reconcile": steps.reconcile_issue,
        "dedup": steps.dedup_issue,
        "load": steps.load_issue,
        "quality": steps.quality_issue,
    }
    return for_xcom(funcs[step](site_id, issue_date, settings=settings, **kwargs))


def _crawl(
    site_id: str, issue_date: str, base_url: str | None, settings: Settings
) -> dict[str, Any]:
    """Crawl one issue; fail (to be retried) when its index page could not be fetched.

    A day without an issue (index 4xx or redirected off its date) succeeds with no pages.
    Every failed fetch is logged with its URL and error.
    """
    from baokan import steps
    from baokan.crawl import CrawlError, IssueLocked

    with _bundled_site(site_id, base_url or None) as mirror:
        crawled = steps.crawl_dates(site_id, [issue_date], base_url=mirror, settings=settings)
    if issue_date in crawled["stats"].get("locked", {}):  # fail and retry: another run has it
        raise IssueLocked(crawled["stats"]["locked"][issue_date])
    failures = steps.fetch_errors(site_id, issue_date, settings=settings)
    for line in failures:
        log.warning("fetch failed: %s", line)
    reason = steps.index_error(site_id, issue_date, settings=settings)
    if reason:
        log.error("%s %s: issue index not fetched: %s", site_id, issue_date, reason)
        raise CrawlError(f"{site_id} {issue_date}: issue index not fetched: {reason}")
    counts = crawled["issues"][issue_date]
    return {"site_id": site_id, "issue_date": issue_date, **counts, "fetch_errors": failures}


@contextmanager
def _bundled_site(site_id: str, base_url: str | None) -> Iterator[str | None]:
    """The mirror to crawl: base_url; for the sample without one, its bundled files served here.

    The sample profile's host is a placeholder, so a scheduled sample run (no params) would
    only ever fail DNS; serving the bundled site on a free 127.0.0.1 port for the crawl makes
    the sample DAG work when simply unpaused.
    """
    from baokan import demo

    if base_url or site_id != demo.SAMPLE_SITE:
        yield base_url
        return
    from baokan.serve import serve_directory

    with serve_directory(demo.sample_root() / "site") as url:
        log.info("%s: no base_url param, serving the bundled sample site at %s", site_id, url)
        yield url


def run_quality(site_id: str) -> dict[str, Any]:
    """The quality step; a failed check fails the task at once (retrying cannot fix data)."""
    from airflow.sdk.exceptions import AirflowFailException

    from baokan.quality import QualityError

    try:
        return run_step("quality", site_id)
    except QualityError as exc:
        for line in str(exc).splitlines():
            log.error("%s", line)
        raise AirflowFailException(str(exc)) from exc


def refresh_marts() -> dict[str, Any]:
    """Rebuild the mart views and validate them (the baokan_marts DAG's first task)."""
    from baokan import marts

    return for_xcom(marts.refresh(task_settings().warehouse))


def cross_paper_dedup() -> dict[str, Any]:
    """Clusters whose copies span more than one paper (the cross-paper dedup hook)."""
    from baokan import marts

    return for_xcom(marts.cross_paper_clusters(task_settings().warehouse))


def label_map_index(label: str) -> None:
    """Show the page label (A1, A2 …) as the mapped task's name in the UI."""
    from airflow.sdk import get_current_context

    get_current_context()["page_label"] = f"page {label}"  # type: ignore[typeddict-unknown-key]


def load_and_publish(site_id: str, asset: Any) -> dict[str, Any]:
    """Load the issue and attach its date and counts to the paper's asset event."""
    from airflow.sdk import get_current_context

    from baokan import steps

    result = run_step("load", site_id)
    result["pages"] = steps.page_span(site_id, result["issue_date"], settings=task_settings())
    extra = {k: result[k] for k in _EVENT_KEYS} | {"problems": result["problems"]}
    # Airflow 3 gives a task no way to set its DAG run's note (the execution API has no such
    # route), so the issue and its counts go to the asset event and one log line.
    log.info(
        "issue %s (%s): %s, %d of %d pages parsed, %d articles, %d ads, %d problems",
        extra["issue_date"],
        extra["pages"],
        extra["status"],
        extra["pages_parsed"],
        extra["pages_listed"],
        extra["articles"],
        extra["ads"],
        extra["problems"],
    )
    get_current_context()["outlet_events"][asset].extra = extra
    return result


def profile_error(site_id: str) -> None:
    """The one task of a broken profile's DAG: fail with the profile's error, no retries."""
    from airflow.sdk.exceptions import AirflowFailException

    from baokan.sites import get_site

    try:
        get_site(site_id)
    except ValueError as exc:
        log.error("%s", exc)
        raise AirflowFailException(str(exc)) from exc
    raise AirflowFailException(
        f"site {site_id!r}: the profile loads now; wait for the DAG processor to re-parse it"
    )
