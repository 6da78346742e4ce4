"""Site search: a Pagefind index of every language, search pages in each interface language,
and a real query in headless Chromium that finds articles across languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.render import search as search_module
from builder.commands.build import build
from builder.cli import main
from builder.errors import BuildError
from conftest import MakeSite
from htmlscan import scan
from siteserver import open_search, serve_site

BASE = "/news-digest/"
INTERFACE = ("en", "ru", "tr", "uz", "ky", "vi")  # the sample's site.yaml languages


def nav_search_links(page_html: str) -> list[str]:
    page = scan(page_html)
    return [a.attrs["href"] for a in page.all("a") if a.attrs.get("href", "").endswith("/search/")]


def test_sample_has_a_search_page_per_interface_language_and_an_index(sample_build: Path) -> None:
    for lang in INTERFACE:
        page = scan((sample_build / lang / "search" / "index.html").read_text(encoding="utf-8"))
        assert page.one("html").attrs["lang"] == lang
        assert page.all("script", src=f"{BASE}static/search.js")
        assert page.all("form", role="search")
        assert "<noscript>" in (sample_build / lang / "search" / "index.html").read_text(encoding="utf-8")
    entry = json.loads((sample_build / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == [search_module.INDEX_LANGUAGE]  # one index: a first query loads one module
    article = next(sample_build.glob("ky/[0-9]*/*/*/index.html")).read_text(encoding="utf-8")
    assert 'data-pagefind-filter="language:ky"' in article and "扎帕罗夫" in article  # the filter and the spellings
    assert (sample_build / "pagefind" / "pagefind.js").is_file()


def test_every_pages_search_link_leads_to_a_search_page(sample_build: Path) -> None:
    pages = [p for p in sample_build.rglob("*.html")]
    assert len(pages) > 10
    for path in pages:
        links = nav_search_links(path.read_text(encoding="utf-8"))
        assert links, path
        for href in links:
            assert (sample_build / href.removeprefix(BASE) / "index.html").is_file(), (path, href)


def test_a_language_without_interface_links_the_default_search_page(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({"content/articles/ja/a.md": "---\ntitle: 会談\ndate: 2025-11-26\nlang: ja\nsource: NHK\n---\n\n本文。\n"})
    out = tmp_path / "out"
    build(site, out, search=False)
    assert not (out / "ja" / "search").exists()
    build(site, out)
    article = next(out.glob("ja/2025/11/*/index.html"))
    assert nav_search_links(article.read_text(encoding="utf-8")) == [f"{BASE}en/search/"]


@pytest.mark.parametrize("how", ["flag", "config"])
def test_search_can_be_turned_off(make_site: MakeSite, tmp_path: Path, how: str) -> None:
    config = None
    if how == "config":
        config = (Path(__file__).resolve().parent.parent / "site.yaml").read_text(encoding="utf-8").replace(
            "search: true", "search: false")
    site = make_site(config=config)
    out = tmp_path / "out"
    if how == "flag":
        assert main(["build", "--site", str(site), "--out", str(out), "--no-search"]) == 0
    else:
        assert build(site, out).search_seconds is None
    assert not (out / "pagefind").exists()
    assert not list(out.glob("*/search"))
    assert not nav_search_links((out / "index.html").read_text(encoding="utf-8"))


def test_a_failed_index_leaves_the_previous_output(make_site: MakeSite, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site()
    out = tmp_path / "out"
    build(site, out, search=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(search_module, "PAGEFIND", ["false"])
    with pytest.raises(BuildError) as caught:
        build(site, out)
    assert "Pagefind could not index the site" in caught.value.report()
    assert "--no-search" in caught.value.report()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".out.staging-*"))


# --- in the browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def site_url(sample_build: Path):
    with serve_site(sample_build) as url:
        yield url


def text_none(url: str) -> str:
    return "Ничего не найдено." if "/ru/" in url else "No results."


def run_search(browser, url: str) -> list[dict[str, str]]:
    page = browser.new_page()
    errors: list[str] = []
    console: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: console.append(msg.text))
    open_search(page, url)
    items = page.eval_on_selector_all("#search-results li", """items => items.map(li => ({
        title: li.querySelector('a').textContent, href: li.querySelector('a').getAttribute('href'),
        lang: li.querySelector('a').lang, meta: li.querySelector('.meta')?.textContent || ''}))""")
    status = page.inner_text("#search-status")
    page.close()
    assert not errors, errors
    assert items or status == text_none(url), (status, console)
    return [{**item, "status": status} for item in items]


@pytest.mark.browser
@pytest.mark.parametrize("query, lang, title_part", [
    ("Caparov", "tr", "Rusya-Kırgızistan"),  # only the Turkish article spells it so
    ("Bishkek", "uz", "Qirg‘iziston"),
    ("Жапаров", "ky", "Садыр Жапаров"),
    ("hamkorlik", "uz", "hamkorlik"),
])
def test_a_search_finds_articles_in_every_language(browser, site_url: str, query: str, lang: str,
                                                   title_part: str) -> None:
    results = run_search(browser, f"{site_url}en/search/?q={query}")
    match = [r for r in results if title_part in r["title"]]
    assert match, results
    hit = match[0]
    assert hit["lang"] == lang and hit["href"].startswith(f"{BASE}{lang}/")
    parts = hit["meta"].split(" · ")
    assert len(parts) == 3 and all(parts), hit  # language · outlet · date
    assert any(ch.isdigit() for ch in parts[2])


@pytest.mark.browser
def test_the_search_page_speaks_the_interface_language(browser, site_url: str) -> None:
    results = run_search(browser, f"{site_url}ru/search/?q=Caparov")
    assert results and results[0]["status"] == f"Найдено: {len(results)}"
    stories = [r for r in results if "/stories/" in r["href"]]
    assert all(r["href"].endswith("/ru/") for r in stories)  # the story page in the reader's language only
    nothing = browser.new_page()
    open_search(nothing, f"{site_url}ru/search/?q=zzzqqqxxx")
    assert nothing.locator("#search-results li").count() == 0
    assert nothing.text_content("#search-status") == text_none("/ru/")
    nothing.close()


@pytest.mark.browser
def test_without_javascript_the_search_page_says_what_to_do(browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}en/search/")
    assert page.locator(".notice").is_visible()
    assert page.locator(".browse a").count() >= 5
    context.close()


SPELLINGS = ("Japarov", "Жапаров", "Caparov", "扎帕罗夫")  # one entity, four scripts and spellings


def search_results(browser, url: str) -> list[dict[str, str]]:
    page = browser.new_page()
    open_search(page, url)
    items = page.eval_on_selector_all("#search-results li", """items => items.map(li => ({
        href: li.querySelector('a').getAttribute('href'), meta: li.querySelector('.meta')?.textContent || '',
        excerpt: li.querySelector('.excerpt').textContent}))""")
    page.close()
    return items


@pytest.mark.browser
def test_every_spelling_of_a_name_finds_the_same_pages_story_first(browser, site_url: str) -> None:
    found = {q: search_results(browser, f"{site_url}en/search/?q={q}") for q in SPELLINGS}
    pages = {q: {r["href"] for r in items} for q, items in found.items()}
    assert len(pages["Japarov"]) >= 5 and all(p == pages["Japarov"] for p in pages.values()), pages
    assert all(items[0]["href"] == f"{BASE}stories/putin-bishkek-2025-11/" for items in found.values()), found


@pytest.mark.browser
def test_snippets_come_from_the_text_never_from_page_furniture(browser, site_url: str, sample_build: Path) -> None:
    for item in search_results(browser, f"{site_url}en/search/?q=扎帕罗夫"):
        page = scan((sample_build / item["href"].removeprefix(BASE) / "index.html").read_text(encoding="utf-8"))
        furniture = [*("".join(e.children_text) for e in page.all("time") + page.all("dd")), "Read the original",
                     "Sadyr Japarov · "]
        assert item["excerpt"].strip(), item
        assert not [f for f in furniture if f.strip() and f.strip() in item["excerpt"]], item


@pytest.mark.browser
def test_the_language_filter_and_dates_in_the_reader_language(browser, site_url: str) -> None:
    kyrgyz = search_results(browser, f"{site_url}ru/search/?q=Japarov&lang=ky")
    assert kyrgyz and all(r["href"].startswith(f"{BASE}ky/") for r in kyrgyz), kyrgyz
    assert all("киргизский" in r["meta"] and "мая 2022" in r["meta"] for r in kyrgyz), kyrgyz  # Russian names
    english = search_results(browser, f"{site_url}en/search/?q=Caparov")
    turkish = [r for r in english if r["href"].startswith(f"{BASE}tr/")]
    assert turkish and "November 26, 2025" in turkish[0]["meta"] and "Turkish" in turkish[0]["meta"], turkish
