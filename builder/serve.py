"""The preview server: build, serve under base_url's path, rebuild what an edit touches, reload the browser.

livereload adds its script to HTML responses on the wire (its output transform),
so the output folder holds exactly what ``build`` writes and can be published as
is. While the site has errors, every page request gets an error page naming the
file and line; it reloads by itself once the file is fixed.
"""

from __future__ import annotations

import asyncio
import ctypes
import html
import logging
import os
import signal
import struct
import sys
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from tornado import web

from . import i18n
from .errors import BuildError
from .incremental import CONFIG, EVERYTHING, SITE_DIRS, Incremental, input_key
from .write import check_out_dir

log = logging.getLogger(__name__)

QUIET = 0.05  # seconds without a new change before rebuilding: an editor saving several files is one burst
ALL_INTERFACES = {"", "0.0.0.0", "::", "[::]"}


# --- watching the sources --------------------------------------------------------


def watched_dirs(root: Path) -> list[Path]:
    """Folders whose files the build reads: the site's, and the builder's translation catalogs."""
    return [d for d in (*(root / name for name in SITE_DIRS), i18n.CATALOGS) if d.is_dir()]


class InotifyWatcher:
    """Linux inotify through libc: changes arrive as they happen, with no polling of 10,000 files."""

    quiet = QUIET
    EVENTS = 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200  # modify attrib close_write moved_from/to create delete
    ONLYDIR, ISDIR, OVERFLOW, IGNORED = 0x01000000, 0x40000000, 0x4000, 0x8000

    def __init__(self, root: Path, report: Callable[[set[str]], None]):
        self.root, self.report = root, report
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.dirs: dict[int, Path] = {}
        self._add(root)  # not recursive: for site.yaml, and for a content/ etc. created later
        for folder in watched_dirs(root):
            self._add_tree(folder)

    def _add(self, folder: Path) -> None:
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(folder), self.EVENTS | self.ONLYDIR)
        if wd < 0:
            raise OSError(ctypes.get_errno(), f"cannot watch {folder}")
        self.dirs[wd] = folder

    def _add_tree(self, folder: Path) -> set[Path]:
        """Watch ``folder`` and its subfolders; return the files already in them (a folder moved in)."""
        files = set()
        for path, subdirs, names in os.walk(folder):
            self._add(Path(path))
            files |= {Path(path, name) for name in names}
        return files

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.add_reader(self.fd, self._read)

    def _read(self) -> None:
        changed: set[Path] = set()
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            offset = 0
            while offset < len(data):
                wd, mask, _, size = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16: offset + 16 + size].rstrip(b"\0")
                offset += 16 + size
                if mask & self.OVERFLOW:
                    self.report({EVERYTHING})
                    continue
                if mask & self.IGNORED:
                    self.dirs.pop(wd, None)
                    continue
                folder = self.dirs.get(wd)
                if folder is None:
                    continue
                path = folder / os.fsdecode(name)
                changed.add(path)
                if mask & self.ISDIR and mask & 0x180 and (folder != self.root or path.name in SITE_DIRS):
                    changed |= self._add_tree(path)
        keys = {key for path in changed if (key := input_key(path, self.root))}
        if keys:
            self.report(keys)

    def close(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.remove_reader(self.fd)
        os.close(self.fd)


class PollWatcher:
    """Where inotify is missing (macOS, or its watch limit is reached): compare file stats every interval."""

    def __init__(self, root: Path, report: Callable[[set[str]], None]):
        self.root, self.report = root, report
        self.seen = self._scan()
        self.interval = 0.1
        self.quiet = self.interval * 1.5  # the next poll must come back empty before a rebuild
        self.handle: asyncio.TimerHandle | None = None

    def _scan(self) -> dict[str, tuple[int, int, int]]:
        found = {}
        stack = [str(d) for d in watched_dirs(self.root)]
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file():
                        st = entry.stat()
                        found[entry.path] = (st.st_mtime_ns, st.st_size, st.st_ino)
        config = self.root / CONFIG
        if config.is_file():
            st = config.stat()
            found[str(config)] = (st.st_mtime_ns, st.st_size, st.st_ino)
        return found

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        started = time.perf_counter()
        now = self._scan()
        # never spend more than a fifth of a core on polling, however big the site
        self.interval = max(0.1, 5 * (time.perf_counter() - started))
        self.quiet = self.interval * 1.5
        changed = {p for p in now.keys() | self.seen.keys() if now.get(p) != self.seen.get(p)}
        self.seen = now
        keys = {key for p in changed if (key := input_key(Path(p), self.root))}
        if keys:
            self.report(keys)
        self.handle = loop.call_later(self.interval, self.start, loop)

    def close(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.handle:
            self.handle.cancel()


def make_watcher(root: Path, report: Callable[[set[str]], None]) -> InotifyWatcher | PollWatcher:
    try:
        return InotifyWatcher(root, report)
    except (OSError, AttributeError) as exc:  # AttributeError: a libc without inotify
        log.info("watching by polling (%s)", exc)
        return PollWatcher(root, report)


# --- HTTP ------------------------------------------------------------------------


def is_page_request(path: str) -> bool:
    """A request the browser would show as a page: a folder, an .html file, or a name with no extension."""
    last = path.rsplit("/", 1)[-1]
    return last == "" or last.endswith(".html") or "." not in last


class SiteHandler(StaticFileHandler):
    """The output folder under the site's path; a path leaving the folder, directly or through a symlink, is a 404."""

    def initialize(self, path: str, preview: Preview) -> None:  # type: ignore[override]
        super().initialize(path, default_filename="index.html")
        self.preview = preview

    async def get(self, path: str, include_body: bool = True) -> None:
        if self.preview.error is not None and is_page_request(path):
            self.set_status(500)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(self.preview.error_page())
            return
        base = self.preview.incremental.base_path  # read per request: site.yaml may change it
        if base != "/" and "/" + path in ("/", base.rstrip("/")):
            self.redirect(base)
            return
        if not ("/" + path).startswith(base):
            raise web.HTTPError(404)
        await super().get(path[len(base) - 1:], include_body)

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        """Tornado answers 403 to ``..`` and to symlinks leading out; we answer 404, as for any missing page,
        and check the resolved path ourselves rather than rely on the library's version."""
        out, target = Path(root).resolve(), Path(root, path).resolve()
        if not target.is_relative_to(out) or not (target.is_file() or (target / "index.html").is_file()):
            raise web.HTTPError(404)
        return super().get_absolute_path(root, path)

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")  # a reload always fetches the rebuilt page

    def write_error(self, status_code: int, **kwargs: object) -> None:
        """404s get the site's own 404.html, as on GitHub Pages."""
        page = self.preview.incremental.out / "404.html"
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page.read_bytes() if status_code == 404 and page.is_file() else f"{status_code}\n".encode())


class PreviewServer(Server):
    """livereload's server (its websocket, its script and the transform that adds it) with our handler."""

    def __init__(self, preview: Preview):
        super().__init__()
        self.preview = preview

    def get_web_handlers(self, script: bytes) -> list[tuple]:
        return [(r"/(.*)", SiteHandler, {"path": str(self.preview.incremental.out), "preview": self.preview})]


# --- the preview -------------------------------------------------------------------


class Preview:
    """Rebuilds on change, after a quiet moment, and tells every open tab to reload."""

    def __init__(self, incremental: Incremental):
        self.incremental = incremental
        self.error: BuildError | None = None
        self.changes: set[str] = set()
        self.timer: asyncio.TimerHandle | None = None
        self.shown: set[str] = set()  # errors and warnings printed already

    def changed(self, keys: set[str]) -> None:
        """Called by the watcher: wait for the burst to end, then rebuild once."""
        self.changes |= keys
        if self.timer:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(self.quiet, self.rebuild)

    quiet = QUIET

    def rebuild(self) -> bool:
        """Rebuild what changed; on errors keep the last good output, show them, and keep serving."""
        changes, self.changes, self.timer = self.changes, set(), None
        was_broken = self.error is not None
        try:
            report = self.incremental.rebuild(changes)
        except BuildError as exc:
            self.error = exc
            text = exc.report()
            if text not in self.shown:
                self.shown = {text}
                print(text, file=sys.stderr, flush=True)
            else:
                print(f"{', '.join(sorted(changes))}: still failing (same errors as above)", file=sys.stderr, flush=True)
            reload_browsers()
            return False
        self.error = None
        for warning in report.warnings:
            if str(warning) not in self.shown:
                self.shown.add(str(warning))
                print(warning, file=sys.stderr, flush=True)
        print(("fixed; " if was_broken else "") + str(report), flush=True)
        if was_broken or report.written or report.removed:
            reload_browsers()
        return True

    def error_page(self) -> bytes:
        """The build's errors as a page: file, line, message and the offending source line."""
        assert self.error is not None
        items = []
        for problem in self.error.problems:
            where = problem.path + (f":{problem.line}" if problem.line is not None else "")
            source = source_line(self.incremental.root, problem.path, problem.line)
            items.append(f"<li><code class=where>{html.escape(where)}</code> {html.escape(problem.message)}"
                         + (f"<pre>{html.escape(source)}</pre>" if source else "")
                         + (f"<p>hint: {html.escape(problem.hint)}</p>" if problem.hint else "") + "</li>")
        count = len(self.error.problems)
        return (
            "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Build failed</title>"
            "<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}"
            "li{margin:1rem 0}pre{background:#f4f4f4;padding:.5rem;overflow:auto}code.where{font-weight:bold}</style>"
            f"</head><body><h1>Build failed with {count} error{'s' if count != 1 else ''}</h1><ol>{''.join(items)}</ol>"
            "<p>The server keeps running: fix the file and this page reloads by itself.</p></body></html>"
        ).encode("utf-8")


def reload_browsers() -> None:
    """Tell every open tab to reload (none are connected before the server listens)."""
    if LiveReloadHandler.waiters:
        LiveReloadHandler.reload_waiters("*")


def source_line(root: Path, path: str, line: int | None) -> str:
    """Line ``line`` of the site file ``path``, or "" when there is none to show."""
    file = (root / path).resolve()
    if line is None or line < 1 or not file.is_relative_to(root.resolve()) or not file.is_file():
        return ""
    with file.open(encoding="utf-8", errors="replace") as fh:
        for number, text in enumerate(fh, 1):
            if number == line:
                return text.rstrip("\n")
    return ""


def serve(root: Path, out: Path, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None,
          strict: bool = False, open_browser: bool = False) -> int:
    """Build ``root`` into ``out`` and serve it until Ctrl-C; return the exit code."""
    check_out_dir(out, root)
    preview = Preview(Incremental(root, out.resolve(), base_url, strict))
    print(f"Building {root} into {preview.incremental.out} …", flush=True)
    preview.rebuild()  # a broken site is served too: as its error page
    return asyncio.run(_run(preview, host, port, open_browser))


async def _run(preview: Preview, host: str, port: int, open_browser: bool) -> int:
    loop = asyncio.get_running_loop()
    logging.getLogger("livereload").setLevel(logging.WARNING)  # "browser connected" on every page load
    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)  # one line per request, errors included
    try:
        PreviewServer(preview).application(port, host)
    except OSError as exc:
        print(f"cannot listen on {host}:{port}: {exc.strerror} (pass another --port)", file=sys.stderr)
        return 2
    if host in ALL_INTERFACES:
        log.warning("warning: serving on all interfaces: anyone on your network can read this preview")
    watcher = make_watcher(preview.incremental.root, preview.changed)
    preview.quiet = watcher.quiet
    watcher.start(loop)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)  # runs between callbacks: a rebuild is never cut in half
    shown = "localhost" if host in ALL_INTERFACES else (f"[{host}]" if ":" in host else host)
    url = f"http://{shown}:{port}{preview.incremental.base_path}"
    print(f"Serving {preview.incremental.out} at {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        loop.run_in_executor(None, webbrowser.open, url)
    await stop.wait()
    watcher.close(loop)
    if preview.timer:
        preview.timer.cancel()
    print(f"Stopped; {preview.incremental.out} holds the last good build", flush=True)
    return 0
