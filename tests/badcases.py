"""The bad-input catalog's cases as fixture sites (``tests/fixtures/bad/<section>-<case>/``): laid out over the
repository's theme and ``_base/``, for the catalog test and for the dev server's error pages."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "bad"


BASE = FIXTURES / "_base"


CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def expected(case: str) -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / case / "expected.yaml").read_text(encoding="utf-8"))


@dataclass
class Scratch:
    """A case laid out in a scratch folder: ``tmp/site``, ``tmp/public`` (the output), ``tmp/home``."""

    tmp: Path
    case: str

    @property
    def site(self) -> Path:
        return self.tmp / "site"

    @property
    def out(self) -> Path:
        return self.tmp / "public"

    @property
    def home(self) -> Path:
        return self.tmp / "home"

    def fill(self, text: str) -> str:
        return text.format(site=self.site, home=self.home, tmp=self.tmp)


def lay_out(tmp: Path, case: str, spec: dict[str, Any]) -> Scratch:
    """The theme, the base site, then the case's files over them; its outside files and symlinks."""
    s = Scratch(tmp.resolve(), case)
    shutil.copytree(REPO / "templates", s.site / "templates")
    shutil.copytree(REPO / "static", s.site / "static")
    shutil.copytree(BASE, s.site, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / case, s.site, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.yaml"))
    s.home.mkdir()
    for name, text in (spec.get("outside") or {}).items():
        (s.tmp / name).write_text(text, encoding="utf-8")
    for link, target in (spec.get("symlinks") or {}).items():
        (s.site / link).symlink_to(target)
    return s
