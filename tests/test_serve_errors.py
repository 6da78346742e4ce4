"""The dev server survives every error case of the catalog and shows it, then comes back when it is undone.

One ``python -m builder serve`` on the catalog's base site; each error case of
tests/fixtures/bad/ is written into it, its error page checked over HTTP (file,
line and message), then the files are put back and the site must serve again.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from badcases import CASES, FIXTURES, expected, lay_out
from devserver import Served

HOME = "/digest/"  # the base site's base_url path
GOOD = "en/2025/11/a-good-article/"
SERVED = [c for c in CASES if expected(c)["outcome"] == "error" and "args" not in expected(c)]  # not --out cases


class Breakage:
    """A case's files written over a running site, and undone: replaced files get their bytes back."""

    def __init__(self, site: Path, case: str):
        self.site, self.case, self.spec = site, case, expected(case)
        self.saved: dict[Path, bytes | None] = {}
        self.made: list[Path] = []  # folders the case created, shallowest first

    def apply(self) -> None:
        for source in sorted((FIXTURES / self.case).rglob("*")):
            if source.is_file() and source.name != "expected.yaml":
                self._write(self.site / source.relative_to(FIXTURES / self.case), source.read_bytes())
        for name, text in (self.spec.get("outside") or {}).items():
            self._write(self.site.parent / name, text.encode("utf-8"))
        for link, target in (self.spec.get("symlinks") or {}).items():
            self.saved.setdefault(self.site / link, None)
            (self.site / link).symlink_to(target)

    def _write(self, path: Path, data: bytes) -> None:
        missing = [folder for folder in path.parents if not folder.exists()]  # a case's new story folder
        self.made += reversed(missing)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.saved.setdefault(path, path.read_bytes() if path.is_file() else None)
        path.write_bytes(data)

    def undo(self) -> None:
        for path, data in self.saved.items():
            if data is None:
                path.unlink()
            else:
                path.write_bytes(data)
        for folder in reversed(self.made):  # deepest first
            folder.rmdir()


def error_shown(body: str, spec: dict[str, Any]) -> bool:
    """Whether the error page names every expected problem: file and line (the page shows no column), message."""
    text = html.unescape(body)
    for report in spec["reports"]:
        path, _, rest = report["where"].partition(":")
        line = rest.split(":")[0]
        where = f"{path}:{line}" if line else path
        if where not in text or report["message"] not in text:
            return False
    return True


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("serve-errors")
    scratch = lay_out(tmp, "", {})
    s = Served(scratch.site, tmp / "out")
    yield s
    assert s.stop() == 0


@pytest.mark.parametrize("case", SERVED)
def test_server_shows_the_error_and_recovers(served: Served, case: str) -> None:
    breakage = Breakage(served.site, case)
    breakage.apply()
    try:
        body = served.wait_page(HOME, lambda status, body: status == 500 and error_shown(body, breakage.spec),
                                f"the error page of {case}")
        assert "Traceback" not in body and "livereload.js" in body
    finally:
        breakage.undo()
    served.wait_page(HOME + GOOD, lambda status, body: status == 200 and "A short body that stays." in body,
                     f"the site back after {case}")
    assert served.proc.poll() is None


@pytest.mark.browser
def test_open_tab_shows_a_content_error_and_comes_back(browser: Any, tmp_path: Path) -> None:
    scratch = lay_out(tmp_path, "", {})
    s = Served(scratch.site, tmp_path / "out")
    page = browser.new_page()
    breakage = Breakage(scratch.site, "dates-feb-30")
    try:
        page.goto(f"http://127.0.0.1:{s.port}{HOME}{GOOD}")
        page.wait_for_function("() => window.LiveReload !== undefined", timeout=20_000)
        breakage.apply()
        page.wait_for_function("() => document.body.innerText.includes('content/articles/bad.md:3')", timeout=20_000)
        assert "is not a real date" in page.inner_text("body") and "Build failed" in page.inner_text("h1")
        breakage.undo()
        page.wait_for_function("() => document.body.innerText.includes('A short body that stays.')", timeout=20_000)
    finally:
        page.close()
        assert s.stop() == 0
