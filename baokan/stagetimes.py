"""Wall time, CPU time and peak memory per pipeline stage, for benchmarks (off by default).

Set BAOKAN_STAGE_TIMES=path (or `baokan ingest --stage-times path`) and the ingest writes one
JSON file there. Per stage it holds:

- ``wall_s``: seconds spent inside the stage, summed over every process that ran it (parse
  workers run side by side, so with N workers this can exceed the run's elapsed time);
- ``cpu_s``: user + system CPU seconds of those processes (children waited on included, e.g.
  the crawl's spider);
- ``peak_rss_mb``: the highest resident set size seen while the stage ran, in any one process
  that ran it: the main process is sampled every 20 ms, a parse worker reports its own
  high-water mark (ru_maxrss), the crawl's spider its ru_maxrss. Not a sum over processes.

``elapsed_s`` is the run's own wall time; ``waits`` is how long the main process waited on
work done elsewhere (the parse pool).
"""

from __future__ import annotations

import json
import os
import resource
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV = "BAOKAN_STAGE_TIMES"
SAMPLE_S = 0.02
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20 if hasattr(os, "sysconf") else 4096 / 2**20


def rss_mb() -> float:
    """This process's resident set size now, in MiB (Linux /proc; else the high-water mark)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE_MB
    except OSError:
        return max_rss_mb()


def max_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """High-water resident set size of this process (or its waited-on children), in MiB."""
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def cpu_s(who: int = resource.RUSAGE_SELF) -> float:
    """User + system CPU seconds of this process (or its waited-on children)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Stage:
    """Accumulated figures of one stage."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    count: int = 0

    def add(self, wall: float, cpu: float, peak: float) -> None:
        """Add one run of the stage."""
        self.wall_s += wall
        self.cpu_s += cpu
        self.peak_rss_mb = max(self.peak_rss_mb, peak)
        self.count += 1


@dataclass
class StageTimes:
    """Stages by name; `stage()` times a block in this process, `add()` takes a worker's figures."""

    stages: dict[str, Stage] = field(default_factory=dict)
    waits: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    _current: str | None = None
    _peak: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    def add(self, name: str, wall: float, cpu: float, peak: float) -> None:
        """Record one run of a stage measured elsewhere (a worker process)."""
        self.stages.setdefault(name, Stage()).add(wall, cpu, peak)

    def wait(self, name: str, seconds: float) -> None:
        """Record time the main process spent waiting on another process's stage."""
        self.waits[name] = self.waits.get(name, 0.0) + seconds

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage `name`, children's CPU (e.g. the spider) included."""
        self._start_sampler()
        wall, cpu, child = time.monotonic(), cpu_s(), cpu_s(resource.RUSAGE_CHILDREN)
        self._current, self._peak = name, rss_mb()
        try:
            yield
        finally:
            child_cpu = cpu_s(resource.RUSAGE_CHILDREN) - child
            # A child's ru_maxrss is only known for children waited on (the crawl's spider).
            child_peak = max_rss_mb(resource.RUSAGE_CHILDREN) if child_cpu else 0.0
            peak = max(self._peak, rss_mb(), child_peak)
            self._current = None
            self.add(name, time.monotonic() - wall, cpu_s() - cpu + child_cpu, peak)

    def _start_sampler(self) -> None:
        if self._sampler is None:
            self._sampler = threading.Thread(target=self._sample, daemon=True, name="stagetimes")
            self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            if self._current is not None:
                self._peak = max(self._peak, rss_mb())

    def to_dict(self) -> dict[str, Any]:
        """JSON-able figures, rounded."""
        return {
            "elapsed_s": round(time.monotonic() - self.started, 3),
            "cpu_s_self": round(cpu_s(), 3),
            "cpu_s_children": round(cpu_s(resource.RUSAGE_CHILDREN), 3),
            "peak_rss_mb_self": round(max_rss_mb(), 1),
            "stages": {
                name: {
                    "wall_s": round(s.wall_s, 3),
                    "cpu_s": round(s.cpu_s, 3),
                    "peak_rss_mb": round(s.peak_rss_mb, 1),
                    "count": s.count,
                }
                for name, s in self.stages.items()
            },
            "waits": {name: round(s, 3) for name, s in self.waits.items()},
        }

    def write(self, path: Path) -> None:
        """Stop sampling and write the figures as JSON."""
        self._stop.set()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")


@contextmanager
def timed_call() -> Iterator[dict[str, float]]:
    """Measure a block in this process (a parse worker): wall, CPU and high-water RSS."""
    out: dict[str, float] = {}
    wall, cpu = time.monotonic(), cpu_s()
    try:
        yield out
    finally:
        out.update(wall=time.monotonic() - wall, cpu=cpu_s() - cpu, peak=max_rss_mb())


class NoTimes(StageTimes):
    """Stage timing switched off: blocks run untimed, nothing is sampled or written."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Run the block untimed."""
        yield


def from_env() -> tuple[StageTimes, Path | None]:
    """Timing on (and where to write it) when BAOKAN_STAGE_TIMES is set, else a no-op."""
    path = os.environ.get(ENV)
    return (StageTimes(), Path(path)) if path else (NoTimes(), None)
