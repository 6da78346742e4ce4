"""Quality gates on real output: the Nu HTML Checker, axe-core in both colour schemes, keyboard
use, no horizontal scrolling at 360 and 1280 px, every script laid out right, and no request
that leaves the site."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from builder.commands.build import build
from pagecheck import WIDTHS, article_paths, nu_errors, open_page, visit
from conftest import REPO
from htmlscan import scan
from siteserver import serve_site

# Articles in the scripts the sample lacks: right-to-left Arabic and Persian, and CJK with no spaces.
SCRIPTS = {
    "ar": ("الرئيس الروسي يزور بيشكيك", "التقى الرئيس الروسي فلاديمير بوتين بنظيره القيرغيزي صدر جاباروف في بيشكيك، "
           "وبحث الجانبان التعاون التجاري والاستثمار والأمن الإقليمي. "),
    "fa": ("سفر پوتین به بیشکک", "ولادیمیر پوتین، رئیس‌جمهور روسیه، در بیشکک با صدر ژاپاروف دیدار کرد و دو طرف "
           "درباره تجارت و سرمایه‌گذاری گفت‌وگو کردند. "),
    "zh": ("普京访问比什凯克", "俄罗斯总统普京在比什凯克与吉尔吉斯斯坦总统扎帕罗夫举行会谈，双方讨论了贸易、投资和地区安全合作。"),
    "ja": ("プーチン大統領がビシュケクを訪問", "ロシアのプーチン大統領はビシュケクでキルギスのジャパロフ大統領と会談し、"
           "貿易と投資、地域の安全保障について協議した。"),
}


@pytest.fixture(scope="module")
def scripts_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site plus one article in each of ar, fa, zh and ja, built with its search index."""
    root = tmp_path_factory.mktemp("scripts") / "site"
    for name in ("templates", "static", "content"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    for lang, (title, sentence) in SCRIPTS.items():
        body = "\n\n".join(sentence * 4 for _ in range(3))
        (root / "content" / "articles" / lang).mkdir(parents=True)
        (root / "content" / "articles" / lang / "visit.md").write_text(
            f"---\ntitle: \"{title}\"\ndate: 2025-11-26\nlang: {lang}\nsource: Wire {lang}\nslug: visit\n---\n\n{body}\n",
            encoding="utf-8")
    out = root / "public"
    build(root, out)
    return out




def key_pages(out: Path) -> dict[str, str]:
    """Name → site-relative URL: home, listings, an article per language, a story page, the search page."""
    pages = {"home": "", "language-index": "en/", "stories-index": "stories/", "archive": "archive/2025/11/"}
    pages.update({f"article-{lang}": url for lang, url in article_paths(out).items()})
    story = sorted(out.glob("stories/*/index.html"))
    assert story, "the sample has a story page"
    pages["story"] = story[0].parent.relative_to(out).as_posix() + "/"
    pages["search"] = "en/search/?q=Bishkek"
    return pages


@pytest.fixture(scope="module")
def served(sample_build: Path, scripts_build: Path) -> Iterator[dict[str, str]]:
    """Name → absolute URL of every key page of both builds, served on 127.0.0.1."""
    with serve_site(sample_build) as sample, serve_site(scripts_build) as scripts:
        urls = {name: sample + url for name, url in key_pages(sample_build).items()}
        urls.update({f"article-{lang}": scripts + url for lang, url in article_paths(scripts_build).items()
                     if lang in SCRIPTS})
        yield urls






# --- static checks ----------------------------------------------------------------------




@pytest.mark.java
def test_every_page_passes_the_nu_html_checker(java_path: str, sample_build: Path, scripts_build: Path) -> None:
    errors = nu_errors(java_path, sample_build, scripts_build)
    assert not errors, "\n".join(errors[:30])
    checked = len(list(sample_build.rglob("*.html"))) + len(list(scripts_build.rglob("*.html")))
    assert checked > 30


def test_no_live_reload_and_only_the_sites_own_scripts(sample_build: Path) -> None:
    for path in sample_build.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".css", ".xml", ".json", ".txt"}:
            assert b"livereload" not in path.read_bytes().lower(), path
    for path in sample_build.rglob("*.html"):
        for script in scan(path.read_text(encoding="utf-8")).all("script"):
            src = script.attrs.get("src")
            assert script.attrs.get("type") == "application/ld+json" or (src or "").startswith("/news-digest/static/"), (
                path, script.attrs)


# --- in the browser ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser, served: dict[str, str], scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = []
    page = open_page(browser, served["home"], scheme=scheme)
    for name, url in served.items():
        visit(page, url)
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                targets = [n["target"] for n in violation["nodes"]][:3]
                found.append(f"{name}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    page.close()
    assert not found, "\n".join(found)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_scroll_and_no_outside_request(browser, served: dict[str, str], width: int) -> None:
    page = open_page(browser, served["home"], width=width)
    for name, url in served.items():
        page.requested.clear()
        visit(page, url)
        page.wait_for_load_state("networkidle")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        hosts = {urlsplit(u).hostname for u in page.requested if not u.startswith("data:")}
        assert scroll <= inner, f"{name} scrolls sideways at {width} px ({scroll} > {inner})"
        assert hosts == {"127.0.0.1"}, f"{name} requested {hosts}"
    page.close()


@pytest.mark.browser
def test_keyboard_skip_link_focus_styles_and_language_switcher(browser, served: dict[str, str]) -> None:
    page = open_page(browser, served["home"])
    page.keyboard.press("Tab")
    first = page.evaluate("""() => { const el = document.activeElement, box = el.getBoundingClientRect();
        return {cls: el.className, top: box.top, height: box.height, outline: getComputedStyle(el).outlineStyle}; }""")
    assert first["cls"] == "skip-link" and first["top"] >= 0 and first["height"] > 10 and first["outline"] != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main" or page.url.endswith("#main")
    page.keyboard.press("Shift+Tab")  # back into the page from the top
    reached = False
    for _ in range(40):
        page.keyboard.press("Tab")
        state = page.evaluate("""() => { const el = document.activeElement, s = getComputedStyle(el);
            return {inSwitcher: !!el.closest('.lang-switcher'), tag: el.tagName,
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0}; }""")
        if state["tag"] in {"A", "BUTTON", "INPUT"}:
            assert state["outline"], f"a focused {state['tag']} shows no focus outline"
        if state["inSwitcher"]:
            reached = True
            break
    page.close()
    assert reached, "the language switcher is not reachable with Tab"


@pytest.mark.browser
def test_right_to_left_pages_mirror_and_cjk_wraps(browser, served: dict[str, str]) -> None:
    for lang in ("ar", "fa"):
        page = open_page(browser, served[f"article-{lang}"])
        gap_end, gap_start, direction = page.evaluate("""() => { const h = document.querySelector('h1');
            const range = document.createRange(); range.selectNodeContents(h);
            const text = range.getBoundingClientRect(), box = h.getBoundingClientRect();
            return [box.right - text.right, text.left - box.left, getComputedStyle(h).direction]; }""")
        assert direction == "rtl" and gap_end < 2 and gap_start > 20, (lang, gap_end, gap_start)
        page.close()
    for lang in ("zh", "ja"):
        page = open_page(browser, served[f"article-{lang}"], width=360)
        lines = page.evaluate("""() => { const p = document.querySelector('.article-body p');
            return Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight)); }""")
        assert lines > 3, f"{lang} text without spaces did not wrap"
        page.close()


@pytest.mark.browser
def test_story_summaries_side_by_side_when_wide_stacked_when_narrow(browser, served: dict[str, str]) -> None:
    tops = {}
    for width in WIDTHS:
        page = open_page(browser, served["story"], width=width)
        tops[width] = page.evaluate("[...document.querySelectorAll('.summary')].map(s => s.getBoundingClientRect().top)")
        page.close()
    assert len(tops[1280]) == 6  # three paragraphs in two languages, one row per paragraph
    assert tops[1280][0] == tops[1280][1] and tops[1280][2] == tops[1280][3] > tops[1280][0]
    assert tops[360][0] < tops[360][1] < tops[360][2]


@pytest.mark.browser
def test_pages_read_without_javascript(browser, served: dict[str, str]) -> None:
    context = browser.new_context(java_script_enabled=False)
    for name in ("home", "article-tr", "story"):
        page = context.new_page()
        page.goto(served[name])
        assert len(page.inner_text("main")) > 200, name
        page.close()
    context.close()


def _luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_timeline_colours_contrast_in_both_schemes(browser, served: dict[str, str], scheme: str) -> None:
    page = open_page(browser, served["story"], scheme=scheme)
    colours = page.evaluate("""() => {
        const rgb = (s) => s.match(/[\\d.]+/g).map(Number);
        const q = (sel, prop) => rgb(getComputedStyle(document.querySelector(sel))[prop]);
        return {bg: q('body', 'backgroundColor'), mark: q('.event', 'borderLeftColor'),
                label: q('.event-day', 'color'), date: q('.published', 'color')}; }""")
    page.close()
    assert contrast(colours["mark"], colours["bg"]) >= 3  # WCAG 1.4.11, graphics
    assert contrast(colours["label"], colours["bg"]) >= 4.5 and contrast(colours["date"], colours["bg"]) >= 4.5
