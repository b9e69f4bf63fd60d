"""Linear-time checks that hold on a busy machine (the suite runs in two processes).

A test measures the input and four times the input, alternately, and keeps the best of
each: both sizes then see the same load. Linear work gives about 4x; quadratic work 16x.
These tests guard complexity; speed is measured in benchmarks/."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
RATIO = 8.0  # 4x the input may cost up to 8x the time: twice linear, half of quadratic


def best_times(run: Callable[[T], object], small: T, large: T, repeats: int = 5) -> tuple[float, float]:
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        for k, item in enumerate((small, large)):
            started = time.perf_counter()
            run(item)
            best[k] = min(best[k], time.perf_counter() - started)
    return best[0], best[1]


def assert_linear(run: Callable[[T], object], small: T, large: T, what: str, attempts: int = 3) -> None:
    """``large`` must be about four times ``small``. A measurement is taken again (up to
    ``attempts`` times) before failing: the other test process can crowd the caches of a
    larger input for a whole measurement (0.07 s, then 0.66 s for a linear 4x, once in a
    CI run), while quadratic work stays near 16x in every one."""
    for _ in range(attempts):
        a, b = best_times(run, small, large)
        if b < RATIO * a + 0.05:
            return
    raise AssertionError(f"{what}: {a:.3f} s, then {b:.3f} s for 4x the input")
