"""Ingest a date range end to end: crawl (one spider run), then parse, dedup and load each issue.

Parsing runs ahead in a process pool (``parse_workers``); dedup and load stay in this process
in date order, because an issue's clusters depend on every issue loaded before it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from baokan import steps
from baokan.config import Settings, env_count
from baokan.stagetimes import NoTimes, StageTimes, timed_call

Progress = Callable[[str], None]
# Called as step(n, total, label) before issue n of total (1-based) is parsed and loaded.
Step = Callable[[int, int, str], None]
WORKERS_ENV = "BAOKAN_PARSE_WORKERS"
# Issues parsed ahead of the one being loaded, per worker: keeps every core busy while the
# main process loads, and bounds what waits on disk (parsed files, not memory).
AHEAD_PER_WORKER = 2


def date_range(start: str, until: str | None = None) -> list[str]:
    """ISO dates from start to until inclusive."""
    first, last = date.fromisoformat(start), date.fromisoformat(until or start)
    if last < first:
        raise ValueError(f"--until {last} is before --date {first}")
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def parse_workers(requested: int | None = None) -> int:
    """Parse processes: the argument, else BAOKAN_PARSE_WORKERS, else one per CPU."""
    if requested is None:
        requested = env_count(WORKERS_ENV) or os.cpu_count() or 1
    if requested < 1:
        raise ValueError(f"parse workers must be at least 1, not {requested}")
    return requested


@dataclass
class IngestResult:
    """What one ingest run did, per issue."""

    crawl: dict[str, Any]
    issues: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Parsed:
    """One issue's parse outcome: error is None on success, else 'Type: message'."""

    day: str
    error: str | None = None
    message: str | None = None  # the exception's own text, for the progress line


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
    workers: int | None = None,
    times: StageTimes | None = None,
) -> IngestResult:
    """Run every step for each date; one bad issue is reported and the others still load."""
    settings = settings or Settings.from_env()
    times = times or NoTimes()
    workers = parse_workers(workers)
    crawled: dict[str, Any] = {}
    if crawl:
        with times.stage("crawl"):
            crawled = steps.crawl_dates(
                site_id, dates, base_url=base_url, progress=progress, settings=settings, force=force
            )
    result = IngestResult(crawl=crawled)
    locked = crawled.get("stats", {}).get("locked", {})
    todo = [day for day in dates if day not in locked]  # a locked issue is another run's
    parse = _parse_serial if workers == 1 or len(todo) < 2 else _parse_pool
    # With load_batch > 1, deduplicated issues wait here for one transaction per batch.
    pending: list[str] = []
    what = "parse, dedup" if settings.load_batch > 1 else "parse, dedup, load"
    with closing(parse(site_id, todo, settings, workers, times)) as parsed:
        for n, day in enumerate(dates, 1):
            if day in locked:
                result.failures.append(locked[day])
                progress(f"    skipped: {locked[day]}")
                continue
            if step:
                step(n, len(dates), f"{what} {site_id} {day}")
            else:
                progress(f"[{n}/{len(dates)}] {what} {site_id} {day}")
            _finish_issue(site_id, next(parsed), settings, times, result, progress, pending)
            if len(pending) >= settings.load_batch:
                with times.stage("load"):
                    load_pending(site_id, pending, settings, result, progress)
    if pending:
        with times.stage("load"):
            load_pending(site_id, pending, settings, result, progress)
    return result


def _finish_issue(
    site_id: str,
    parsed: Parsed,
    settings: Settings,
    times: StageTimes,
    result: IngestResult,
    progress: Progress,
    pending: list[str],
) -> None:
    """Dedup and load one parsed issue; a failure (its parse's included) is recorded, not raised.

    With load_batch > 1 the deduplicated issue joins `pending` for its batch's load instead.
    """
    try:
        if parsed.error is None:
            with times.stage("dedup"):
                steps.dedup_issue(site_id, parsed.day, settings=settings)
            if settings.load_batch > 1:
                pending.append(parsed.day)
                return
            with times.stage("load"):
                result.issues.append(steps.load_issue(site_id, parsed.day, settings=settings))
            return
        error, message = parsed.error, parsed.message
    except Exception as exc:  # one issue's failure must not stop the range
        error, message = f"{type(exc).__name__}: {exc}", str(exc)
    result.failures.append(f"{site_id} {parsed.day}: {error}")
    progress(f"    failed: {message}")


def _parse_one(site_id: str, day: str, settings: Settings) -> Parsed:
    """Parse one issue into <data>/parsed/; an exception becomes the outcome's error."""
    try:
        steps.parse_issue(site_id, day, settings=settings)
    except Exception as exc:  # reported with the issue, as the serial path always did
        return Parsed(day, f"{type(exc).__name__}: {exc}", str(exc))
    return Parsed(day)


def _parse_serial(
    site_id: str, days: list[str], settings: Settings, workers: int, times: StageTimes
) -> Generator[Parsed, None, None]:
    """Parse each issue in this process when its turn comes (the path of --parse-workers 1)."""
    for day in days:
        with times.stage("parse"):
            outcome = _parse_one(site_id, day, settings)
        yield outcome


def _worker_init() -> None:
    """Ctrl-C is the main process's to handle: it stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _parse_in_worker(site_id: str, day: str, settings: Settings) -> tuple[Parsed, dict[str, float]]:
    """A pool worker's job: parse one issue (the file is the result) and time it."""
    with timed_call() as timing:
        outcome = _parse_one(site_id, day, settings)
    return outcome, timing


class _Pool:
    """A spawn-context process pool that can be killed outright (Ctrl-C) and replaced."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent has threads (progress, timing) and fork copies their locks.
        ctx = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_worker_init)

    def submit(self, *args: Any) -> Future[tuple[Parsed, dict[str, float]]]:
        """Queue one issue's parse."""
        return self.executor.submit(_parse_in_worker, *args)

    def replace(self) -> None:
        """Throw away a broken pool and start a fresh one."""
        self.kill()
        self.executor = self._new()

    def exit_status(self) -> str | None:
        """How the worker that broke the pool exited ("SIGKILL", "exit code 3"), if known.

        The executor's manager thread terminates (SIGTERM) and joins the other workers of a
        broken pool, so it is waited for first; a worker not ended by it is the dead one. None
        when no worker exited (the pool broke for another reason, e.g. a result not unpickled).
        """
        thread = getattr(self.executor, "_executor_manager_thread", None)
        if thread is not None:
            thread.join(timeout=10)
        codes = [p.exitcode for p in (getattr(self.executor, "_processes", None) or {}).values()]
        ended = [c for c in codes if c not in (None, 0)]
        dead = [c for c in ended if c != -signal.SIGTERM] or ended
        return ", ".join(_describe_exit(c) for c in sorted(set(dead))) or None

    def kill(self) -> None:
        """Stop the workers now, queued work dropped (3.11 has no public terminate)."""
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        for proc in processes:
            proc.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)


def _parse_pool(
    site_id: str, days: list[str], settings: Settings, workers: int, times: StageTimes
) -> Generator[Parsed, None, None]:
    """Parse up to AHEAD_PER_WORKER × workers issues ahead in worker processes, yield in order.

    A worker that dies (a crash, not an exception) breaks the whole pool: the issue waited on
    is then parsed again alone in a fresh pool, so only the issue that kills a worker fails.
    """
    pool = _Pool(min(workers, len(days)))
    queue = iter(days)
    pending: deque[tuple[str, Future[tuple[Parsed, dict[str, float]]]]] = deque()
    try:
        while True:
            while len(pending) < AHEAD_PER_WORKER * pool.workers:
                day = next(queue, None)
                if day is None:
                    break
                pending.append((day, pool.submit(site_id, day, settings)))
            if not pending:
                return
            day, future = pending.popleft()
            waited = time.monotonic()
            try:
                outcome, timing = future.result()
            except BrokenProcessPool:
                outcome, timing = _parse_alone(pool, site_id, day, settings)
                pending = deque((d, pool.submit(site_id, d, settings)) for d, _ in pending)
            times.wait("parse", time.monotonic() - waited)
            times.add("parse", timing["wall"], timing["cpu"], timing["peak"])
            yield outcome
    finally:
        pool.kill()


def _parse_alone(
    pool: _Pool, site_id: str, day: str, settings: Settings
) -> tuple[Parsed, dict[str, float]]:
    """Re-parse one issue in a fresh pool after a worker died; if it dies again, it failed."""
    pool.replace()
    try:
        return pool.submit(site_id, day, settings).result()
    except BrokenProcessPool:
        status = pool.exit_status()
        pool.replace()
        error = "parse worker process died (crashed or killed) while parsing this issue"
        if status:
            error += f": worker exited with {status}"
        return Parsed(day, f"BrokenProcessPool: {error}", error), {"wall": 0, "cpu": 0, "peak": 0}


def _describe_exit(code: int) -> str:
    """A process exit code as a person reads it: a signal's name, else the code."""
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


# -- batch loads (settings.load_batch > 1): each issue is parsed and deduplicated, then every
# load_batch staged issues load in one warehouse transaction (steps.load_issues).


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
