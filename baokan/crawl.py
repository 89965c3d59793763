"""Run a spider in a subprocess (Twisted's reactor cannot restart inside one process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from baokan.config import Settings
from baokan.crawl_state import issue_state
from baokan.rawzone import POLICY_KINDS, RawZone
from baokan.sites import SiteProfile


class CrawlError(RuntimeError):
    """The spider process failed; the message carries the end of its log."""


def crawl_command(
    profile: SiteProfile,
    dates: list[str],
    base_url: str | None,
    log: Path,
    stats_file: Path | None = None,
    force: bool = False,
    overrides: dict[str, Any] | None = None,
) -> list[str]:
    """The scrapy command line for one crawl."""
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        profile.family,
        "-a",
        f"site={profile.id}",
        "-a",
        f"dates={','.join(dates)}",
        "-s",
        f"LOG_FILE={log}",
    ]
    if base_url:
        cmd += ["-a", f"base_url={base_url}"]
    if stats_file:
        cmd += ["-a", f"stats_file={stats_file}"]
    if force:
        cmd += ["-a", "force=1"]
    # A loopback base_url turns throttling off in the spider itself (FounderSpider.from_crawler).
    for name, value in (overrides or {}).items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def span(dates: list[str]) -> str:
    """A date range for people: one date, or first…last and how many (never every date)."""
    return dates[0] if len(dates) == 1 else f"{dates[0]}…{dates[-1]} ({len(dates)} issues)"


def _progress_rows(zone: RawZone, profile: SiteProfile, dates: list[str], since: float) -> int:
    """Rows fetched so far: the in-progress manifests, or this run's committed ones."""
    total = 0
    for day in dates:
        final = zone.manifest_path(profile.id, day)
        part = final.with_name(final.name + ".part")
        for path in (part, final):
            try:  # the spider renames .part over the manifest at any moment
                if path.stat().st_mtime >= since:
                    with path.open("rb") as fh:
                        total += sum(1 for _ in fh)
                    break
            except FileNotFoundError:
                continue
    return total


def run_crawl(
    profile: SiteProfile,
    dates: list[str],
    settings: Settings,
    base_url: str | None = None,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Crawl the issues not yet complete in raw (all of them if force); return counts and stats."""
    zone = RawZone(settings.raw_dir)
    states = {day: "absent" if force else issue_state(zone, profile, day) for day in dates}
    todo = [day for day in dates if states[day] not in ("complete", "no_issue")]
    skipped = [day for day in dates if day not in todo]
    started = time.monotonic()
    log = settings.log_path(f"crawl-{profile.id}-{dates[0]}-{os.getpid()}.log")
    stats: dict[str, Any] = {}
    if todo:
        cmd_args = (base_url, log, log.with_suffix(".stats.json"), force, overrides)
        stats = _run_spider(profile, todo, settings, cmd_args, progress)
    elif progress:
        progress(f"crawl {profile.id}: all {len(dates)} issues already in raw, nothing to fetch")
    no_issue = set(stats.get("no_issue_days", [])) | {d for d in skipped if states[d] == "no_issue"}
    return {
        "seconds": round(time.monotonic() - started, 2),
        "log": str(log) if todo else None,
        "issues": {day: _counts(zone, profile, day) for day in dates},
        "stats": {
            "issues_requested": len(dates),
            "issues_skipped": skipped,
            "pages": stats.get("pages", 0),
            "pdfs": stats.get("pdfs", 0),
            "articles": stats.get("articles", 0),
            "bytes": stats.get("bytes", 0),
            "reused": stats.get("reused", 0),
            "offsite": stats.get("offsite", 0),
            "capped": stats.get("capped", []),
            "errors": stats.get("errors", {}),
            "no_issue_days": sorted(no_issue),
        },
    }


def _run_spider(
    profile: SiteProfile,
    dates: list[str],
    settings: Settings,
    cmd_args: tuple[Any, ...],
    progress: Callable[[str], None] | None,
) -> dict[str, Any]:
    """Run scrapy in a subprocess; return the stats the spider wrote when it closed."""
    zone = RawZone(settings.raw_dir)
    log, stats_file = cmd_args[1], cmd_args[2]
    log.parent.mkdir(parents=True, exist_ok=True)
    stats_file.unlink(missing_ok=True)
    env = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "spiders.settings",
        "BAOKAN_DATA_DIR": str(settings.data_dir),
    }
    if settings.sites_dir:
        env["BAOKAN_SITES_DIR"] = str(settings.sites_dir)
    wall_start = time.time()
    # stderr goes to a file, not a pipe: a chatty child must never block on a full pipe.
    stderr_path = log.with_name(log.name + ".stderr")
    with stderr_path.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            crawl_command(profile, dates, *cmd_args), env=env, stdout=subprocess.DEVNULL, stderr=err
        )
        seen = -1
        while proc.poll() is None:
            time.sleep(0.2)
            rows = _progress_rows(zone, profile, dates, wall_start)
            if progress and rows != seen:
                progress(f"crawl {profile.id} {span(dates)}: {rows} responses")
                seen = rows
    stderr = stderr_path.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != 0 or not stats_file.exists():
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise CrawlError(
            f"spider for {profile.id} exited with {proc.returncode}; log {log}:\n"
            f"{tail}{stderr[-2000:]}"
        )
    result: dict[str, Any] = json.loads(stats_file.read_text(encoding="utf-8"))
    return result


def _counts(zone: RawZone, profile: SiteProfile, day: str) -> dict[str, int]:
    rows = zone.read_manifest(profile.id, day)
    counts = {
        "responses": len(rows),
        "errors": sum(r.status != 200 and r.kind not in POLICY_KINDS for r in rows),
        "offsite": sum(r.kind == "offsite" for r in rows),
        "bytes": sum(r.size for r in rows),
    }
    for kind in ("layout", "pdf", "article"):
        counts[kind] = sum(r.kind == kind and r.status == 200 for r in rows)
    return counts


def format_stats(stats: dict[str, Any]) -> str:
    """One line for people: what this run fetched and what went wrong, by kind."""
    errors = ", ".join(f"{k} {v}" for k, v in stats["errors"].items()) or "none"
    no_issue = ", ".join(stats["no_issue_days"]) or "none"
    return (
        f"crawl: {stats['pages']} pages, {stats['pdfs']} PDFs, {stats['articles']} articles, "
        f"{stats['bytes'] / 1e6:.1f} MB fetched, {stats['reused']} reused from raw; "
        f"errors: {errors}; no-issue days: {no_issue}; "
        f"already complete (skipped): {len(stats['issues_skipped'])}/{stats['issues_requested']}; "
        f"off-site refused: {stats['offsite']}; caps hit: {len(stats['capped'])}"
    )
