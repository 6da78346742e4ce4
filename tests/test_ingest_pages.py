"""``digest add URL``: saved pages of five layouts served from 127.0.0.1, and every way a fetch can fail."""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from builder.cli import main
from builder.ingest.fetch import USER_AGENT, FetchError, fetch

PAGES = Path(__file__).parent / "fixtures" / "pages"
SEEN_AGENTS: list[str] = []
# a page that names its charset only in the HTTP header, as many older Russian-language sites do
CP1251_PAGE = (PAGES / "broadcaster.html").read_text(encoding="utf-8").replace('<meta charset="utf-8">', "") \
    .encode("windows-1251")


class _Handler(SimpleHTTPRequestHandler):
    """The saved pages, plus paths that fail in each way a real site can."""

    def do_GET(self) -> None:
        SEEN_AGENTS.append(self.headers.get("User-Agent", ""))
        special = {
            "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
            "/to-wire": (301, {"Location": "/wire.html"}, b""),
            "/gone": (404, {}, b"not here"),
            "/big": (200, {"Content-Type": "text/html"}, b"<html><body>" + b"<p>word </p>" * 20000 + b"</body></html>"),
            "/cp1251": (200, {"Content-Type": "text/html; charset=windows-1251"}, CP1251_PAGE),
            "/picture": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
        }
        if self.path == "/slow":
            time.sleep(2)
        if self.path in special:
            code, headers, body = special[self.path]
            self.send_response(code)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler (the /slow one too): no thread outlives the module,
    # since later tests fork, and forking is refused while other threads run
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that stopped reading at its size limit: expected here


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = _QuietServer(("127.0.0.1", 0), partial(_Handler, directory=str(PAGES)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _add(site: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["add", "--site", str(site), *args])
    return code, out.getvalue(), err.getvalue()


EXPECTED = {  # page → title, date with offset, author, outlet, language
    "wire.html": ("Kyrgyzstan, Russia sign energy and migration accords", "2025-11-26T13:05:00+06:00",
                  "Olga Petrova", "Central Asia Wire", "en"),
    "broadcaster.html": ("Путин и Жапаров подписали заявление о союзничестве", "2025-11-26T16:20:00+06:00",
                         "Айгуль Асанова", "Тянь-Шань ТВ", "ru"),
    # the page states 14:41 without an offset: Turkish, so Turkey's (one zone, +03:00)
    "newspaper.html": ("Putin ve Caparov Bişkek'te bir araya geldi", "2025-11-26T14:41:00+03:00",
                       "Mehmet Yılmaz", "Günlük Haber", "tr"),
    "blog.html": ("What the Bishkek summit means for Central Asia", "2025-11-28T08:30:00+00:00",
                  "Daniyar Seitkali", "Steppe Notes", "en"),
    "jsonld.html": ("Nga và Kyrgyzstan ký tuyên bố chung về quan hệ đồng minh", "2025-11-27T10:30:00+07:00",
                    "Minh Anh, Thanh Hà", "Tin Tức Thế Giới", "vi"),
}
FURNITURE = ["Advertisement", "Subscribe", "©", "Read next", "Фото:", "Подпишитесь", "REKLAM", "Fotoğraf", "Yorum",
             "Ảnh: Reuters", "Tin liên quan", "Great read", "Reporting by", "Our Standards", "Updated 2 hours",
             "İLGİLİ HABER", "powered by WordPress", "Поделиться"]


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_a_page_gives_title_date_with_offset_author_and_outlet(server: str, make_site, page: str) -> None:
    site = make_site(sample=False)
    code, out, err = _add(site, "--json", "--dry-run", f"{server}/{page}")
    assert code == 0, err
    fields = json.loads(out)["front_matter"]
    got = tuple(fields.get(k) for k in ("title", "date", "author", "source", "lang"))
    assert got == EXPECTED[page]
    assert not list((site / "content/articles").rglob("*.md"))  # a dry run writes nothing


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_a_page_body_is_its_article_without_the_furniture(server: str, make_site, page: str) -> None:
    site = make_site(sample=False)
    code, _, err = _add(site, f"{server}/{page}")
    assert code == 0, err
    (written,) = (site / "content/articles").rglob("*.md")
    body = written.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert [word for word in FURNITURE if word in body] == []
    assert len([p for p in body.split("\n\n") if len(p.split()) > 12]) >= 3


def test_the_charset_of_the_http_header_decodes_the_page(server: str, make_site) -> None:
    site = make_site(sample=False)
    code, out, err = _add(site, "--json", "--dry-run", f"{server}/cp1251")
    assert code == 0, err
    assert json.loads(out)["front_matter"]["title"] == EXPECTED["broadcaster.html"][0]


def test_markdown_keeps_headings_lists_links_and_quotes(make_site) -> None:
    site = make_site(sample=False)
    assert _add(site, str(PAGES / "blog.html"))[0] == 0  # a saved page, read from disk
    (written,) = (site / "content/articles").rglob("*.md")
    body = written.read_text(encoding="utf-8")
    assert "## Three things to watch" in body and "\n1. Russia takes over" in body
    assert "[the CSTO](https://en.wikipedia.org/wiki/Collective_Security_Treaty_Organization)" in body
    assert "\n> We are ready and interested" in body
    assert 'url: "https://steppenotes.example.org/2025/11/28/bishkek-summit/"' in body


def test_the_same_canonical_url_is_a_duplicate(server: str, make_site) -> None:
    site = make_site(sample=False)
    assert _add(site, f"{server}/wire.html")[0] == 0
    code, _, err = _add(site, f"{server}/to-wire")
    assert code == 1 and "has the same URL https://wire.example.com/world/2025/11/26/kyrgyzstan-russia-accords" in err
    assert len(list((site / "content/articles").rglob("*.md"))) == 1


def test_redirects_are_followed_and_the_agent_declared(server: str) -> None:
    SEEN_AGENTS.clear()
    page = fetch(f"{server}/to-wire")
    assert page.url.endswith("/wire.html") and page.content_type == "text/html"
    assert SEEN_AGENTS and all(agent == USER_AGENT for agent in SEEN_AGENTS)


@pytest.mark.parametrize("path,message", [
    ("/to-file", "redirected to a file: URL"),
    ("/gone", "HTTP 404"),
    ("/picture", "gives image/png, not a web page"),
])
def test_every_failure_is_one_line_and_writes_nothing(server: str, make_site, path: str, message: str) -> None:
    site = make_site(sample=False)
    url = f"{server}{path}"
    code, _, err = _add(site, url)
    assert code == 1 and err.startswith(f"{url}: ") and message in err and len(err.strip().splitlines()) == 1
    assert not list((site / "content/articles").rglob("*.md"))


def test_a_closed_port_and_a_bad_scheme_say_so(make_site) -> None:
    site = make_site(sample=False)
    code, _, err = _add(site, "http://127.0.0.1:9/x")
    assert code == 1 and err.startswith("http://127.0.0.1:9/x: cannot connect")
    with pytest.raises(FetchError, match="only http:// and https://"):
        fetch("ftp://127.0.0.1/x")


def test_size_and_time_are_bounded(server: str) -> None:
    with pytest.raises(FetchError, match="the limit is 10,000"):
        fetch(f"{server}/big", max_bytes=10_000)
    with pytest.raises(FetchError, match="no answer within 0.5 s"):
        fetch(f"{server}/slow", timeout=0.5)


def test_a_saved_page_naming_no_outlet_takes_the_one_its_dateline_credits() -> None:
    """It declares no charset either: its UTF-8 is read as UTF-8, not as libxml2's default Latin-1."""
    from builder.ingest.extract_html import extract_html

    page = ("<!doctype html><html lang='de'><head><title>Putin in Kirgistan eingetroffen</title></head><body><article>"
            "<h1>Putin in Kirgistan eingetroffen</h1><p>Bischkek (dpa) – Der russische Präsident Wladimir Putin ist zu "
            "einem zweitägigen Staatsbesuch in Kirgistan eingetroffen. Er wurde am Flughafen von Präsident Sadyr "
            "Dschaparow empfangen.</p><p>Am Donnerstag beginnt in Bischkek der Gipfel der OVKS, eines von Russland "
            "geführten Militärbündnisses ehemaliger Sowjetrepubliken.</p></article></body></html>")
    draft = extract_html(page.encode("utf-8"))
    assert draft.source == "dpa" and draft.confidence["source"] == 0.6
    assert any("the dateline credits 'dpa'" in w for w in draft.warnings)
    assert "Der russische Präsident Wladimir Putin" in draft.body and draft.title == "Putin in Kirgistan eingetroffen"
