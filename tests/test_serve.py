"""The preview server, for real: a ``python -m builder serve`` subprocess on 127.0.0.1, edited while it runs."""

from __future__ import annotations

import asyncio
import errno
import filecmp
import http.client
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest
from watchdog.observers import Observer

from builder.lang import i18n
from builder.commands.build import build
from builder.commands.incremental import EVERYTHING, Incremental, Watcher, input_key
from devserver import ARTICLE, SAMPLE_CONFIG, Served, article_url, edit, serve, wait_for  # noqa: F401 (serve is a fixture)
from conftest import REPO, MakeSite













# --- over HTTP ---------------------------------------------------------------------


def test_edit_is_served_and_only_its_pages_are_rewritten(serve: Callable[..., Served]) -> None:
    s = serve()
    url = article_url(s.site, ARTICLE)
    status, body = s.get(url)
    assert status == 200 and "livereload.js" in body  # the script is added on the wire...
    other = s.out / "tr"
    untouched = {p: p.stat().st_mtime_ns for p in other.rglob("index.html")}
    edit(s.site / ARTICLE, "\n---\n", "\n---\nZebrafinch paragraph added while serving.\n\n")
    s.wait_page(url, lambda st, b: "Zebrafinch paragraph" in b, "the edited text")
    # the page can be served before the terminal line is read: wait for the line about this edit
    line = wait_for(lambda: next((l for l in s.rebuilds() if ARTICLE in l), None), what="the rebuild line")
    rendered, total = map(int, re.search(r"\((\d+) of (\d+) rendered", str(line)).groups())
    assert rendered < total, line
    assert {p: p.stat().st_mtime_ns for p in other.rglob("index.html")} == untouched
    # ...and never written to the output folder, which stays a production build
    assert not [p for p in s.out.rglob("*.html") if b"livereload" in p.read_bytes()]


def test_broken_template_shows_error_page_then_recovers(serve: Callable[..., Served]) -> None:
    s = serve()
    url = article_url(s.site, ARTICLE)
    template = s.site / "templates" / "article.html"
    good = template.read_text(encoding="utf-8")
    lines = good.splitlines()
    lines.insert(2, "{% if %}")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    body = s.wait_page(url, lambda st, b: st == 500, "the error page")
    assert "templates/article.html:3" in body and "Build failed" in body and "livereload.js" in body
    assert "{% if %}" in body.replace("&#x27;", "'").replace("&quot;", '"') or "{% if %}" in body
    status, home = s.get("/news-digest/")
    assert status == 500 and "templates/article.html:3" in home  # every page request while broken
    # another save while still broken: the terminal does not repeat the same report
    edit(s.site / ARTICLE, "\n---\n", "\n---\nStill broken.\n\n")
    wait_for(lambda: any("still failing" in line for line in s.lines), what="the 'still failing' line")
    assert sum("Build failed" in line for line in s.lines) == 1
    template.write_text(good, encoding="utf-8")
    body = s.wait_page(url, lambda st, b: st == 200, "the page back")
    assert "Still broken." in body  # the edit made while broken is not lost


def test_yaml_error_names_the_line(serve: Callable[..., Served]) -> None:
    s = serve()
    config = s.site / "site.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "feeds: [unclosed\n", encoding="utf-8")
    body = s.wait_page("/news-digest/", lambda st, b: st == 500, "the error page")
    assert re.search(r"site\.yaml:\d+", body), body
    config.write_text(good, encoding="utf-8")
    s.wait_page("/news-digest/", lambda st, b: st == 200, "the page back")
    assert s.proc.poll() is None


def test_deleted_article_is_gone_and_new_one_appears(serve: Callable[..., Served]) -> None:
    s = serve()
    url = article_url(s.site, ARTICLE)
    assert s.get(url)[0] == 200
    (s.site / ARTICLE).unlink()
    s.wait_page(url, lambda st, b: st == 404, "a 404 for the deleted article")
    assert not (s.out / url.removeprefix("/news-digest/")).exists()
    (s.site / "content/articles/en/fresh.md").write_text(
        "---\ntitle: Quokka census published\ndate: 2025-11-27\nlang: en\nsource: Test Wire\n---\nBody.\n", encoding="utf-8")
    s.wait_page("/news-digest/en/2025/11/quokka-census-published/", lambda st, b: st == 200, "the new article")
    assert "Quokka census published" in s.get("/news-digest/en/")[1]


def test_burst_of_saves_is_one_rebuild(serve: Callable[..., Served]) -> None:
    s = serve()
    before = len(s.rebuilds())
    paths = sorted((s.site / "content/articles").rglob("*.md"))[:5]
    for path in paths:
        edit(path, "\n---\n", "\n---\nBurst edit.\n\n")
    wait_for(lambda: len(s.rebuilds()) > before, what="a rebuild")
    time.sleep(1.0)  # long enough for a second rebuild to show up if the burst were split
    assert len(s.rebuilds()) == before + 1, s.rebuilds()


def test_traversal_and_symlinks_out_are_404(serve: Callable[..., Served], tmp_path: Path) -> None:
    s = serve()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    (s.out / "leak.txt").symlink_to(secret)
    (s.out / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    probes = ["/news-digest/../secret.txt", "/news-digest/%2e%2e/secret.txt", "/news-digest/%2E%2E/%2e%2e/etc/passwd",
              "/news-digest/..%2fsecret.txt", "/news-digest//etc/passwd", "/../site.yaml", "/news-digest/leak.txt",
              "/news-digest/leakdir/secret.txt", "/news-digest/en/../../secret.txt", "/etc/passwd"]
    for probe in probes:
        status, body = s.get(probe)
        assert status == 404 and "TOP-SECRET" not in body and "root:" not in body, probe
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:  # no client at all in between
        raw.sendall(b"GET /news-digest/../../secret.txt HTTP/1.0\r\n\r\n")
        answer = b"".join(iter(lambda: raw.recv(65536), b""))
    assert answer.startswith(b"HTTP/1.1 404") and b"TOP-SECRET" not in answer


def test_site_lives_under_base_path(serve: Callable[..., Served]) -> None:
    s = serve()
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    conn.request("GET", "/")
    response = conn.getresponse()
    assert response.status in (301, 302) and response.getheader("Location") == "/news-digest/"
    conn.close()
    status, body = s.get("/en/")
    assert status == 404 and "<html" in body  # outside the base path, as on GitHub Pages: the site's 404 page
    assert s.get("/news-digest/en/")[0] == 200


def test_sigint_stops_cleanly_with_a_complete_build(serve: Callable[..., Served], tmp_path: Path) -> None:
    s = serve()
    edit(s.site / ARTICLE, "\n---\n", "\n---\nLast edit before stopping.\n\n")
    wait_for(lambda: any(ARTICLE in line for line in s.rebuilds()), what="the rebuild")
    assert s.stop() == 0
    assert any("Stopped" in line for line in s.lines) and not s.strays()
    fresh = tmp_path / "fresh"
    build(s.site, fresh)
    assert _differences(s.out, fresh) == [], "the served folder differs from a production build"
    assert not list(s.out.parent.glob(".out.*")), "a staging folder was left behind"


def test_a_save_just_before_ctrl_c_is_built(serve: Callable[..., Served], tmp_path: Path) -> None:
    s = serve()
    edit(s.site / ARTICLE, "\n---\n", "\n---\nSaved a moment before Ctrl-C.\n\n")
    assert s.stop() == 0  # within the quiet moment the server waits for before rebuilding
    fresh = tmp_path / "fresh"
    build(s.site, fresh)
    assert _differences(s.out, fresh) == [], "the save before Ctrl-C was not built"


def test_search_index_follows_edits_and_is_fresh_on_stop(serve: Callable[..., Served]) -> None:
    s = serve(config=SAMPLE_CONFIG.replace("search: false", "search: true"))
    entry = s.out / "pagefind" / "pagefind-entry.json"
    built = entry.stat().st_mtime_ns
    edit(s.site / ARTICLE, "\n---\n", "\n---\nIndexed while serving.\n\n")
    wait_for(lambda: any("search index refreshed" in line for line in s.lines), what="the index refresh")
    assert entry.stat().st_mtime_ns > built
    edit(s.site / ARTICLE, "Indexed while serving.", "Edited just before stopping.")
    wait_for(lambda: sum(ARTICLE in line for line in s.rebuilds()) == 2, what="the second rebuild")
    assert s.stop() == 0  # sooner than the idle delay: the index is refreshed on the way out
    assert any("refreshing the search index before stopping" in line for line in s.lines)
    assert entry.is_file() and not s.strays()


def _differences(left: Path, right: Path) -> list[str]:
    """Files missing on one side or with other bytes, as paths relative to the folders."""
    files = {p.relative_to(left) for p in left.rglob("*") if p.is_file()} | {p.relative_to(right) for p in right.rglob("*") if p.is_file()}
    return sorted(str(f) for f in files if not ((left / f).is_file() and (right / f).is_file()
                                                  and filecmp.cmp(left / f, right / f, shallow=False)))


def test_all_interfaces_warns_and_serves(make_site: MakeSite, tmp_path: Path) -> None:
    s = Served(make_site(config=SAMPLE_CONFIG), tmp_path / "out", "--host", "0.0.0.0")
    try:
        assert any("all interfaces" in line for line in s.lines)
        status, body = s.get("/news-digest/")  # reached through 127.0.0.1, one of all the interfaces
        assert status == 200 and "livereload.js" in body
        assert s.get("/news-digest/", host=f"192.168.1.5:{s.port}")[0] == 200  # the machine's address on a LAN
        assert s.get("/news-digest/", host=f"evil.example:{s.port}")[0] == 421  # never a domain name
    finally:
        assert s.stop() == 0


# --- the incremental rebuild, without a server --------------------------------------


@pytest.fixture
def incremental(make_site: MakeSite, tmp_path: Path) -> Incremental:
    inc = Incremental(make_site(config=SAMPLE_CONFIG), tmp_path / "out")
    inc.rebuild()
    return inc


def test_redating_an_article_redoes_its_listings(incremental: Incremental) -> None:
    listing = incremental.out / "en" / "index.html"
    assert "November 20, 2025" not in listing.read_text(encoding="utf-8")
    edit(incremental.root / ARTICLE, "date: 2025-11-26", "date: 2025-11-20")
    report = incremental.rebuild([ARTICLE])
    assert report.removed == 0 and report.rendered < report.total
    assert "November 20, 2025" in listing.read_text(encoding="utf-8")


def test_a_new_language_redoes_every_page(incremental: Incremental) -> None:
    path = "content/articles/fr/bonjour.md"
    (incremental.root / path).parent.mkdir()
    (incremental.root / path).write_text("---\ntitle: Bonjour\ndate: 2025-11-27\nlang: fr\nsource: AFP\n---\nTexte.\n",
                                         encoding="utf-8")
    report = incremental.rebuild([path])
    pages = [p for p in incremental.records or () if p.endswith(".html")]
    assert report.rendered >= len(pages)  # the language switcher of every page now lists French
    assert "fr/" in (incremental.out / "index.html").read_text(encoding="utf-8")


def test_a_new_partial_redoes_every_page(incremental: Incremental) -> None:
    """A template no job names may be included by any page: every page depends on it."""
    partial = incremental.root / "templates" / "unused-partial.html"
    partial.parent.mkdir(exist_ok=True)
    partial.write_text("<p>x</p>\n", encoding="utf-8")
    report = incremental.rebuild(["templates/unused-partial.html"])
    assert report.rendered >= len([p for p in incremental.records or () if p.endswith(".html")])


def test_a_template_the_site_adds_overrides_the_theme_at_once(incremental: Incremental) -> None:
    """Without its own ``article.html`` the site uses the theme's; one added while serving takes over at
    the next rebuild (Jinja would keep the file it found first: the environment is made anew)."""
    own = incremental.root / "templates" / "article.html"
    text = own.read_text(encoding="utf-8")

    def pages_saying(words: str) -> list[Path]:
        return [p for p in incremental.out.rglob("index.html") if words in p.read_text(encoding="utf-8")]

    own.write_text(text.replace("</article>", "<p>first edition</p></article>"), encoding="utf-8")
    incremental.rebuild(["templates/article.html"])
    pages = pages_saying("first edition")
    assert pages and all(p.relative_to(incremental.out).parts[1].isdigit() for p in pages)  # article pages only
    own.unlink()
    incremental.rebuild(["templates/article.html"])
    assert not pages_saying("first edition")  # the theme's, rendered
    own.write_text(text.replace("</article>", "<p>second edition</p></article>"), encoding="utf-8")
    incremental.rebuild(["templates/article.html"])
    assert pages_saying("second edition") == pages


def test_entity_table_edit_redoes_stories_not_the_site(incremental: Incremental) -> None:
    table = incremental.root / "content" / "entities.yaml"
    table.write_text(table.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    report = incremental.rebuild(["content/entities.yaml"])
    assert 0 < report.rendered < report.total


def test_a_failed_rebuild_keeps_its_changes_for_the_next(incremental: Incremental) -> None:
    from builder.errors import BuildError

    edit(incremental.root / ARTICLE, "\n---\n", "\n---\nKept across a failure.\n\n")
    config = incremental.root / "site.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "tittle: x\n", encoding="utf-8")
    with pytest.raises(BuildError):
        incremental.rebuild([ARTICLE, "site.yaml"])
    config.write_text(good, encoding="utf-8")
    incremental.rebuild(["site.yaml"])
    assert any("Kept across a failure." in p.read_text(encoding="utf-8") for p in incremental.out.rglob("index.html"))


@pytest.mark.parametrize(("path", "key"), [
    ("site.yaml", "site.yaml"),
    ("content/articles/en/x.md", "content/articles/en/x.md"),
    ("content/articles/en/sedAbc12", None),
    ("content/articles/en/.x.md.swp", None),
    ("content/articles/en/x.md~", None),
    ("templates/base.html", "templates/base.html"),
    ("static/style.css", "static/style.css"),
    ("public/index.html", None),
    ("README.md", None),
])
def test_input_key(tmp_path: Path, path: str, key: str | None) -> None:
    assert input_key(tmp_path / path, tmp_path) == key


def test_catalog_keys() -> None:
    assert input_key(i18n.CATALOGS / "uz" / "LC_MESSAGES" / "messages.po", Path("/site")) == "catalog:uz"


# --- the watcher: real file events, from the native observer and from the polling fallback ----------


class WatchLimitReached(Observer):
    """A native observer whose last watch fails, as at the system's inotify watch limit."""

    failed: ClassVar[list[WatchLimitReached]] = []

    def on_thread_start(self) -> None:
        super().on_thread_start()  # the emitters start: the fallback must stop them again
        WatchLimitReached.failed.append(self)
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


@pytest.fixture(params=["native", "polling"])
def watching(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "polling":
        monkeypatch.setattr("builder.commands.incremental.Observer", WatchLimitReached)
    return request.param


Step = tuple[Callable[[], object], set[str]]  # a change to the files, and keys to wait for after it


def watch(site: Path, steps: list[Step], timeout: float = 10) -> set[str]:
    """The keys a Watcher on ``site`` reports while ``steps`` run, each waiting for its keys and then a quiet
    moment (for any stray report to come); checks the keys came, on the loop's thread, and no thread is left."""

    async def run() -> tuple[set[str], list[set[str]], set[int], Watcher]:
        reports: list[set[str]] = []
        missing: list[set[str]] = []
        threads: set[int] = set()

        def report(keys: set[str]) -> None:
            reports.append(keys)
            threads.add(threading.get_ident())

        watcher = Watcher(site, report, asyncio.get_running_loop())
        try:
            for change, keys in steps:
                before = len(reports)
                change()
                deadline = time.monotonic() + timeout
                while not keys <= set().union(*reports[before:]) and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                missing.append(keys - set().union(*reports[before:]))
                await asyncio.sleep(watcher.quiet)  # polling: every scan has run once since
        finally:
            watcher.close()
        return set().union(*reports), missing, threads, watcher

    # in a thread of its own: the session's Playwright may own this thread's loop
    result: list[tuple[set[str], list[set[str]], set[int], Watcher]] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(run())))
    thread.start()
    thread.join(timeout=60)
    seen, missing, threads, watcher = result[0]
    assert not any(missing), f"never reported, step by step: {missing}"
    assert threads == {thread.ident}, "reported on watchdog's thread, not the loop's"
    assert not watcher.observer.is_alive() and not watcher.observer.emitters
    assert not any(failed.emitters for failed in WatchLimitReached.failed), "the failed native watches still run"
    return seen


def test_watcher_reports_a_new_folder_and_the_config(make_site: MakeSite, watching: str) -> None:
    site = make_site(sample=False, config=SAMPLE_CONFIG)

    def change() -> None:
        (site / "public").mkdir()  # the output folder: never a key
        (site / "public" / "index.html").write_text("x", encoding="utf-8")
        (site / "content/articles/fr").mkdir()
        (site / "content/articles/fr/a.md").write_text("x", encoding="utf-8")
        (site / "site.yaml").write_text(SAMPLE_CONFIG + "\n", encoding="utf-8")

    expected = {"content/articles/fr", "content/articles/fr/a.md", "site.yaml"}
    assert watch(site, [(change, expected)]) == expected


def test_watcher_reports_a_deleted_folder_and_its_articles(make_site: MakeSite, watching: str) -> None:
    site = make_site({"content/articles/tr/a.md": "x", "content/articles/tr/b.md": "x"}, sample=False,
                     config=SAMPLE_CONFIG)
    expected = {"content/articles/tr", "content/articles/tr/a.md", "content/articles/tr/b.md"}
    assert watch(site, [(lambda: shutil.rmtree(site / "content/articles/tr"), expected)]) == expected


def test_watcher_reports_both_ends_of_a_move(make_site: MakeSite, watching: str) -> None:
    site = make_site({"content/articles/tr/a.md": "x"}, sample=False, config=SAMPLE_CONFIG)
    articles = site / "content/articles"

    def save_by_rename() -> None:  # as many editors save: a temporary file renamed over the article
        (articles / ".b.md.tmp").write_text("x", encoding="utf-8")
        os.replace(articles / ".b.md.tmp", articles / "b.md")

    folders = {"content/articles/tr", "content/articles/tr/a.md", "content/articles/tr2", "content/articles/tr2/a.md"}
    seen = watch(site, [(save_by_rename, {"content/articles/b.md"}),
                        (lambda: (articles / "tr").rename(articles / "tr2"), folders)])
    assert seen == {"content/articles/b.md"} | folders


def test_watcher_ignores_reads_and_editor_files(make_site: MakeSite, watching: str) -> None:
    site = make_site(sample=False, config=SAMPLE_CONFIG)
    folder = site / "content/articles"

    def change() -> None:
        for path in site.rglob("*.*"):  # as a rebuild does: reading is not a change
            path.read_bytes()
        for name in (".a.md.swp", "a.md~", "4913", ".#a.md"):  # vim's swap and probe files, backups, emacs' locks
            (folder / name).write_text("x", encoding="utf-8")
            (folder / name).unlink()
        (folder / "a.md").write_text("x", encoding="utf-8")  # the save itself, after them

    assert watch(site, [(change, {"content/articles/a.md"})]) == {"content/articles/a.md"}


def test_watcher_follows_a_site_folder_deleted_and_made_again(make_site: MakeSite, watching: str) -> None:
    site = make_site(sample=False, config=SAMPLE_CONFIG)
    static = site / "static"
    seen = watch(site, [
        (lambda: shutil.rmtree(static), {EVERYTHING}),  # polling reports none of its files
        (lambda: shutil.copytree(REPO / "static", static), {EVERYTHING}),  # nor are they new to a new watch
        (lambda: (static / "late.css").write_text("x", encoding="utf-8"), {"static/late.css"}),
    ])
    assert "static/late.css" in seen
