"""The sample site, built as a user would, compared file by file with ``tests/golden/``.

The golden copy pins the whole output of the sample site (search index aside: Pagefind's
files are its own), so a refactor that changes one byte of one page shows here as a unified
diff. After an intended change, regenerate it with ``pytest tests/test_golden.py --update-golden``
and review the diff in git before committing.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from conftest import REPO

GOLDEN = REPO / "tests" / "golden"
SHOWN = 40  # diff lines shown per differing file


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def diff(name: str, old: bytes, new: bytes) -> str:
    """A readable unified diff of one file (or a note that it is binary)."""
    try:
        a, b = old.decode("utf-8").splitlines(), new.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return f"{name}: binary file differs"
    lines = list(difflib.unified_diff(a, b, f"golden/{name}", f"built/{name}", lineterm="", n=1))
    more = f"\n... {len(lines) - SHOWN} more diff lines" if len(lines) > SHOWN else ""
    return "\n".join(lines[:SHOWN]) + more


def test_sample_site_equals_golden(tmp_path: Path, request: pytest.FixtureRequest,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.commands.build import build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")  # 2025-12-01: the build's "today", pinned
    out = tmp_path / "public"
    build(REPO, out, search=False, use_cache=False)
    built = files(out)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
        pytest.skip("tests/golden/ regenerated: review it with git diff")
    golden = files(GOLDEN)
    problems = [f"only in the build: {name}" for name in sorted(built.keys() - golden.keys())]
    problems += [f"missing from the build: {name}" for name in sorted(golden.keys() - built.keys())]
    problems += [diff(name, golden[name], built[name]) for name in sorted(built.keys() & golden.keys())
                 if golden[name] != built[name]]
    assert not problems, "the sample site differs from tests/golden/ " \
        "(if intended: pytest tests/test_golden.py --update-golden)\n" + "\n".join(problems)
