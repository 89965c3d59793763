"""Ingest a date range end to end: crawl (one spider run), then parse, dedup and load each issue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from baokan import steps
from baokan.config import Settings

Progress = Callable[[str], None]
# Called as step(n, total, label) before issue n of total (1-based) is parsed and loaded.
Step = Callable[[int, int, str], None]


def date_range(start: str, until: str | None = None) -> list[str]:
    """ISO dates from start to until inclusive."""
    first, last = date.fromisoformat(start), date.fromisoformat(until or start)
    if last < first:
        raise ValueError(f"--until {last} is before --date {first}")
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


@dataclass
class IngestResult:
    """What one ingest run did, per issue."""

    crawl: dict[str, Any]
    issues: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def ingest(
    site_id: str,
    dates: list[str],
    *,
    base_url: str | None = None,
    settings: Settings | None = None,
    progress: Progress = lambda _: None,
    crawl: bool = True,
    force: bool = False,
    step: Step | None = None,
) -> IngestResult:
    """Run every step for each date; one bad issue is reported and the others still load."""
    settings = settings or Settings.from_env()
    crawled: dict[str, Any] = {}
    if crawl:
        crawled = steps.crawl_dates(
            site_id, dates, base_url=base_url, progress=progress, settings=settings, force=force
        )
    result = IngestResult(crawl=crawled)
    locked = crawled.get("stats", {}).get("locked", {})
    batched = settings.load_batch > 1
    pending: list[str] = []  # parsed and staged, waiting for their batch load
    for n, day in enumerate(dates, 1):
        if day in locked:  # its crawl is another run's; that run parses and loads it
            result.failures.append(locked[day])
            progress(f"    skipped: {locked[day]}")
            continue
        what = "parse, dedup" if batched else "parse, dedup, load"
        if step:
            step(n, len(dates), f"{what} {site_id} {day}")
        else:
            progress(f"[{n}/{len(dates)}] {what} {site_id} {day}")
        try:
            if batched:
                stage_issue(site_id, day, settings)
                pending.append(day)
            else:
                result.issues.append(steps.process_issue(site_id, day, settings=settings))
        except Exception as exc:  # one issue's failure must not stop the range
            result.failures.append(f"{site_id} {day}: {type(exc).__name__}: {exc}")
            progress(f"    failed: {exc}")
        if len(pending) >= settings.load_batch:
            load_pending(site_id, pending, settings, result, progress)
    load_pending(site_id, pending, settings, result, progress)
    return result


# -- batch loads (settings.load_batch > 1): each issue is parsed and staged, then every
# load_batch staged issues load in one warehouse transaction (steps.load_issues).


def stage_issue(site_id: str, day: str, settings: Settings) -> None:
    """Parse and deduplicate one issue into the staged zone, ready for a batch load."""
    steps.parse_issue(site_id, day, settings=settings)
    steps.dedup_issue(site_id, day, settings=settings)


def load_pending(
    site_id: str, days: list[str], settings: Settings, result: IngestResult, progress: Progress
) -> None:
    """Load the staged issues of `days` as batches, record each issue's outcome, empty `days`."""
    if not days:
        return
    progress(f"    load {len(days)} issues {site_id} {days[0]}…{days[-1]}")
    for loaded in steps.load_issues(site_id, days, settings=settings):
        if "error" in loaded:
            result.failures.append(f"{site_id} {loaded['issue_date']}: {loaded['error']}")
            progress(f"    failed: {loaded['error']}")
        else:
            result.issues.append(loaded)
    days.clear()
