"""A wall-clock limit around one unit of work (a PDF page), so one bad page cannot stall a run."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TimeLimitExceeded(Exception):
    """The work took longer than its limit."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimitExceeded inside the block after `seconds` (main thread, POSIX only).

    Elsewhere (worker threads, no SIGALRM) the block runs without a limit: a signal is the
    only way to interrupt pure-Python work in this process. A timer already set by the
    caller (Airflow's execution_timeout uses SIGALRM too) is kept: if it fires first it wins,
    and it is re-armed, less the time spent, when the block ends.
    """
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    outer = signal.getitimer(signal.ITIMER_REAL)[0] if usable else 0.0
    if not usable or (outer and outer <= float(seconds or 0)):
        yield
        return

    def _expire(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitExceeded(f"took longer than {seconds:g} s")

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds or 0))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 0.001))
