"""Run a spider in a subprocess (Twisted's reactor cannot restart inside one process)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from baokan.config import Settings
from baokan.rawzone import RawZone
from baokan.sites import SiteProfile

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class CrawlError(RuntimeError):
    """The spider process failed; the message carries the end of its log."""


def _is_local(url: str | None) -> bool:
    return bool(url) and urlsplit(url).hostname in LOCAL_HOSTS


def crawl_command(
    profile: SiteProfile, dates: list[str], base_url: str | None, log: Path
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
    if _is_local(base_url):
        # Our own fixture server on loopback: politeness delays would only slow tests down.
        cmd += ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"]
    return cmd


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
) -> dict[str, Any]:
    """Crawl the given issue dates; return per-issue fetch counts read back from the manifests."""
    zone = RawZone(settings.raw_dir)
    log = settings.log_path(f"crawl-{profile.id}-{dates[0]}-{os.getpid()}.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "spiders.settings",
        "BAOKAN_DATA_DIR": str(settings.data_dir),
    }
    started, wall_start = time.monotonic(), time.time()
    proc = subprocess.Popen(
        crawl_command(profile, dates, base_url, log),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = -1
    while proc.poll() is None:
        time.sleep(0.2)
        rows = _progress_rows(zone, profile, dates, wall_start)
        if progress and rows != seen:
            progress(f"crawl {profile.id} {','.join(dates)}: {rows} responses")
            seen = rows
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise CrawlError(
            f"spider for {profile.id} exited with {proc.returncode}; log {log}:\n"
            f"{tail}{stderr[-2000:]}"
        )
    return {
        "seconds": round(time.monotonic() - started, 2),
        "log": str(log),
        "issues": {day: _counts(zone, profile, day) for day in dates},
    }


def _counts(zone: RawZone, profile: SiteProfile, day: str) -> dict[str, int]:
    rows = zone.read_manifest(profile.id, day)
    counts = {
        "responses": len(rows),
        "errors": sum(r.status != 200 for r in rows),
        "bytes": sum(r.size for r in rows),
    }
    for kind in ("layout", "pdf", "article"):
        counts[kind] = sum(r.kind == kind and r.status == 200 for r in rows)
    return counts
