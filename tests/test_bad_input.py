"""Every case of the bad-input catalog (shared/BAD-INPUT.md) as a fixture site, built by the real CLI.

``tests/fixtures/bad/<section>-<case>/`` holds only what the case changes; the runner
lays it over the repository's theme and ``_base/`` (a valid one-article site), builds
into an output folder that already holds a good build, and checks what the catalog
promises: the exit code, each ``path:line[:col]: message`` of ``expected.yaml``, no
traceback, nothing written outside the output folder, and on failure the previous
output byte for byte with no staging folder left. Warnings must fail under ``--strict``.

``expected.yaml`` keys: ``section`` and ``case`` (the catalog's row), ``outcome``
(error | warning | ok), ``exit``, ``errors`` (the count in "Build failed with N
errors"), ``reports`` (``where`` and a ``message`` fragment each), ``pages`` (output
page → visible text it must show), ``inert`` (its pages add no executable construct),
``balanced`` (tags whose start and end tags pair up), ``args`` (extra CLI arguments,
with ``{site}``, ``{home}`` and ``{tmp}``), ``outside`` (files written beside the site)
and ``symlinks`` (site path → link target).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from badcases import CASES, Scratch, expected, lay_out
from conftest import REPO
from htmlscan import Page, scan

GOOD_PAGE = "en/2025/11/a-good-article/index.html"  # the base's article, in every build of every case








def snapshot(folder: Path, skip: Path | None = None) -> dict[str, str]:
    """Every entry under ``folder`` but ``skip`` and build caches: files by hash, links by target."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d != skip and d != ".digest-cache"]
        for name in dirnames + filenames:
            path = here / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = "-> " + os.readlink(path)
            elif path.is_dir():
                found[key] = "folder"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def digest(scratch: Scratch, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m builder build`` on the case, from the scratch folder, with the scratch home as HOME."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(scratch.home)}
    env.pop("DIGEST_DEBUG", None)
    out = [] if "--out" in args else ["--out", str(scratch.out)]
    return subprocess.run([sys.executable, "-m", "builder", "build", "--site", str(scratch.site), *out, *args],
                          capture_output=True, text=True, cwd=scratch.tmp, env=env, timeout=120)


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good build of the base site, built once: the output every case starts from."""
    tmp = tmp_path_factory.mktemp("previous")
    scratch = lay_out(tmp, "", {})
    result = digest(scratch)
    assert result.returncode == 0, result.stderr
    return scratch.out


def executable(page: Page) -> Counter[str]:
    """What in a page could run script or leave it: script-bearing elements, handlers, script URLs."""
    found: Counter[str] = Counter()
    for el in page.elements:
        if el.tag in {"script", "iframe", "object", "embed", "base", "form", "style", "frame", "applet"}:
            found[f"<{el.tag} type={el.attrs.get('type', '')}>"] += 1
        if el.tag == "meta" and "http-equiv" in el.attrs:
            found["<meta http-equiv>"] += 1
        for name, value in el.attrs.items():
            scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
            if name.startswith("on") or scheme in {"javascript", "vbscript", "data"}:
                found[f"{el.tag}[{name}]"] += 1
    return found


def reported(stderr: str, where: str, message: str, warning: bool) -> bool:
    """Whether ``stderr`` has a problem line at exactly ``where`` (the column, when the case gives none,
    may follow) of the right kind, carrying ``message``."""
    head = re.compile(re.escape(where) + (r"(:\d+)?" if where.count(":") < 2 else "") +
                      (": warning: " if warning else ": error: "))
    return any(head.match(line) and message in line for line in stderr.splitlines())


@pytest.mark.parametrize("case", CASES)
def test_catalog_case(case: str, tmp_path: Path, previous: Path) -> None:
    spec = expected(case)
    scratch = lay_out(tmp_path, case, spec)
    shutil.copytree(previous, scratch.out)
    before_out = snapshot(scratch.out)
    before = snapshot(scratch.tmp, skip=scratch.out)

    result = digest(scratch, *(scratch.fill(a) for a in spec.get("args", [])))
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == spec["exit"], output
    outcome = spec["outcome"]
    for report in spec.get("reports", []):
        where = scratch.fill(report["where"])
        assert reported(result.stderr, where, report["message"], outcome == "warning"), \
            f"expected '{where}: … {report['message']}' in:\n{result.stderr}"
    assert snapshot(scratch.tmp, skip=scratch.out) == before, "something was written outside the output folder"
    assert not list(scratch.tmp.glob(".public.*")), "a staging folder was left behind"

    if outcome == "error":
        n = spec["errors"]
        assert f"Build failed with {n} error{'s' if n != 1 else ''}:" in result.stderr, result.stderr
        assert snapshot(scratch.out) == before_out, "the previous output changed"
        return
    check_pages(scratch.out, spec)
    if outcome == "warning":
        built = snapshot(scratch.out)
        strict = digest(scratch, "--strict")
        assert strict.returncode == 1 and "Build failed with" in strict.stderr, strict.stderr
        assert all(reported(strict.stderr, scratch.fill(r["where"]), r["message"], True) for r in spec["reports"])
        assert snapshot(scratch.out) == built
    else:
        assert "warning" not in result.stderr, result.stderr


def check_pages(out: Path, spec: dict[str, Any]) -> None:
    """The pages the case names exist, show their text, run nothing the base page does not, and keep structure."""
    assert (out / GOOD_PAGE).is_file()
    baseline = executable(scan((out / GOOD_PAGE).read_text(encoding="utf-8")))
    for name, texts in (spec.get("pages") or {}).items():
        assert (out / name).is_file(), f"{name} was not written: {sorted(p.relative_to(out).as_posix() for p in out.rglob('*.html'))}"
        page = scan((out / name).read_text(encoding="utf-8"))
        for text in texts:
            assert text in page.text, f"{name} does not show {text!r}"
        if spec.get("inert"):
            assert executable(page) == baseline, f"{name}: {executable(page) - baseline}"
        for tag in spec.get("balanced", []):
            assert len(page.all(tag)) == page.ends[tag], f"{name}: <{tag}> and </{tag}> do not pair up"


def test_every_catalog_row_has_a_case() -> None:
    """The catalog's rows of the sections covered here, each with one case at least, and no case without a row."""
    covered = {"Front matter and YAML", "Dates", "Encoding and text", "Article bodies (untrusted)", "Paths and names",
               "Configuration and templates"}
    catalog = (REPO.parent / "shared" / "BAD-INPUT.md")
    if not catalog.is_file():
        pytest.skip("shared/BAD-INPUT.md is not beside the repository")
    rows, section = set(), ""
    for line in catalog.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif section in covered and line.startswith("| ") and not line.startswith(("| input", "|---")):
            rows.add((section, line.split(" | ")[0].removeprefix("| ").strip()))
    cases = {(expected(c)["section"], expected(c)["case"]) for c in CASES}
    assert rows - cases == set(), "catalog rows without a case"
    assert {c for c in cases if c[0] != "Legend"} - rows == set(), "cases naming no catalog row"
