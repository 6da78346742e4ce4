"""The preview server: build, serve under base_url's path, rebuild what an edit touches, reload the browser.

livereload adds its script to HTML responses on the wire (its output transform),
so the output folder holds exactly what ``build`` writes and can be published as
is. While the site has errors, every page request gets an error page naming the
file and line; it reloads by itself once the file is fixed.

Rebuilds run on a worker thread: the loop keeps serving while Markdown renders,
and tabs reload when the rebuild ends. Every request must name this server in its
``Host`` (a page whose own domain resolves to 127.0.0.1 cannot read the preview),
and the reload socket takes only pages of this server.
"""

from __future__ import annotations

import asyncio
import gc
import html
import ipaddress
import logging
import signal
import sys
import webbrowser
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
from livereload.server import LiveScriptInjector
from tornado import httputil, web
from tornado.websocket import WebSocketHandler

from builder.errors import BuildError, Problem, printable, rel
from builder.commands.incremental import QUIET, Incremental, Rebuild, Watcher, watched_dirs
from builder.render.search import index_site
from builder.output.write import check_out_dir

log = logging.getLogger(__name__)

COMPACT_IDLE = 1.0  # seconds after a rebuild before its garbage is collected
INDEX_IDLE = 2.0  # seconds without a rebuild before the search index is refreshed (it reads every page)
ALL_INTERFACES = {"", "0.0.0.0", "::", "[::]"}
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}
SETTLE = 0.25  # seconds the watcher is given on Ctrl-C, for a save made just before it to arrive


# --- HTTP ------------------------------------------------------------------------


def is_page_request(path: str) -> bool:
    """A request the browser would show as a page: a folder, an .html file, or a name with no extension."""
    last = path.rsplit("/", 1)[-1]
    return last == "" or last.endswith(".html") or "." not in last


def url_host(host: str) -> str:
    """``host`` as a URL and the ``Host`` header spell it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def address(host: str, port: int) -> str:
    """The address to open: on all interfaces, this machine's own name for itself."""
    return f"http://{'localhost' if host in ALL_INTERFACES else url_host(host)}:{port}"


def is_ip_literal(name: str) -> bool:
    """Whether a ``Host`` name is an address (``[::1]`` too): no DNS answer can change where it leads."""
    try:
        ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


class HostCheck:
    """Which ``Host`` values name this server: a loopback name or ``--host``, with the port. On all
    interfaces any IP address too (the machine's own, which a page's domain cannot stand for), never a
    domain name: that is how DNS rebinding reaches a local server."""

    def __init__(self, host: str, port: int):
        self.port = port
        self.all_interfaces = host in ALL_INTERFACES
        self.names = LOOPBACK_NAMES | ({url_host(host).lower()} if not self.all_interfaces else set())

    def allows(self, value: str | None) -> bool:
        """Whether a request whose ``Host`` header is ``value`` is for us (None: no header, not a browser)."""
        if value is None:
            return True
        name, port = httputil.split_host_and_port(value.strip().lower())
        if (port or 80) != self.port:
            return False
        return name in self.names or (self.all_interfaces and is_ip_literal(name))


class WrongHost(web.RequestHandler):
    """The answer to a request for another host name: 421, and the address to use instead."""

    def initialize(self, url: str) -> None:
        self.url = url

    def prepare(self) -> None:
        self.set_status(421)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"421 this preview answers only to its own address: {self.url}\n")


class PreviewApplication(web.Application):
    """Tornado's application, checking every request's ``Host`` before routing it, the reload socket's too."""

    def __init__(self, handlers: list[tuple], hosts: HostCheck, url: str):
        class AddScript(LiveScriptInjector):  # livereload.js finds its socket from its own address
            script = f'<script src="/livereload.js?port={hosts.port}"></script>'.encode()

        super().__init__(handlers, transforms=[AddScript])
        self.hosts, self.url = hosts, url

    def find_handler(self, request: httputil.HTTPServerRequest, **kwargs: object) -> httputil.HTTPMessageDelegate:
        if not self.hosts.allows(request.headers.get("Host")):
            return self.get_handler_delegate(request, WrongHost, {"url": self.url})
        return super().find_handler(request, **kwargs)


class ReloadSocket(LiveReloadHandler):
    """livereload's socket with Tornado's own origin check put back (livereload accepts any origin): only
    a page of this server, whose origin is the ``Host`` checked above, hears about rebuilds."""

    def check_origin(self, origin: str) -> bool:
        return WebSocketHandler.check_origin(self, origin)


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
        try:
            out, target = Path(root).resolve(), Path(root, path).resolve()
            found = target.is_relative_to(out) and (target.is_file() or (target / "index.html").is_file())
        except (ValueError, OSError):  # a NUL byte, a name longer than the system allows: no file has it
            raise web.HTTPError(400) from None
        if not found:
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
    """livereload's server: its reload socket, its script and the transform that adds the script to pages,
    in an application of ours. No ``/forcereload``: any page on the web could make every tab reload."""

    def __init__(self, preview: Preview):
        super().__init__()
        self.preview = preview

    def application(self, port: int, host: str, liveport: int | None = None, debug: bool | None = None,
                    live_css: bool = True) -> None:
        LiveReloadHandler.watcher = self.watcher  # its reload message names the watcher's last file
        LiveReloadHandler.live_css = live_css
        handlers = [(r"/livereload", ReloadSocket), (r"/livereload.js", LiveReloadJSHandler),
                    (r"/(.*)", SiteHandler, {"path": str(self.preview.incremental.out), "preview": self.preview})]
        PreviewApplication(handlers, HostCheck(host, port), address(host, port) + "/").listen(port, address=host)


# --- the preview -------------------------------------------------------------------


class Preview:
    """Rebuilds on change, after a quiet moment, on a worker thread (one rebuild at a time: changes that
    come meanwhile wait for the next), and tells every open tab to reload when a rebuild ends."""

    def __init__(self, incremental: Incremental):
        self.incremental = incremental
        self.error: BuildError | None = None
        self.changes: set[str] = set()
        self.timer: asyncio.TimerHandle | None = None
        self.rebuilding: asyncio.Future[bool] | None = None
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
        self.timer = asyncio.get_running_loop().call_later(self.quiet, self._start_rebuild)

    def _start_rebuild(self) -> None:
        self.timer = None
        if self.rebuilding or not self.changes:  # _rebuilt starts the next one
            return
        changes, self.changes = self.changes, set()
        self.rebuilding = asyncio.get_running_loop().run_in_executor(None, self.rebuild, changes)
        self.rebuilding.add_done_callback(self._rebuilt)

    def _rebuilt(self, done: asyncio.Future[bool]) -> None:
        """On the loop's thread, which alone may write to the reload sockets."""
        self.rebuilding = None
        if done.result():
            reload_browsers()
        self._schedule_compaction()
        if self.incremental.index_stale and not self.stopping:
            self._schedule_index()
        if self.changes and not self.timer and not self.stopping:
            self._start_rebuild()

    def rebuild(self, changes: set[str]) -> bool:
        """Rebuild what changed; on errors keep the last good output, show them, and keep serving.
        Return whether open tabs should reload. Pages show the old state (its error page, too) until the end."""
        was_broken = self.error is not None
        outcome = self._attempt(changes)
        if isinstance(outcome, BuildError):
            self.error, text = outcome, outcome.report()
            if text == self.shown_error:
                print(f"{', '.join(map(printable, sorted(changes)))}: still failing (same errors as above)", file=sys.stderr, flush=True)
            else:
                print(text, file=sys.stderr, flush=True)
            self.shown_error = text
            return True
        self.error, self.shown_error = None, ""
        for warning in outcome.warnings:
            if str(warning) not in self.shown:
                self.shown.add(str(warning))
                print(warning, file=sys.stderr, flush=True)
        print(("fixed; " if was_broken else "") + str(outcome), flush=True)
        return was_broken or bool(outcome.written or outcome.removed)

    def _attempt(self, changes: set[str]) -> Rebuild | BuildError:
        """The rebuild's report, or its errors as the error page shows them."""
        gc.disable()  # a full collection walks every object of a big site: collect when idle, not now
        try:
            return self.incremental.rebuild(changes)
        except BuildError as exc:
            return exc
        except OSError as exc:  # a file the editor made unreadable, a full disk
            where = rel(Path(exc.filename), self.incremental.root) if exc.filename else "output"
            return BuildError([Problem(where, None, exc.strerror or str(exc))])
        except Exception as exc:  # a bug in digest: one line, as the CLI says it, and keep serving
            return BuildError([Problem("digest", None, f"internal error: {type(exc).__name__}: {exc} "
                                       "(a bug in digest; the last good build is still served)")])
        finally:
            gc.enable()

    def _schedule_compaction(self) -> None:
        if self.compact_timer:
            self.compact_timer.cancel()
        self.compact_timer = asyncio.get_running_loop().call_later(COMPACT_IDLE, self._compact)

    def _compact(self) -> None:
        if not self.rebuilding:  # a collection now would pause it: the next one's end schedules another
            compact_memory()

    def _schedule_index(self) -> None:
        if self.index_timer:
            self.index_timer.cancel()
        self.index_timer = asyncio.get_running_loop().call_later(INDEX_IDLE, self._start_index)

    def _start_index(self) -> None:
        """Refresh the search index in a thread; pages keep being served and rebuilt meanwhile."""
        self.index_timer = None
        if self.indexing or self.rebuilding:  # Pagefind would read a folder being written
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
        """On Ctrl-C: leave a complete build of the last saves, the search index matching the pages."""
        self.stopping = True
        for timer in (self.timer, self.index_timer, self.compact_timer):
            if timer:
                timer.cancel()
        self.timer = None
        while self.rebuilding or self.changes:  # the one running, then the saves it did not include
            self._start_rebuild()
            if self.rebuilding:
                await asyncio.wait([self.rebuilding])
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
          strict: bool = False, open_browser: bool = False, drafts: bool = False) -> int:
    """Build ``root`` into ``out`` and serve it until Ctrl-C; return the exit code. ``drafts``: show the
    articles marked ``draft: true`` too."""
    check_out_dir(out, root)
    if any(out.resolve().is_relative_to(folder.resolve()) for folder in watched_dirs(root)):
        raise BuildError([Problem(str(out), None, "the output folder cannot be inside a folder the server watches")])
    preview = Preview(Incremental(root, out.resolve(), base_url, strict, drafts))
    print(f"Building {root} into {preview.incremental.out} …", flush=True)
    preview.rebuild(set())  # a broken site is served too: as its error page
    compact_memory()
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
        loop.add_signal_handler(sig, stop.set)  # a running rebuild is never cut in half: finish() waits for it
    url = address(host, port) + preview.incremental.base_path
    print(f"Serving {preview.incremental.out} at {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        loop.run_in_executor(None, webbrowser.open, url)
    await stop.wait()
    await asyncio.sleep(max(SETTLE, watcher.quiet))  # a save made just before Ctrl-C is still on its way
    watcher.close()
    await preview.finish()
    print(f"Stopped; {preview.incremental.out} holds the last good build", flush=True)
    return 0
