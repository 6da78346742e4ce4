"""``parallel.in_background``: work on the other core while the build goes on, ended whatever happens."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from builder import parallel


@pytest.fixture(autouse=True)
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests check the forked path. Browser tests earlier in the session leave Playwright's driver
    thread running, and with a second thread in_background rightly runs in-process instead."""
    monkeypatch.setattr(parallel, "_can_fork", lambda: True)


def test_the_result_comes_from_another_process() -> None:
    with parallel.in_background(os.getpid) as result:
        child = result()
    assert child != os.getpid()


def test_an_exception_in_the_child_is_raised_where_the_result_is_asked_for() -> None:
    def fail() -> None:
        raise FileNotFoundError(2, "No such file or directory", "/nowhere")

    with parallel.in_background(fail) as result, pytest.raises(FileNotFoundError, match="nowhere"):
        result()


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads the process table from /proc")
def test_a_child_not_waited_for_is_ended_with_the_block() -> None:
    def slow() -> int:
        time.sleep(60)
        return 0

    before = set(_children())  # earlier tests' helpers (Playwright's driver) may still run
    during: set[int] = set()
    with pytest.raises(RuntimeError), parallel.in_background(slow):  # the build failed before it needed the result
        during |= set(_children()) - before
        raise RuntimeError("the build stopped")
    assert len(during) == 1 and not set(_children()) - before  # killed and reaped: no zombie left


def test_in_process_where_forking_is_not_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "_can_fork", lambda: False)
    with parallel.in_background(os.getpid) as result:
        assert result() == os.getpid()


def _children() -> list[int]:
    """This process's children, zombies included (field 4 of /proc/<pid>/stat is the parent)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()[1]) == os.getpid():
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found
