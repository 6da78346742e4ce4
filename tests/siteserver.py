"""Serve a built site on 127.0.0.1 under its base path, as a static host would.

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
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
