"""What the preview server answers to requests a page of another site, or a broken client, can make;
and that it answers while a rebuild runs. A real ``python -m builder serve`` on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable

from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from devserver import ARTICLE, Served, article_url, edit, serve, wait_for  # noqa: F401 (serve is a fixture)

HOME = "/news-digest/"
SLOW_SECONDS = 4.0
# Every rebuild after the first (which renders as ``build`` does, not with run_jobs) renders SLOW_SECONDS
# longer, as a pathological article can make Markdown do.
SLOW_REBUILDS = f"""
import time
import builder.commands.incremental as incremental
run_jobs = incremental.run_jobs
def slow_run_jobs(*args):
    print("slow rebuild started", flush=True)
    time.sleep({SLOW_SECONDS})
    return run_jobs(*args)
incremental.run_jobs = slow_run_jobs
"""


def reload_heard(port: int, origin: str, trigger: Callable[[], object], timeout: float = 30) -> str | int | None:
    """Join the reload socket as a page of ``origin`` does (livereload.js's handshake), run ``trigger``,
    and return the first message after it (None if none came), or the HTTP status refusing the socket."""

    async def listen() -> str | int | None:
        request = HTTPRequest(f"ws://127.0.0.1:{port}/livereload", headers={"Origin": origin})
        try:
            socket = await websocket_connect(request)
        except HTTPClientError as exc:
            return exc.code
        try:
            await socket.write_message(json.dumps({"command": "hello", "protocols": []}))
            await socket.read_message()
            await socket.write_message(json.dumps({"command": "info", "url": origin + HOME}))
            await asyncio.sleep(0.3)  # the server has it as a tab to reload
            await asyncio.get_running_loop().run_in_executor(None, trigger)
            message = await asyncio.wait_for(socket.read_message(), timeout)
            return message if isinstance(message, str) else None
        except TimeoutError:
            return None
        finally:
            socket.close()

    # in a thread of its own: the session's Playwright may own this thread's loop
    result: list[str | int | None] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(listen())))
    thread.start()
    thread.join(timeout + 30)
    return result[0]


def test_reload_socket_takes_only_pages_of_this_server(serve: Callable[..., Served]) -> None:
    s = serve()
    saves = iter(range(10))

    def save() -> None:
        edit(s.site / ARTICLE, "\n---\n", f"\n---\nSave {next(saves)}.\n\n")

    assert reload_heard(s.port, "http://evil.example", save) == 403
    assert reload_heard(s.port, f"http://127.0.0.1:{s.port + 1}", save) == 403  # another local server's page
    message = reload_heard(s.port, f"http://127.0.0.1:{s.port}", save)
    assert isinstance(message, str) and json.loads(message)["command"] == "reload"


def test_force_reload_is_not_served(serve: Callable[..., Served]) -> None:
    s = serve()
    status, body = s.get("/forcereload?path=*")  # any page could make every open tab reload with it
    assert status == 404 and body.strip() != "ok"


def test_only_requests_for_this_server_are_answered(serve: Callable[..., Served]) -> None:
    s = serve()
    for host in (f"127.0.0.1:{s.port}", f"localhost:{s.port}", f"LocalHost:{s.port}", f"[::1]:{s.port}"):
        assert s.get(HOME, host=host)[0] == 200, host
    # DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 sends its own name
    for host in (f"evil.example:{s.port}", "evil.example", f"127.0.0.1:{s.port + 1}", "127.0.0.1", f"localhost.:{s.port}"):
        status, body = s.get(HOME, host=host)
        assert status == 421 and "<html" not in body and f"http://127.0.0.1:{s.port}/" in body, host
    assert s.get("/livereload.js", host=f"evil.example:{s.port}")[0] == 421


def test_impossible_paths_are_400_without_a_traceback(serve: Callable[..., Served]) -> None:
    s = serve()
    probes = [f"{HOME}%00", f"{HOME}en/%00index.html", f"{HOME}a%00b/", f"{HOME}{'x' * 9000}",
              f"{HOME}{'x/' * 5000}", f"{HOME}{'y' * 60_000}.html"]
    for probe in probes:
        assert s.get(probe)[0] == 400, probe[:40]
    assert s.get(HOME)[0] == 200
    assert not [line for line in s.lines if "Traceback" in line], "\n".join(s.lines)[:2000]


def test_files_are_served_while_a_rebuild_runs(serve: Callable[..., Served]) -> None:
    s = serve(prelude=SLOW_REBUILDS)
    style = "/" + next(p for p in s.out.rglob("*.css")).relative_to(s.out).as_posix()
    timings: list[float] = []

    def save_then_fetch() -> None:
        edit(s.site / ARTICLE, "\n---\n", "\n---\nSaved during a slow rebuild.\n\n")
        wait_for(lambda: any("slow rebuild started" in line for line in s.lines), what="the slow rebuild")
        for path in (HOME.rstrip("/") + style, article_url(s.site, ARTICLE)):
            start = time.monotonic()
            assert s.get(path)[0] == 200, path
            timings.append(time.monotonic() - start)
        rebuilt_before.append(bool(s.rebuilds()[1:]))

    rebuilt_before: list[bool] = []
    message = reload_heard(s.port, f"http://127.0.0.1:{s.port}", save_then_fetch)
    assert len(timings) == 2 and max(timings) < 1.0, timings  # not held until the rebuild ends, SLOW_SECONDS later
    assert rebuilt_before == [False], "the rebuild ended before the requests: the test proves nothing"
    assert isinstance(message, str) and json.loads(message)["command"] == "reload"
    assert any(ARTICLE in line for line in s.rebuilds()), "the reload came before the rebuild ended"
    assert "Saved during a slow rebuild." in s.get(article_url(s.site, ARTICLE))[1]
