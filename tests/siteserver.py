"""Serve a built site on 127.0.0.1 under its base path, as a static host would, and open its search pages.

Used by the browser tests and ``tests/tools/screenshots.py``. The base path is read
from the home page's canonical link, so a site built for ``https://x.github.io/repo/``
is served at ``http://127.0.0.1:PORT/repo/``.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')


def base_path(folder: Path) -> str:
    """The URL path the site was built for, e.g. ``/news-digest/``."""
    match = _CANONICAL.search((folder / "index.html").read_text(encoding="utf-8"))
    return urlsplit(match.group(1)).path if match else "/"


class _Server(http.server.ThreadingHTTPServer):
    # A search page opens a connection per Pagefind worker at once; the default backlog of 5 can drop some.
    request_queue_size = 64


class _Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_base_path__")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve_site(folder: Path) -> Iterator[str]:
    """Serve ``folder`` in a background thread; yield the site's root URL."""
    prefix = base_path(folder)
    handler = type("Handler", (_Handler,), {"prefix": prefix})
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def open_search(page, url: str, timeout_ms: int = 60_000) -> None:
    """Go to a search page (``…/search/?q=…``) and wait until its query has finished.

    search.js clears the result list's aria-busy when a query ends, with results, none or an
    error. The first search of a browser session loads Pagefind's WebAssembly in a worker
    per language, so the wait is long; if it runs out, the failure says what the page showed.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    console: list[str] = []
    record = lambda message: console.append(f"{message.type}: {message.text}")  # noqa: E731 - removed below
    page.on("console", record)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_selector('#search-results[aria-busy="false"]', state="attached", timeout=timeout_ms)
    except PlaywrightTimeout:
        status = page.text_content("#search-status")
        raise AssertionError(f"the search at {url} did not finish in {timeout_ms} ms; "
                             f"status {status!r}; console {console}") from None
    finally:
        page.remove_listener("console", record)
