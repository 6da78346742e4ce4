"""A real ``python -m builder serve`` for the tests: started on 127.0.0.1, read as it runs, stopped as a terminal would."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO, MakeSite, free_port

SAMPLE_CONFIG = (REPO / "site.yaml").read_text(encoding="utf-8").replace("search: true", "search: false")


ARTICLE = "content/articles/en/russia-kyrgyzstan-to-sign-key-collaboration-deals.md"


def wait_for(check: Callable[[], object], timeout: float = 20.0, what: str = "condition") -> object:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


class Served:
    """A running ``python -m builder serve``; its output lines are collected as they come. ``prelude`` is
    Python run in the server's process before the command line, to patch it."""

    def __init__(self, site: Path, out: Path, *extra: str, start_timeout: float = 60, prelude: str = ""):
        self.site, self.out, self.port = site, out, free_port()
        self.lines: list[str] = []
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        command = ["-c", f"{prelude}\nfrom builder.cli import run\nrun()"] if prelude else ["-m", "builder"]
        self.proc = subprocess.Popen(
            [sys.executable, *command, "serve", "--site", str(site), "--out", str(out), "--port", str(self.port), *extra],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)  # its own process group, so stop() can press Ctrl-C as a terminal does
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        try:
            wait_for(lambda: any("Serving" in line for line in self.lines) or self.proc.poll() is not None,
                     timeout=start_timeout, what="the server to start")
        finally:
            if not any("Serving" in line for line in self.lines):
                self.stop()
        assert self.proc.poll() is None, "\n".join(self.lines)

    def _read(self) -> None:
        assert self.proc.stdout
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def get(self, path: str, host: str | None = None) -> tuple[int, str]:
        """GET ``path`` exactly as written (http.client does not normalize ``..`` or ``%2e``), from 127.0.0.1
        with ``host`` as the ``Host`` header (a page of that name would send it)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Host": host} if host else {})
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def wait_page(self, path: str, predicate: Callable[[int, str], bool], what: str) -> str:
        def check() -> str | None:
            status, body = self.get(path)
            return body if predicate(status, body) else None
        return str(wait_for(check, what=what))

    def rebuilds(self) -> list[str]:
        return [line for line in self.lines if " rewritten (" in line]

    def stop(self) -> int:
        """Ctrl-C to the whole process group, as a terminal sends it; return the exit code."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        code = self.proc.wait(timeout=60)
        self.reader.join(timeout=5)
        return code

    def strays(self) -> bool:
        """Whether any process of the server's group (Pagefind, say) outlived it."""
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True


@pytest.fixture
def serve(make_site: MakeSite, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*extra: str, files: dict[str, str] | None = None, config: str = SAMPLE_CONFIG, prelude: str = "") -> Served:
        site = make_site(files, config=config)
        served = Served(site, tmp_path / "out", *extra, prelude=prelude)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


def article_url(site: Path, rel: str) -> str:
    """The served URL of an article, from its front matter (slug from the title, folder from the date)."""
    from builder.commands.build import load_site

    site_, _ = load_site(site)
    article = next(a for a in site_.articles if a.path == rel)
    return site_.config.base_path + article.page_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
