"""Work spread over every core: forked worker processes for the per-article stages of a big build.

Forked workers start at once, inherit the site already in memory (nothing is
pickled to them but the work items) and need no importable ``__main__``. Forking
is only safe in a single-threaded process, so the dev server (which runs
threads) and small batches work in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from tqdm import tqdm

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 256  # items before a process pool pays for its start-up
show_progress = True  # cleared by --quiet; the bar only ever shows on a terminal


_TASK: Callable[[Any], Any] | None = None  # what forked workers run: set before the pool forks them


def fork_map(fn: Callable[[T], R], items: Sequence[T], label: str, chunksize: int = 32) -> Iterator[R]:
    """``map(fn, items)`` in order, on every core when there are many items; a progress bar
    on a terminal for long runs. ``fn`` and ``items`` may be closures: workers inherit them by forking."""
    global _TASK
    if len(items) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():
        yield from _progress(map(fn, items), len(items), label)
        return
    _TASK = lambda i: fn(items[i])  # noqa: E731 - workers get indexes: items may not pickle (closures)
    try:
        with ProcessPoolExecutor(mp_context=multiprocessing.get_context("fork")) as pool:
            yield from _progress(pool.map(_run, range(len(items)), chunksize=chunksize), len(items), label)
    finally:
        _TASK = None


def _run(index: int) -> Any:
    assert _TASK is not None
    return _TASK(index)


def _progress(results: Iterable[R], total: int, label: str) -> Iterable[R]:
    if not show_progress or total < PARALLEL_FROM or not sys.stderr.isatty():
        return results
    return tqdm(results, total=total, desc=label, unit="", leave=False, file=sys.stderr)
