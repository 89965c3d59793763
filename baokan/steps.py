"""The pipeline's steps for one issue; the CLI and the Airflow tasks both call these."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from baokan import crawl as crawl_mod
from baokan.config import Settings
from baokan.dedup import dedup_issue as dedup_record
from baokan.fsutil import read_json, write_json_atomic
from baokan.models import IssueRecord
from baokan.parse_issue import parse_issue as parse_record
from baokan.rawzone import RawZone
from baokan.sites import get_site

Progress = Callable[[str], None]


def crawl_dates(
    site_id: str,
    dates: list[str],
    *,
    base_url: str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Crawl several issues in one spider run into the raw zone (complete ones skipped)."""
    settings = settings or Settings.from_env()
    profile = get_site(site_id, settings)
    return crawl_mod.run_crawl(profile, dates, settings, base_url, progress, force)


def crawl_issue(
    site_id: str, issue_date: str, *, base_url: str | None = None, force: bool = False
) -> dict[str, Any]:
    """Crawl one issue; returns its fetch counts and the run's crawl stats."""
    result = crawl_dates(site_id, [issue_date], base_url=base_url, force=force)
    counts = result["issues"][issue_date]
    return {"site_id": site_id, "issue_date": issue_date, **counts, "stats": result["stats"]}


def parse_issue(
    site_id: str, issue_date: str, *, settings: Settings | None = None
) -> dict[str, Any]:
    """Parse one crawled issue from the raw zone into <data>/parsed/."""
    settings = settings or Settings.from_env()
    issue = parse_record(get_site(site_id, settings), issue_date, RawZone(settings.raw_dir))
    path = settings.parsed_path(site_id, issue_date)
    write_json_atomic(path, issue.to_dict())
    return {"path": str(path), **summary(issue)}


def dedup_issue(
    site_id: str, issue_date: str, *, settings: Settings | None = None
) -> dict[str, Any]:
    """Assign clusters to a parsed issue and stage it for loading."""
    settings = settings or Settings.from_env()
    issue = IssueRecord.from_dict(read_json(settings.parsed_path(site_id, issue_date)))
    dedup_record(issue)
    path = settings.staged_path(site_id, issue_date)
    write_json_atomic(path, issue.to_dict())
    return {
        "path": str(path),
        "clusters": len({a.cluster_id for a in issue.articles}),
        **summary(issue),
    }


def load_issue(
    site_id: str, issue_date: str, *, settings: Settings | None = None
) -> dict[str, Any]:
    """Load a staged issue into the warehouse, replacing that issue's rows."""
    from warehouse import open_warehouse  # the backend's driver is imported only here

    settings = settings or Settings.from_env()
    issue = IssueRecord.from_dict(read_json(settings.staged_path(site_id, issue_date)))
    manifest = RawZone(settings.raw_dir).read_manifest(site_id, issue_date)
    with open_warehouse(settings.warehouse) as store:
        loaded = store.load_issue(get_site(site_id, settings), issue, manifest)
    return {"warehouse": settings.warehouse, "load_run": loaded["load_run"], **summary(issue)}


def summary(issue: IssueRecord) -> dict[str, Any]:
    """Small JSON-able counts for logs, XCom and the CLI."""
    return {
        "site_id": issue.site_id,
        "issue_date": issue.issue_date,
        "status": issue.status,
        "pages_listed": issue.pages_listed,
        "pages_fetched": issue.pages_fetched,
        "pages_parsed": issue.pages_parsed,
        "articles": len(issue.articles),
        "ads": len(issue.ads),
        "problems": len(issue.problems),
        # The first few problems, so a log line or an XCom says what was wrong and where.
        "problem_details": [f"{p.kind}: {p.source}: {p.message}" for p in issue.problems[:20]],
    }


def process_issue(
    site_id: str, issue_date: str, *, settings: Settings | None = None
) -> dict[str, Any]:
    """Parse, deduplicate and load one already-crawled issue (also what `reparse` does)."""
    parse_issue(site_id, issue_date, settings=settings)
    dedup_issue(site_id, issue_date, settings=settings)
    return load_issue(site_id, issue_date, settings=settings)
