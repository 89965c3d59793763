"""The pipeline's steps for one issue; the CLI and the Airflow tasks both call these."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from baokan import crawl as crawl_mod
from baokan import quality
from baokan.config import Settings, redact_url
from baokan.dedup import dedup_issue as dedup_record
from baokan.fsutil import read_json, write_json_atomic
from baokan.models import IssueRecord
from baokan.parse_issue import finish_issue, open_issue
from baokan.parse_issue import parse_issue as parse_record
from baokan.parse_issue import parse_page as parse_one_page
from baokan.rawzone import MANIFEST_LINE, RAW_OBJECT, ManifestRow, RawZone, is_no_issue
from baokan.sites import SiteProfile, get_site
from parsers.layout import PageLink
from parsers.pdf_page import PdfPage

Progress = Callable[[str], None]
RAW_ZONE_DAMAGE = (RAW_OBJECT, MANIFEST_LINE)


class RawZoneDamaged(RuntimeError):
    """The issue's raw files are damaged and the warehouse already holds a load of it."""


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


def fetch_errors(
    site_id: str, issue_date: str, *, settings: Settings | None = None, limit: int = 20
) -> list[str]:
    """The issue's failed fetches (first ``limit``): kind, URL fetched and what went wrong."""
    settings = settings or Settings.from_env()
    rows = RawZone(settings.raw_dir).read_manifest(site_id, issue_date)
    bad = [r for r in rows if r.status != 200 or not r.sha256]
    return [f"{r.kind} {r.fetched_url}: {r.error or f'HTTP {r.status}'}" for r in bad[:limit]]


def index_error(site_id: str, issue_date: str, *, settings: Settings | None = None) -> str | None:
    """Why the issue's index page was not fetched; None if it was, or if there is no issue."""
    settings = settings or Settings.from_env()
    zone = RawZone(settings.raw_dir)
    entry = get_site(site_id, settings).entry_url(date.fromisoformat(issue_date))
    row = next((r for r in zone.read_manifest(site_id, issue_date) if r.url == entry), None)
    if row is None:
        path = zone.manifest_path(site_id, issue_date)
        return f"{entry}: not fetched (absent from the crawl manifest {path})"
    if (row.status == 200 and row.sha256) or is_no_issue(row.status):
        return None
    where = row.fetched_url if row.fetched_url == row.url else f"{row.fetched_url} (for {row.url})"
    return f"{where}: {row.error or f'HTTP {row.status}'}"


def page_span(site_id: str, issue_date: str, *, settings: Settings | None = None) -> str:
    """The staged issue's page labels as a span, e.g. 'A1–A8' (or 'no pages')."""
    settings = settings or Settings.from_env()
    issue = IssueRecord.from_dict(read_json(settings.staged_path(site_id, issue_date)))
    labels = [p.label for p in issue.pages]
    if not labels:
        return "no pages"
    return labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"


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
    zone = RawZone(settings.raw_dir)
    issue = parse_record(get_site(site_id, settings), issue_date, zone)
    issue.problems += zone.read_manifest_checked(site_id, issue_date).problems
    finish_issue(issue)  # bad manifest lines make the issue partial
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
    """Load a staged issue into the warehouse, replacing that issue's rows.

    An issue whose raw files are damaged (missing or corrupt objects, invalid manifest lines)
    never replaces an earlier load: RawZoneDamaged names the damage and the old rows stay.
    Without an earlier load, what verified is loaded (status partial, damage as problems).
    """
    from warehouse import open_warehouse  # the backend's driver is imported only here

    settings = settings or Settings.from_env()
    issue, manifest, damage = _read_staged(site_id, issue_date, settings)
    with open_warehouse(settings.warehouse) as store:
        _refuse_damage(store, issue, damage)
        loaded = store.load_issue(get_site(site_id, settings), issue, manifest)
    return _loaded(settings, issue, loaded)


def load_issues(
    site_id: str, dates: list[str], *, settings: Settings | None = None
) -> list[dict[str, Any]]:
    """Load staged issues in date order, ``settings.load_batch`` issues per transaction.

    Each issue loads as ``load_issue`` loads it (old rows replaced, damaged raw zone
    refused, clusters as if loaded one by one). A batch that fails is rolled back and loaded
    again issue by issue, so only the bad issue fails. One result per date, in date order:
    ``load_issue``'s dict, or for an issue that did not load ``{"site_id", "issue_date",
    "error": "<ExceptionType>: <message>"}``. Never raises for a bad issue.
    """
    from warehouse import open_warehouse

    settings = settings or Settings.from_env()
    days = sorted(set(dates))
    try:
        profile = get_site(site_id, settings)
        store = open_warehouse(settings.warehouse)
    except Exception as exc:  # every issue fails the same way: say so for each
        return [_failed(site_id, day, exc) for day in days]
    results: dict[str, dict[str, Any]] = {}
    with store:
        for start in range(0, len(days), settings.load_batch):
            batch = days[start : start + settings.load_batch]
            results.update(_load_batch(store, profile, site_id, batch, settings))
    return [results[day] for day in days]


def _load_batch(
    store: Any, profile: SiteProfile, site_id: str, days: list[str], settings: Settings
) -> dict[str, dict[str, Any]]:
    """One transaction for the issues of `days`; if it fails, one transaction per issue."""
    from warehouse.store import CompactionError

    results: dict[str, dict[str, Any]] = {}
    loads = []
    for day in days:
        try:
            issue, manifest, damage = _read_staged(site_id, day, settings)
            _refuse_damage(store, issue, damage)
            loads.append((profile, issue, manifest))
        except Exception as exc:  # unreadable or refused: this issue only
            results[day] = _failed(site_id, day, exc)
    if not loads:
        return results
    try:
        loaded = store.load_batch(loads)
    except CompactionError as exc:  # committed: the issues are loaded, the message says so
        return results | {i.issue_date: _failed(site_id, i.issue_date, exc) for _, i, _ in loads}
    except Exception as exc:
        if len(loads) == 1:
            return results | {loads[0][1].issue_date: _failed(site_id, loads[0][1].issue_date, exc)}
        # Rolled back whole: again one transaction per issue, from the staged files (the
        # batch's dedup set cluster ids on the records it had reached).
        for _, issue, _ in loads:
            results.update(_load_batch(store, profile, site_id, [issue.issue_date], settings))
        return results
    for (_, issue, _), one in zip(loads, loaded, strict=True):
        results[issue.issue_date] = _loaded(settings, issue, one)
    return results


def _read_staged(
    site_id: str, issue_date: str, settings: Settings
) -> tuple[IssueRecord, list[ManifestRow], list[str]]:
    """The staged issue, its manifest rows and the raw-zone damage its problems name."""
    path = settings.staged_path(site_id, issue_date)
    try:
        issue = IssueRecord.from_dict(read_json(path))
    except ValueError as exc:  # JSON or UTF-8: the file is named, `baokan reparse` rewrites it
        raise ValueError(f"staged file {path} is not valid JSON: {exc}") from exc
    manifest = RawZone(settings.raw_dir).read_manifest(site_id, issue_date)
    damage = [
        f"{p.kind}: {p.source}: {p.message}" for p in issue.problems if p.kind in RAW_ZONE_DAMAGE
    ]
    return issue, manifest, damage


def _refuse_damage(store: Any, issue: IssueRecord, damage: list[str]) -> None:
    """Raise RawZoneDamaged if the raw zone is damaged and the warehouse holds a load."""
    if damage and _has_load(store, issue.site_id, issue.issue_date):
        raise RawZoneDamaged(
            f"{issue.site_id} {issue.issue_date}: not loaded, the warehouse keeps its earlier "
            f"load; raw zone damaged ({len(damage)}): {'; '.join(damage[:5])}; "
            "the next `baokan ingest` fetches it again"
        )


def _loaded(settings: Settings, issue: IssueRecord, loaded: dict[str, Any]) -> dict[str, Any]:
    # Results are logged and shown: never the warehouse password.
    return {
        "warehouse": redact_url(settings.warehouse),
        "load_run": loaded["load_run"],
        **summary(issue),
    }


def _failed(site_id: str, issue_date: str, exc: BaseException) -> dict[str, Any]:
    return {"site_id": site_id, "issue_date": issue_date, "error": f"{type(exc).__name__}: {exc}"}


def _has_load(store: Any, site_id: str, issue_date: str) -> bool:
    sql = "SELECT count(*) FROM core.issues WHERE site_id = ? AND issue_date = CAST(? AS DATE)"
    return bool(store.execute(sql, [site_id, issue_date])[0][0])


def summary(issue: IssueRecord) -> dict[str, Any]:
    """Small JSON-able counts for logs, XCom and the CLI."""
    return {
        "site_id": issue.site_id,
        "issue_date": issue.issue_date,
        "status": issue.status,
        **issue.counts(),
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


# --------------------------------------------------------------------------- per-page steps
# The Airflow DAG parses an issue as one mapped task per page; these split ``parse_issue``
# into list_pages → parse_page (× pages) → reconcile_issue, with files under
# <data>/parsed/<site>/<date>.pages/ in between. The merged result equals ``parse_issue``'s.


def _pages_dir(settings: Settings, site_id: str, issue_date: str) -> Path:
    return settings.parsed_path(site_id, issue_date).with_suffix(".pages")


def list_pages(
    site_id: str, issue_date: str, *, settings: Settings | None = None
) -> dict[str, Any]:
    """Parse the issue's index; return its pages (position, url, label, name) for mapping."""
    settings = settings or Settings.from_env()
    profile = get_site(site_id, settings)
    zone = RawZone(settings.raw_dir)
    issue, links = open_issue(profile, issue_date, zone)
    # Bad manifest lines are the issue's problems once, here; reconcile_issue sets the status.
    issue.problems += zone.read_manifest_checked(site_id, issue_date).problems
    write_json_atomic(_pages_dir(settings, site_id, issue_date) / "index.json", issue.to_dict())
    pages = [
        {"position": i, "url": link.url, "label": link.label, "name": link.name}
        for i, link in enumerate(links, 1)
    ]
    return {"site_id": site_id, "issue_date": issue_date, "status": issue.status, "pages": pages}


def parse_page(
    site_id: str, issue_date: str, page: dict[str, Any], *, settings: Settings | None = None
) -> dict[str, Any]:
    """Parse one page (its index page, PDF and article pages) into a per-page file."""
    settings = settings or Settings.from_env()
    profile = get_site(site_id, settings)
    link = PageLink(page["url"], page["label"], page["name"])
    part, pdf = parse_one_page(
        profile, issue_date, RawZone(settings.raw_dir), link, page["position"]
    )
    record = part.pages[0]
    stats: dict[str, Any] = {"label": record.label, "text_layer": record.text_layer}
    stats.update(quality.text_stats(_pdf_text(pdf)) if pdf else {"chars": 0, "garbled": 0})
    path = _pages_dir(settings, site_id, issue_date) / f"page-{page['position']:03d}.json"
    write_json_atomic(path, {"issue": part.to_dict(), "stats": stats})
    return {
        "path": str(path),
        "page_label": record.label,
        "parsed": record.parsed,
        "articles": len(part.articles),
        "ads": len(part.ads),
        "problems": len(part.problems),
        **{k: stats[k] for k in ("chars", "garbled")},
    }


def _pdf_text(pdf: PdfPage) -> str:
    parts = [pdf_text for a in pdf.articles for pdf_text in (a.kicker, a.headline, a.subtitle)]
    parts += [p for a in pdf.articles for p in a.paragraphs] + [ad.text for ad in pdf.ads]
    return "\n".join(p for p in parts if p)


def reconcile_issue(
    site_id: str, issue_date: str, *, settings: Settings | None = None
) -> dict[str, Any]:
    """Merge the per-page results into the parsed issue and summarise HTML↔PDF agreement."""
    settings = settings or Settings.from_env()
    pages_dir = _pages_dir(settings, site_id, issue_date)
    issue = IssueRecord.from_dict(read_json(pages_dir / "index.json"))
    stats = []
    for position in range(1, issue.pages_listed + 1):
        data = read_json(pages_dir / f"page-{position:03d}.json")
        part = IssueRecord.from_dict(data["issue"])
        issue.pages += part.pages
        issue.articles += part.articles
        issue.ads += part.ads
        issue.problems += part.problems
        issue.unassigned += part.unassigned
        stats.append(data["stats"])
    finish_issue(issue)
    path = settings.parsed_path(site_id, issue_date)
    write_json_atomic(path, issue.to_dict())
    write_json_atomic(pages_dir / "stats.json", stats)
    sims = [a.pdf_html_similarity for a in issue.articles if a.pdf_html_similarity is not None]
    return {
        "path": str(path),
        "matched_html_pdf": len(sims),
        "mean_similarity": round(sum(sims) / len(sims), 3) if sims else None,
        **summary(issue),
    }


def quality_issue(
    site_id: str, issue_date: str, *, settings: Settings | None = None
) -> dict[str, Any]:
    """Run the quality checks on one loaded issue; raise QualityError naming every failure."""
    settings = settings or Settings.from_env()
    profile = get_site(site_id, settings)
    parsed = IssueRecord.from_dict(read_json(settings.parsed_path(site_id, issue_date)))
    staged = IssueRecord.from_dict(read_json(settings.staged_path(site_id, issue_date)))
    stats_path = _pages_dir(settings, site_id, issue_date) / "stats.json"
    page_stats = read_json(stats_path) if stats_path.exists() else []
    stages = {
        "parse": quality.stage_counts(parsed),
        "dedup": quality.stage_counts(staged),
        "load": warehouse_counts(settings.warehouse, site_id, issue_date),
    }
    failures = quality.check_issue(parsed, page_stats, stages, profile.min_pdf_html_similarity)
    quality.assert_quality(failures)
    return {"site_id": site_id, "issue_date": issue_date, "status": parsed.status, **stages["load"]}


def warehouse_counts(url: str, site_id: str, issue_date: str) -> dict[str, int]:
    """Pages, articles and ads the warehouse holds for one issue."""
    from warehouse import open_warehouse

    tables = {"pages": "core.pages", "articles": "core.articles", "ads": "core.ads"}
    sql = "SELECT count(*) FROM {} WHERE site_id = ? AND issue_date = CAST(? AS DATE)"
    with open_warehouse(url) as store:
        return {
            key: int(store.execute(sql.format(t), [site_id, issue_date])[0][0])
            for key, t in tables.items()
        }
