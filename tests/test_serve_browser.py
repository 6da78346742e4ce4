"""Live reload in a real browser: a page open in headless chromium follows the edits with no action from the test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from devserver import ARTICLE, Served, article_url, edit, serve  # noqa: F401 (serve is a fixture)

pytestmark = pytest.mark.browser
TIMEOUT_MS = 20_000


def test_open_page_follows_edits_and_errors(browser: Any, serve: Callable[..., Served]) -> None:
    s = serve()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{s.port}{article_url(s.site, ARTICLE)}")
        page.wait_for_function("() => window.LiveReload !== undefined", timeout=TIMEOUT_MS)  # connected

        edit(s.site / ARTICLE, "\n---\n", "\n---\nPangolin sighting reported live.\n\n")
        page.wait_for_function("() => document.body.innerText.includes('Pangolin sighting')", timeout=TIMEOUT_MS)

        template = s.site / "templates" / "article.html"
        good = template.read_text(encoding="utf-8")
        template.write_text("{% if %}\n" + good, encoding="utf-8")
        page.wait_for_function("() => document.body.innerText.includes('templates/article.html:1')", timeout=TIMEOUT_MS)
        assert "Build failed" in page.inner_text("h1")

        template.write_text(good, encoding="utf-8")
        page.wait_for_function("() => document.body.innerText.includes('Pangolin sighting')", timeout=TIMEOUT_MS)
    finally:
        page.close()
