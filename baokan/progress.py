"""Progress on stderr: a live bar on a terminal, sparse lines in a log, nothing when quiet."""

from __future__ import annotations

import math
import sys
import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

# In a log (no terminal), a status line that repeats with new numbers is printed at most this
# often: a crawl reports its response count five times a second.
LOG_INTERVAL_S = 5.0
# In a log, issue steps are printed for every issue up to this many, then every 5 %.
LOG_EVERY_ISSUE_UP_TO = 20


class Reporter:
    """What long commands report while they run; `mode` is 'bar', 'lines', 'verbose' or 'quiet'."""

    def __init__(self, mode: str, stream: TextIO | None = None) -> None:
        self.mode = mode
        self.stream = stream or sys.stderr
        self._last_line = 0.0
        self._bar: Progress | None = None
        self._status: TaskID | None = None
        self._issues: TaskID | None = None

    @classmethod
    def for_terminal(cls, quiet: bool = False, verbose: bool = False) -> Reporter:
        """A bar on a terminal, lines elsewhere; -q silences it, -v prints every message."""
        if quiet:
            return cls("quiet")
        if verbose:
            return cls("verbose")
        return cls("bar" if sys.stderr.isatty() else "lines")

    def __enter__(self) -> Reporter:
        if self.mode == "bar":
            console = Console(file=self.stream)
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._bar.start()
            self._status = self._bar.add_task("starting", total=None)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __call__(self, message: str) -> None:
        """A status message (what is being fetched or done now)."""
        if self.mode == "quiet":
            return
        if self._bar is not None and self._status is not None:
            self._bar.update(self._status, description=message)
            return
        now = time.monotonic()
        if self.mode == "lines" and now - self._last_line < LOG_INTERVAL_S:
            return
        self._last_line = now
        self._print(message)

    def step(self, done: int, total: int, label: str) -> None:
        """Issue `done` of `total` (1-based) is starting; `label` names it."""
        if self.mode == "quiet":
            return
        if self._bar is not None:
            if self._issues is None:
                self._issues = self._bar.add_task("issues", total=total)
            self._bar.update(self._issues, completed=done - 1, description=label)
            return
        every = 1 if total <= LOG_EVERY_ISSUE_UP_TO else math.ceil(total / 20)
        if self.mode == "verbose" or done in (1, total) or done % every == 0:
            self._print(f"[{done}/{total}] {label}")
            self._last_line = 0.0  # the next status line belongs to this issue: show it

    def finish(self, total: int) -> None:
        """Every issue is done."""
        if self._bar is not None and self._issues is not None:
            self._bar.update(self._issues, completed=total)

    def _print(self, message: str) -> None:
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False)
        else:
            print(f"  … {message}", file=self.stream, flush=True)
