"""The per-page time limit interrupts slow work and leaves a caller's own timer alone."""

from __future__ import annotations

import signal
import time
from types import FrameType

import pytest

from parsers.timelimit import TimeLimitExceeded, time_limit


def test_slow_work_is_interrupted() -> None:
    with pytest.raises(TimeLimitExceeded, match=r"longer than 0\.05 s"), time_limit(0.05):
        time.sleep(1)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_fast_work_is_untouched() -> None:
    with time_limit(5):
        total = sum(range(1000))
    assert total == 499500 and signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_an_outer_timer_survives_and_still_fires() -> None:
    fired: list[int] = []

    def outer(signum: int, frame: FrameType | None) -> None:
        fired.append(signum)

    previous = signal.signal(signal.SIGALRM, outer)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with time_limit(0.1):
            pass
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0 < remaining <= 0.3
        time.sleep(0.5)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
