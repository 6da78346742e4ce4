"""A site with real variety: the labelled articles (32 languages, 13 scripts) with an interface in each,
built, crawled link by link, and looked at in Chromium at 360 and 1280 px in both colour schemes.

Pages are sampled (home, a story page, a search page, and one article per script) so the test
stays well under two minutes; the crawl and the static checks cover every page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from builder.commands.build import build
from builder.lang import i18n
from htmlscan import scan
from labelled import variety_site
from siteserver import base_path, serve_site
from pagecheck import WIDTHS, article_paths, nu_errors, open_page, visit

SCHEMES = ("light", "dark")


@pytest.fixture(scope="module")
def variety_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The labelled site, its interface in every language its articles are written in, built with search."""
    root = variety_site(tmp_path_factory.mktemp("variety") / "site")
    out = root / "public"
    build(root, out)
    return out


def by_script(out: Path) -> dict[str, str]:
    """Script → the folder URL of an article in it (the first language of that script, sorted)."""
    found: dict[str, str] = {}
    for lang, url in sorted(article_paths(out).items()):
        found.setdefault(i18n.language(lang).script, url)
    return found


def test_the_fixture_has_real_variety(variety_build: Path) -> None:
    langs = article_paths(variety_build)
    assert len(langs) >= 25 and len(by_script(variety_build)) >= 8, (sorted(langs), sorted(by_script(variety_build)))
    assert all((variety_build / lang / "search" / "index.html").is_file() for lang in langs)  # a search page each


def test_every_internal_link_is_followed_and_none_is_broken(variety_build: Path) -> None:
    base = base_path(variety_build)
    todo, seen, broken = [variety_build / "index.html"], set(), []
    while todo:
        page = todo.pop()
        if page in seen or page.suffix != ".html":
            seen.add(page)
            continue
        seen.add(page)
        for el in scan(page.read_text(encoding="utf-8")).elements:
            href = el.attrs.get("href", "") if el.tag in ("a", "link") else ""
            parts = urlsplit(href)
            if not href or parts.netloc or not unquote(parts.path).startswith(base):
                continue
            target = variety_build / unquote(parts.path)[len(base):]
            target = target / "index.html" if parts.path.endswith("/") else target
            if target.is_file():
                todo.append(target)
            else:
                broken.append(f"{page.relative_to(variety_build)}: {href}")
    assert not broken, "\n".join(broken[:20])
    pages = {p for p in variety_build.rglob("*.html") if p.name != "404.html"}
    assert len(pages - seen) <= len(pages) // 100, sorted(map(str, pages - seen))[:10]  # everything is reachable


@pytest.fixture(scope="module")
def sample_pages(variety_build: Path) -> Iterator[dict[str, str]]:
    """Name → URL: home, a story page in Arabic, the Korean search page, one article per script."""
    story = sorted(variety_build.glob("stories/*/ar/index.html"))[0].parent.relative_to(variety_build).as_posix()
    with serve_site(variety_build) as root:
        pages = {"home": root, "story-ar": f"{root}{story}/", "search-ko": f"{root}ko/search/?q=%ED%91%B8%ED%8B%B4"}
        pages.update({f"article-{script}": root + url for script, url in by_script(variety_build).items()})
        yield pages


@pytest.mark.java
def test_a_page_per_script_passes_the_nu_checker(java_path: str, variety_build: Path) -> None:
    pages = [variety_build / url / "index.html" for url in by_script(variety_build).values()]
    errors = nu_errors(java_path, *pages, *variety_build.glob("stories/*/ar/index.html"))
    assert not errors, "\n".join(errors[:30])


@pytest.mark.browser
def test_no_sideways_scrolling_in_either_scheme_at_either_width(browser, sample_pages: dict[str, str],
                                                               tmp_path: Path) -> None:
    for width in WIDTHS:
        for scheme in SCHEMES:
            page = open_page(browser, sample_pages["home"], width=width, scheme=scheme)
            for name, url in sample_pages.items():
                visit(page, url)
                scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
                assert scroll <= inner, f"{name} scrolls sideways at {width} px, {scheme} ({scroll} > {inner})"
                shot = tmp_path / f"{name}-{width}-{scheme}.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 1000
            page.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_nothing_serious_on_any_script(browser, sample_pages: dict[str, str], scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), []
    page = open_page(browser, sample_pages["home"], scheme=scheme)
    for name, url in sample_pages.items():
        visit(page, url)
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                found.append(f"{name}: {violation['id']}: {violation['help']} {[n['target'] for n in violation['nodes']][:3]}")
    page.close()
    assert not found, "\n".join(found)


# Words (matches of a pattern) in the text under a selector that the layout splits across two lines.
SPLIT_WORDS = """([selector, pattern]) => {
  const split = [];
  const range = document.createRange();
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      for (const m of node.textContent.matchAll(new RegExp(pattern, "gu"))) {
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) split.push(m[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.browser
def test_korean_breaks_between_words_and_chinese_labels_stay_whole(browser, sample_pages: dict[str, str]) -> None:
    korean = open_page(browser, sample_pages["article-Kore"], width=360)
    assert korean.evaluate("getComputedStyle(document.querySelector('.article-body p')).wordBreak") == "keep-all"
    words = korean.evaluate("document.querySelector('main').innerText.match(/[\\uac00-\\ud7a3]+/g).length")
    assert words > 50  # the check below looks at real Korean text
    assert korean.evaluate(SPLIT_WORDS, ["main", "[\\uac00-\\ud7a3]+"]) == []
    korean.close()
    chinese = open_page(browser, sample_pages["article-Hans"], width=360)
    labels = "header, .article-meta, .story-box, nav, footer"
    assert chinese.evaluate(SPLIT_WORDS, [labels, "[\\p{sc=Latn}\\p{sc=Cyrl}\\p{sc=Grek}]{2,}"]) == []
    assert chinese.evaluate(SPLIT_WORDS, [".article-meta dt", "\\S+"]) == []
    chinese.close()


@pytest.mark.parametrize("lang, digits", [("fa", "۰۱۲۳۴۵۶۷۸۹"), ("bn", "০১২৩৪৫৬৭৮৯"), ("ar", "0123456789")])
def test_dates_and_minutes_in_the_locales_own_digits(variety_build: Path, lang: str, digits: str) -> None:
    """Babel's default numbering system: arabext for Persian, beng for Bengali, Latin digits for Arabic."""
    page = scan((variety_build / article_paths(variety_build)[lang] / "index.html").read_text(encoding="utf-8"))
    shown = " ".join("".join(dd.children_text) for dd in page.all("dd"))
    numerals = re.findall(r"\d", shown)
    assert numerals and all(d in digits for d in numerals), shown
