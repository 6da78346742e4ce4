"""The preview server: build, serve under base_url's path, rebuild what an edit touches, reload the browser.

livereload adds its script to HTML responses on the wire (its output transform),
so the output folder holds exactly what ``build`` writes and can be published as
is. While the site has errors, every page request gets an error page naming the
file and line; it reloads by itself once the file is fixed.
"""

from __future__ import annotations

import asyncio
import gc
import html
import logging
import signal
import sys
import webbrowser
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from tornado import web

from builder.errors import BuildError, Problem, rel
from builder.commands.incremental import QUIET, Incremental, Watcher, watched_dirs
from builder.render.search import index_site
from builder.output.write import check_out_dir

log = logging.getLogger(__name__)

COMPACT_IDLE = 1.0  # seconds after a rebuild before its garbage is collected
INDEX_IDLE = 2.0  # seconds without a rebuild before the search index is refreshed (it reads every page)
ALL_INTERFACES = {"", "0.0.0.0", "::", "[::]"}


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
        self.shown: set[str] = set()  # warnings printed already
        self.shown_error = ""  # the error report printed last: a save that changes nothing is not a new report
        self.quiet = QUIET
        self.index_timer: asyncio.TimerHandle | None = None
        self.indexing: asyncio.Future[float] | None = None
        self.stopping = False
        self.compact_timer: asyncio.TimerHandle | None = None

    def changed(self, keys: set[str]) -> None:
        """Called by the watcher: wait for the burst to end, then rebuild once."""
        self.changes |= keys
        if self.timer:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(self.quiet, self.rebuild)

    def rebuild(self) -> bool:
        """Rebuild what changed; on errors keep the last good output, show them, and keep serving."""
        changes, self.changes, self.timer = self.changes, set(), None
        was_broken, self.error = self.error is not None, None
        gc.disable()  # a full collection walks every object of a big site: collect when idle, not now
        try:
            report = self.incremental.rebuild(changes)
        except BuildError as exc:
            self.error = exc
        except OSError as exc:  # a file the editor made unreadable, a full disk
            where = rel(Path(exc.filename), self.incremental.root) if exc.filename else "output"
            self.error = BuildError([Problem(where, None, exc.strerror or str(exc))])
        except Exception as exc:  # a bug in digest: one line, as the CLI says it, and keep serving
            self.error = BuildError([Problem("digest", None, f"internal error: {type(exc).__name__}: {exc} "
                                             "(a bug in digest; the last good build is still served)")])
        finally:
            gc.enable()
            self._schedule_compaction()
        if self.error is not None:
            text = self.error.report()
            if text == self.shown_error:
                print(f"{', '.join(sorted(changes))}: still failing (same errors as above)", file=sys.stderr, flush=True)
            else:
                print(text, file=sys.stderr, flush=True)
            self.shown_error = text
            reload_browsers()
            return False
        self.shown_error = ""
        for warning in report.warnings:
            if str(warning) not in self.shown:
                self.shown.add(str(warning))
                print(warning, file=sys.stderr, flush=True)
        print(("fixed; " if was_broken else "") + str(report), flush=True)
        if was_broken or report.written or report.removed:
            reload_browsers()
        if self.incremental.index_stale:
            self._schedule_index()
        return True

    def _schedule_compaction(self) -> None:
        if self.compact_timer:
            self.compact_timer.cancel()
        try:
            self.compact_timer = asyncio.get_running_loop().call_later(COMPACT_IDLE, compact_memory)
        except RuntimeError:  # the first build, before serving: compact right away
            compact_memory()

    def _schedule_index(self) -> None:
        if self.index_timer:
            self.index_timer.cancel()
        self.index_timer = asyncio.get_running_loop().call_later(INDEX_IDLE, self._start_index)

    def _start_index(self) -> None:
        """Refresh the search index in a thread; pages keep being served and rebuilt meanwhile."""
        self.index_timer = None
        if self.indexing:
            self._schedule_index()
            return
        self.incremental.index_stale = False
        self.indexing = asyncio.get_running_loop().run_in_executor(None, index_site, self.incremental.out)
        self.indexing.add_done_callback(self._indexed)

    def _indexed(self, done: asyncio.Future[float]) -> None:
        self.indexing = None
        error = done.exception()
        if isinstance(error, BuildError):
            if self.stopping:  # Ctrl-C in a terminal reaches Pagefind too: finish() indexes again
                self.incremental.index_stale = True
            else:
                print(error.report(), file=sys.stderr, flush=True)
        elif error:
            raise error
        else:
            print(f"search index refreshed in {done.result():.1f} s", flush=True)

    async def finish(self) -> None:
        """On Ctrl-C: leave a complete build, the search index matching the pages."""
        self.stopping = True
        for timer in (self.timer, self.index_timer, self.compact_timer):
            if timer:
                timer.cancel()
        if self.indexing:
            await asyncio.wait([self.indexing])
        if self.incremental.index_stale:
            print("refreshing the search index before stopping …", flush=True)
            self._start_index()
            await self.indexing  # type: ignore[misc]

    def error_page(self) -> bytes:
        """The build's errors as a page: file, line, message and the offending source line."""
        assert self.error is not None
        items = [f"<li><pre>{html.escape(str(problem))}</pre></li>" for problem in self.error.problems]
        count = len(self.error.problems)
        return (
            "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Build failed</title>"
            "<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}"
            "li{margin:1rem 0}pre{background:#f4f4f4;padding:.5rem;overflow:auto;tab-size:4}</style>"
            f"</head><body><h1>Build failed with {count} error{'s' if count != 1 else ''}</h1><ol>{''.join(items)}</ol>"
            "<p>The server keeps running: fix the file and this page reloads by itself.</p></body></html>"
        ).encode("utf-8")


def compact_memory() -> None:
    """Collect the last rebuild's garbage, then freeze what is left (the site, the parse cache), so that
    collections during the next rebuild skip it: they would otherwise walk millions of live objects."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def reload_browsers() -> None:
    """Tell every open tab to reload (none are connected before the server listens)."""
    if LiveReloadHandler.waiters:
        LiveReloadHandler.reload_waiters("*")


def serve(root: Path, out: Path, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None,
          strict: bool = False, open_browser: bool = False) -> int:
    """Build ``root`` into ``out`` and serve it until Ctrl-C; return the exit code."""
    check_out_dir(out, root)
    if any(out.resolve().is_relative_to(folder.resolve()) for folder in watched_dirs(root)):
        raise BuildError([Problem(str(out), None, "the output folder cannot be inside a folder the server watches")])
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
    watcher = Watcher(preview.incremental.root, preview.changed, loop)
    preview.quiet = watcher.quiet
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)  # runs between callbacks: a rebuild is never cut in half
    shown = "localhost" if host in ALL_INTERFACES else (f"[{host}]" if ":" in host else host)
    url = f"http://{shown}:{port}{preview.incremental.base_path}"
    print(f"Serving {preview.incremental.out} at {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        loop.run_in_executor(None, webbrowser.open, url)
    await stop.wait()
    watcher.close()
    await preview.finish()
    print(f"Stopped; {preview.incremental.out} holds the last good build", flush=True)
    return 0
