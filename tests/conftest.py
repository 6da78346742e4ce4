"""Shared fixtures: scratch sites in tmp_path, the sample build, and real system tools.

A system tool a test needs (Debian's chromium, Java) is skipped with a visible
reason when missing, except under CI=true, where a missing one is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the sample site")


def pytest_configure(config: pytest.Config) -> None:
    """Build caches of the tests' sites (and of the builds they run as subprocesses) go to a scratch folder,
    never the user's ~/.cache."""
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="digest-test-cache-")


def require(tool: str, found: object, why: str) -> None:
    """Skip when ``tool`` is missing, or fail under CI=true where every tool must be installed."""
    if found:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{tool} is missing under CI=true ({why}); .ci/run must install it")
    pytest.skip(f"{tool} is not installed ({why}); see README 'System packages'")


MakeSite = Callable[..., Path]


def say(config: pytest.Config, line: str) -> None:
    """Print a measured figure (example counts, vectors tried) in the test run's output, even under capture."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter and capture:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + line)


def write_site(root: Path, files: dict[str, str | bytes] | None = None, *, sample: bool = True,
               config: str | None = None) -> Path:
    """Write a site into ``root``: the repo's theme, optionally the sample content, plus ``files``."""
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    if sample:
        shutil.copytree(REPO / "content", root / "content")
    else:
        (root / "content" / "articles").mkdir(parents=True)
    (root / "site.yaml").write_text(textwrap.dedent(config).lstrip("\n") if config else
                                    (REPO / "site.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for rel, text in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write a site into tmp_path (see write_site); ``name`` is its folder."""

    def make(files: dict[str, str | bytes] | None = None, *, sample: bool = True, config: str | None = None,
             name: str = "site") -> Path:
        return write_site(tmp_path / name, files, sample=sample, config=config)

    return make


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built once for the session (search index included); returns the output folder."""
    from builder.commands.build import build

    out = tmp_path_factory.mktemp("sample") / "public"
    build(REPO, out)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    require("chromium", path, "Debian's chromium package, for browser tests")
    assert path
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright; no browser is ever downloaded."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def java_path() -> str:
    path = shutil.which("java")
    require("java", path, "a Java runtime (default-jre-headless) for the Nu HTML Checker")
    assert path
    return path
