"""Run a spider in a subprocess (Twisted's reactor cannot restart inside one process)."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any

from baokan.config import Settings
from baokan.crawl_state import issue_check
from baokan.rawzone import POLICY_KINDS, RawZone
from baokan.sites import SiteProfile

STOP_GRACE = 5.0  # seconds the spider gets to commit its manifests when we are stopped
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class CrawlError(RuntimeError):
    """The spider process failed; the message carries the end of its log."""


class IssueLocked(RuntimeError):
    """Another process is crawling this issue right now."""


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
    """Crawl the issues not yet complete in raw (all of them if force); return counts and stats.

    Each issue is locked while it is crawled; an issue another process is crawling is left
    to it and listed under stats["locked"] with that process's message.
    """
    zone = RawZone(settings.raw_dir)
    with contextlib.ExitStack() as held:
        locked = _lock_issues(zone, profile, dates, held)
        mine = [day for day in dates if day not in locked]
        checks = {day: issue_check(zone, profile, day) for day in mine}
        states = {day: "absent" if force else checks[day][0] for day in mine}
        damage = [f"{p.kind}: {p.source}: {p.message}" for c in checks.values() for p in c[1]]
        if progress:
            for line in damage:
                progress(f"crawl {profile.id}: raw zone damaged, fetching again: {line}")
        result = _crawl_unlocked(
            zone, profile, dates, states, settings, progress, force, base_url, overrides
        )
    result["stats"]["locked"] = locked
    result["stats"]["raw_damage"] = damage
    return result


def _crawl_unlocked(
    zone: RawZone,
    profile: SiteProfile,
    dates: list[str],
    states: dict[str, str],
    settings: Settings,
    progress: Callable[[str], None] | None,
    force: bool,
    base_url: str | None,
    overrides: dict[str, Any] | None,
) -> dict[str, Any]:
    todo = [day for day in states if states[day] not in ("complete", "no_issue")]
    skipped = [day for day in states if day not in todo]
    started = time.monotonic()
    log = settings.log_path(f"crawl-{profile.id}-{dates[0]}-{os.getpid()}.log")
    stats: dict[str, Any] = {}
    if todo:
        cmd_args = (base_url, log, log.with_suffix(".stats.json"), force, overrides)
        stats = _run_spider(profile, todo, settings, cmd_args, progress)
    elif progress:
        progress(f"crawl {profile.id}: all {len(states)} issues already in raw, nothing to fetch")
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
    with (
        stderr_path.open("w", encoding="utf-8") as err,
        _child(crawl_command(profile, dates, *cmd_args), env, err) as (proc, caught),
    ):
        seen = -1
        while proc.poll() is None and not caught:
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


# ----------------------------------------------------------------- locks and the child process


def _lock_issues(
    zone: RawZone, profile: SiteProfile, dates: list[str], held: contextlib.ExitStack
) -> dict[str, str]:
    """Lock every issue we can (held until the stack closes); the others, with who has them."""
    locked: dict[str, str] = {}
    for day in dates:
        try:
            held.enter_context(issue_lock(zone, profile.id, day))
        except IssueLocked as exc:
            locked[day] = str(exc)
    return locked


@contextlib.contextmanager
def issue_lock(zone: RawZone, site_id: str, day: str) -> Iterator[None]:
    """Hold the issue's crawl lock (flock, non-blocking); IssueLocked names the holder's pid."""
    path = zone.lock_path(site_id, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    # "a+" never truncates: the holder's pid stays readable until we own the lock.
    with path.open("a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IssueLocked(
                f"{site_id} {day}: already being crawled by pid {_holder(fh)} (lock {path})"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _holder(fh: IO[str]) -> str:
    fh.seek(0)
    return fh.read().strip() or "?"


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn that makes the child get SIGKILL when we die (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    # Resolved before fork: the child only makes one libc call between fork and exec.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # we died before prctl took effect
            os._exit(1)

    return preexec


Caught = list[tuple[int, FrameType | None]]


@contextlib.contextmanager
def _child(
    cmd: list[str], env: dict[str, str], err: IO[str]
) -> Iterator[tuple[subprocess.Popen[bytes], Caught]]:
    """Run cmd in its own process group that never outlives us (SIGKILL, SIGTERM, SIGINT).

    Yields the process and the list of signals caught meanwhile: the caller stops waiting
    when one arrives; on the way out the child is stopped, then the signal gets its old
    handler (the default one ends the process, as if we had never caught it).
    """
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=err,
        process_group=0,  # our own group: we stop the spider and anything it started
        preexec_fn=_die_with_parent(),
    )
    caught: Caught = []
    previous = _catch_signals(proc, caught)
    try:
        yield proc, caught
    finally:
        _stop(proc)
        for signum, old in previous.items():
            signal.signal(signum, old)
        for signum, frame in caught[:1]:
            _chain(previous[signum], signum, frame)


def _catch_signals(proc: subprocess.Popen[bytes], caught: Caught) -> dict[int, Any]:
    """On SIGTERM/SIGINT pass SIGTERM to the child's group and note the signal; nothing more.

    The handler never waits: Popen.wait inside a handler can deadlock on Popen's own lock.
    """
    if threading.current_thread() is not threading.main_thread():
        return {}  # handlers can only be set from the main thread; PDEATHSIG still holds

    def handler(signum: int, frame: FrameType | None) -> None:
        caught.append((signum, frame))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)

    previous: dict[int, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, handler)
    return previous


def _chain(old: Any, signum: int, frame: FrameType | None) -> None:
    """Do what the signal would have done had we not caught it."""
    if callable(old):
        old(signum, frame)
    elif old == signal.SIG_DFL:
        os.kill(os.getpid(), signum)  # the handler is restored: this ends the process


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the child's group (Scrapy commits its manifests), SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


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
    line = (
        f"crawl: {stats['pages']} pages, {stats['pdfs']} PDFs, {stats['articles']} articles, "
        f"{stats['bytes'] / 1e6:.1f} MB fetched, {stats['reused']} reused from raw; "
        f"errors: {errors}; no-issue days: {no_issue}; "
        f"already complete (skipped): {len(stats['issues_skipped'])}/{stats['issues_requested']}; "
        f"off-site refused: {stats['offsite']}; caps hit: {len(stats['capped'])}"
    )
    if stats.get("raw_damage"):
        line += f"; raw zone damage fetched again: {len(stats['raw_damage'])}"
    if stats.get("locked"):
        line += f"; left to another crawl: {', '.join(stats['locked'])}"
    return line
