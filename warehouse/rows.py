"""One issue as columns per warehouse table, in TABLES' column order, with Python-typed values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from baokan.models import IssueRecord
from baokan.rawzone import ManifestRow
from baokan.sites import SiteProfile
from warehouse.schema import TABLES

Columns = dict[str, list[Any]]  # column name → values, one per row


def _columns(table: str, rows: list[dict[str, Any]]) -> Columns:
    return {name: [r[name] for r in rows] for name, _ in TABLES[table]}


def _timestamp(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _constant(value: Any, n: int) -> list[Any]:
    return [value] * n


def article_columns(issue: IssueRecord, day: date, run: str) -> Columns:
    """core.articles columns; built column by column because issues can be large."""
    arts = issue.articles
    n = len(arts)
    cols: Columns = {}
    for name, _ in TABLES["core.articles"]:
        if name == "issue_date":
            cols[name] = _constant(day, n)
        elif name == "load_run":
            cols[name] = _constant(run, n)
        else:
            cols[name] = [getattr(a, name) for a in arts]
    return cols


def issue_columns(
    profile: SiteProfile, issue: IssueRecord, manifest: list[ManifestRow], run: str
) -> dict[str, Columns]:
    """Columns for every table a load writes: core.publications and the ISSUE_TABLES."""
    day = date.fromisoformat(issue.issue_date)
    key = {"site_id": issue.site_id, "issue_date": day}
    prov = {"load_run": run, "parser_version": issue.parser_version}
    page_urls = {p.label: p.url for p in issue.pages}
    issue_row = {
        **key,
        **prov,
        "status": issue.status,
        **issue.counts(),
    }
    pages = [
        {**key, **prov, **vars(p), "page_label": p.label, "page_name": p.name} for p in issue.pages
    ]
    manifest_rows = [
        {**vars(r), **key, "fetched_at": _timestamp(r.fetched_at), "load_run": run}
        for r in manifest
    ]
    ads = [{**vars(a), **key, **prov, "url": page_urls.get(a.page_label)} for a in issue.ads]
    problems = [{**key, **prov, **vars(p)} for p in issue.problems]
    blocks = [{**vars(b), **key, **prov} for b in issue.unassigned]
    publication = {
        "site_id": profile.id,
        "publication": profile.publication,
        "family": profile.family,
        "base_url": profile.base_url,
        "load_run": run,
    }
    return {
        "core.publications": _columns("core.publications", [publication]),
        "raw.manifest": _columns("raw.manifest", manifest_rows),
        "core.issues": _columns("core.issues", [issue_row]),
        "core.pages": _columns("core.pages", pages),
        "core.articles": article_columns(issue, day, run),
        "core.ads": _columns("core.ads", ads),
        "core.problems": _columns("core.problems", problems),
        "core.unassigned_blocks": _columns("core.unassigned_blocks", blocks),
    }


def load_run_columns(issue: IssueRecord, run: str) -> Columns:
    """The core.load_runs row that records this load."""
    row = {
        "load_run": run,
        "site_id": issue.site_id,
        "issue_date": date.fromisoformat(issue.issue_date),
        "loaded_at": datetime.now(UTC),
        "articles": len(issue.articles),
        "parser_version": issue.parser_version,
    }
    return _columns("core.load_runs", [row])
