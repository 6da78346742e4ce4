"""Every language a first-class reader: no broken link for a language without story pages, English
fallback strings marked as English, names isolated from the page's direction (checked by where Chromium
draws them), and a language list that leads to this page in each language and folds on a narrow screen.

The site is the sample plus articles in languages outside ``languages``: three right-to-left ones with a
catalog (ar, fa, he), one without (Pashto), and a left-to-right pair (de, ja).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.commands.build import build
from builder.commands.check import check_site
from builder.errors import BuildError
from builder.lang import i18n
from conftest import MakeSite, write_site
from htmlscan import scan
from siteserver import serve_site

STORY = "putin-bishkek-2025-11"
EXTRA = {  # language → (title, sentence)
    "ar": ("بوتين في بيشكيك", "زار الرئيس الروسي فلاديمير بوتين بيشكيك يوم 26 نوفمبر 2025 والتقى الرئيس صادر جباروف."),
    "fa": ("پوتین در بیشکک", "ولادیمیر پوتین روز ۲۶ نوامبر ۲۰۲۵ به بیشکک سفر کرد و با صدر ژاپاروف دیدار کرد."),
    "he": ("פוטין בבישקק", "נשיא רוסיה ולדימיר פוטין ביקר בבישקק ב-26 בנובמבר 2025 ונפגש עם סדיר ז'פרוב."),
    "ps": ("پوتین په بیشکیک کې", "ولادیمیر پوتین د ۲۰۲۵ کال د نومبر په ۲۶ بیشکیک ته سفر وکړ او له صدر جاپاروف سره یې ولیدل."),
    "de": ("Putin in Bischkek", "Der russische Präsident Wladimir Putin besuchte am 26. November 2025 Bischkek."),
    "ja": ("プーチン氏がビシュケク訪問", "ロシアのプーチン大統領は2025年11月26日にビシュケクを訪れ、ジャパロフ大統領と会談した。"),
}
RTL = ("ar", "fa", "he", "ps")


def extra_files() -> dict[str, str]:
    """An article per EXTRA language, each made a member of the sample's story (``include``)."""
    files = {f"content/articles/{lang}/visit.md":
             f'---\ntitle: "{title}"\ndate: 2025-11-26\nlang: {lang}\nsource: Wire {lang}\nslug: visit\n---\n\n'
             + "\n\n".join([sentence * 3] * 3) + "\n" for lang, (title, sentence) in EXTRA.items()}
    return files


def include_all(root: Path) -> None:
    story = root / "content" / "clusters" / STORY / "story.yaml"
    members = "".join(f"  - content/articles/{lang}/visit.md\n" for lang in EXTRA)
    story.write_text(story.read_text(encoding="utf-8") + "include:\n" + members, encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("languages") / "site", extra_files())
    include_all(root)
    return root


@pytest.fixture(scope="module")
def out(site: Path) -> Path:
    return build(site, site / "public", search=False, use_cache=False).out


def page(out: Path, url: str) -> str:
    return (out / url / "index.html").read_text(encoding="utf-8")


# --- links ------------------------------------------------------------------------------------


def test_languages_without_story_pages_link_the_default_story_page(site: Path, out: Path) -> None:
    for lang in EXTRA:
        assert not (out / "stories" / STORY / lang).exists()
        for url in (f"{lang}/2025/11/visit", lang):
            links = [a for a in scan(page(out, url)).all("a") if f"/stories/{STORY}/" in a.attrs.get("href", "")]
            assert links, (lang, url)
            for a in links:
                assert a.attrs["href"] == f"/news-digest/stories/{STORY}/" and a.attrs["hreflang"] == "en", (url, a)
    assert "no problems" in str(check_site(site))


def test_build_fails_on_a_broken_link_naming_the_template_line(make_site: MakeSite) -> None:
    root = make_site(extra_files())
    build(root, root / "public", search=False, use_cache=False)
    before = {p: p.read_bytes() for p in (root / "public").rglob("*.html")}
    base = root / "templates" / "base.html"
    lines = base.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, 1) if '<a href="{{ home_url }}">' in line)
    base.write_text(base.read_text(encoding="utf-8").replace('<a href="{{ home_url }}">', '<a href="{{ home_url }}gone/">'),
                    encoding="utf-8")
    with pytest.raises(BuildError) as failed:
        build(root, root / "public", search=False)
    text = str(failed.value)
    assert f"templates/base.html:{number}:" in text and "broken link '/news-digest/gone/'" in text, text
    assert {p: p.read_bytes() for p in (root / "public").rglob("*.html")} == before  # nothing published


# --- direction and fallback marking in the markup ---------------------------------------------


def test_fallback_strings_are_marked_english_only_without_a_catalog(out: Path) -> None:
    assert not i18n.has_catalog("ps") and all(i18n.has_catalog(lang) for lang in ("ar", "fa", "he"))
    for lang in EXTRA:
        doc = scan(page(out, f"{lang}/2025/11/visit"))
        labels = doc.all("dt")
        assert len(labels) >= 4
        for dt in labels:
            marked = (dt.attrs.get("lang"), dt.attrs.get("dir")) == ("en", "ltr")
            assert marked == (lang == "ps"), (lang, doc.text_of(dt), dt.attrs)
        if lang != "ps":
            assert "Published" not in doc.text and "Part of the story" not in doc.text, lang


def test_inserted_names_are_isolated(out: Path) -> None:
    doc = scan(page(out, "ar/2025/11/visit"))
    assert "English" in [doc.text_of(s) for s in doc.all("span", lang="en", dir="ltr")]
    assert "EIN Presswire" in [doc.text_of(b) for b in doc.all("bdi")]
    for dd in doc.all("dd"):
        assert dd.attrs.get("dir") or not set(doc.text_of(dd)) & set("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), dd.attrs
    home = scan(page(out, ""))
    assert "Wire ar" in [home.text_of(b) for b in home.all("bdi")]
    assert "العربية" in [home.text_of(s) for s in home.all("span", lang="ar", dir="rtl")]


def test_index_title_word_order_comes_from_the_catalog(out: Path) -> None:
    arabic, pashto = scan(page(out, "ar")), scan(page(out, "ps"))
    assert arabic.text_of(arabic.one("h1")) == "مقالات باللغة العربية" and not arabic.one("h1").attrs
    assert "العربية" in [arabic.text_of(b) for b in arabic.all("bdi", lang="ar")]  # the name isolated
    assert pashto.text_of(pashto.one("h1")) == "Articles in پښتو"
    assert pashto.one("h1").attrs == {"lang": "en", "dir": "ltr"} and pashto.all("bdi", lang="ps")


def test_404_shows_each_text_once_in_its_own_direction(out: Path) -> None:
    doc = scan((out / "404.html").read_text(encoding="utf-8"))
    blocks = doc.all("section")
    texts = [doc.text_of(b) for b in blocks]
    assert len(texts) == len(set(texts)) and sum("does not exist" in t for t in texts) == 1
    for block in blocks:
        lang = block.attrs["lang"]
        assert i18n.has_catalog(lang) and block.attrs["dir"] == i18n.language(lang).direction
    assert {"ar", "fa", "he"} <= {b.attrs["lang"] for b in blocks} and "ps" not in {b.attrs["lang"] for b in blocks}


# --- the language list --------------------------------------------------------------------------


def switcher(html: str) -> list[tuple[str, str]]:
    """(URL, language) of each entry of the language list, in order."""
    nav = html[html.index('<nav class="lang-switcher"'):]
    return [(a.attrs["href"], a.attrs["lang"]) for a in scan(nav[:nav.index("</nav>")]).all("a")]


def test_language_list_leads_to_this_page_in_each_language(site: Path, out: Path) -> None:
    interface = ["en", "ru", "tr", "uz", "ky", "vi"]
    story = switcher(page(out, f"stories/{STORY}/ru"))
    assert [lang for _, lang in story[:len(interface)]] == interface
    assert story[0][0] == f"/news-digest/stories/{STORY}/"
    assert story[1][0] == f"/news-digest/stories/{STORY}/ru/"
    assert all(url == f"/news-digest/{lang}/" for url, lang in story[len(interface):])
    article = switcher(page(out, "de/2025/11/visit"))
    assert article[0] == ("/news-digest/de/2025/11/visit/", "de")
    assert all(url == f"/news-digest/{lang}/" for url, lang in article[1:])
    assert {lang for _, lang in article} == {"de", *EXTRA, *interface} - {"ru"}  # no Russian article: no index


def test_story_page_puts_the_readers_summary_first(out: Path) -> None:
    for lang, first in (("ru", "ru"), ("en", "en"), ("tr", "en")):
        url = f"stories/{STORY}" + ("" if lang == "en" else f"/{lang}")
        summaries = [s.attrs["lang"] for s in scan(page(out, url)).all("div") if "summary" == s.attrs.get("class")]
        assert summaries[0] == first and sorted(set(summaries)) == ["en", "ru"], (lang, summaries)  # row by row


# --- in Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(out: Path) -> Iterator[str]:
    with serve_site(out) as root:
        yield root


BOXES = """() => {
  const box = el => el.getBoundingClientRect();
  const textBox = el => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect(); };
  const rows = [...document.querySelectorAll('.article-meta > div')].map(div => {
    const dt = div.querySelector('dt'), dd = div.querySelector('dd');
    return {dt: box(dt), text: textBox(dt), dd: box(dd), dir: getComputedStyle(dt).direction,
            colon: getComputedStyle(dt, '::after').content};
  });
  const h2 = document.querySelector('.story-box h2');
  const label = h2.querySelector('span'), link = h2.querySelector('a');
  const colon = [...h2.childNodes].find(n => n.nodeType === 3 && n.textContent.includes(':'));
  const r = document.createRange(); r.selectNodeContents(colon);
  return {rows, label: box(label), link: box(link), colon: r.getBoundingClientRect(),
          labelDir: getComputedStyle(label).direction};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("lang", RTL)
def test_rtl_article_reads_label_colon_value_right_to_left(browser, served: str, lang: str) -> None:
    """In a right-to-left page the label is right of its value and the colon sits between them; an English
    fallback label keeps its colon at its own end ("Published:"), the whole label still right of the value."""
    page_ = browser.new_page(viewport={"width": 1280, "height": 800})
    page_.goto(served + f"{lang}/2025/11/visit/")
    found = page_.evaluate(BOXES)
    page_.close()
    english = lang == "ps"
    for row in found["rows"]:
        assert row["dt"]["left"] >= row["dd"]["right"] - 1, (lang, row)  # label right of value
        assert row["colon"] == '":"'
        colon_left = row["text"]["left"] - row["dt"]["left"]  # room the ::after colon takes on each side
        colon_right = row["dt"]["right"] - row["text"]["right"]
        if english:
            assert row["dir"] == "ltr" and colon_right > 1 and colon_left < 1, row
        else:
            assert row["dir"] == "rtl" and colon_left > 1 and colon_right < 1, row
    # "Part of the story: <title>" — label rightmost, then the colon, then the (isolated) title
    assert found["label"]["left"] >= found["link"]["right"] - 1, found
    assert found["link"]["right"] - 1 <= found["colon"]["left"] and found["colon"]["right"] <= found["label"]["left"] + 1, found
    assert found["labelDir"] == ("ltr" if english else "rtl")


@pytest.mark.browser
def test_story_box_names_do_not_interleave_at_360(browser, served: str) -> None:
    """An English headline, its language name and its outlet on an Arabic page: on every line they share,
    in reading order from the right (headline, then language name, then outlet), never mixed."""
    page_ = browser.new_page(viewport={"width": 360, "height": 800})
    page_.goto(served + "ar/2025/11/visit/")
    rows = page_.evaluate("""() => [...document.querySelectorAll('.cross-links li')].map(li => {
        const a = li.querySelector('a'), meta = li.querySelector('.meta');
        const rects = el => [...el.getClientRects()].map(r => ({top: Math.round(r.top), left: r.left, right: r.right}));
        return {lang: a.lang, pieces: [rects(a), rects(meta.querySelector('span')), rects(meta.querySelector('bdi'))]}; })""")
    page_.close()
    english = [r for r in rows if r["lang"] == "en"]
    assert english
    for row in english:
        lines: dict[int, list[tuple[int, dict]]] = {}
        for order, rects in enumerate(row["pieces"]):
            for rect in rects:
                lines.setdefault(rect["top"] // 4, []).append((order, rect))
        for line in lines.values():  # right to left, the pieces come in order: 0, 0, 1, 2, 2
            seen = [order for order, _ in sorted(line, key=lambda item: -item[1]["right"])]
            assert seen == sorted(seen), (row, line)


VISIBLE = "[...document.querySelectorAll('.lang-switcher li')].filter(li => li.checkVisibility()).length"


@pytest.mark.browser
@pytest.mark.parametrize("url", ["", f"stories/{STORY}/", "ar/2025/11/visit/", "de/2025/11/visit/"])
def test_content_starts_within_400px_at_360_and_the_list_shows_when_wide(browser, served: str, url: str) -> None:
    narrow = browser.new_page(viewport={"width": 360, "height": 780}, java_script_enabled=False)
    narrow.goto(served + url)
    top, shown = narrow.evaluate(f"() => [document.querySelector('main h1').getBoundingClientRect().top, {VISIBLE}]")
    assert top < 400 and shown == 0, (url, top, shown)
    narrow.click(".lang-menu > summary")  # opens without script
    assert narrow.evaluate(VISIBLE) > 5
    narrow.close()
    wide = browser.new_page(viewport={"width": 1280, "height": 800})
    wide.goto(served + url)
    visible = wide.evaluate(VISIBLE)
    assert visible == wide.locator(".lang-switcher li").count() > 5
    assert not wide.is_visible(".lang-menu > summary")
    wide.close()


def test_a_broken_link_in_an_article_is_a_warning_and_an_error_under_strict(make_site: MakeSite, tmp_path: Path) -> None:
    """Third-party text keeps its outlet's relative links (``<img src=x>``): the editor is told where, and
    ``--strict`` refuses to publish it; a broken link the theme makes is always an error (above)."""
    from helpers import run

    site = make_site({"content/articles/en/rel.md": "---\ntitle: Relative\ndate: 2025-11-20\nlang: en\nsource: EIN Presswire\n"
                                                     "---\n\nSee [the archive](/politics/123) and more.\n"})
    lenient = run("build", "--site", str(site), "--out", str(tmp_path / "a"), "--no-search")
    assert lenient.returncode == 0 and "content/articles/en/rel.md:8:19:" in lenient.stderr, lenient.stderr
    assert "warning: broken link '/politics/123'" in lenient.stderr
    strict = run("build", "--site", str(site), "--out", str(tmp_path / "b"), "--no-search", "--strict")
    assert strict.returncode == 1 and "Build failed with 1 error" in strict.stderr, strict.stderr
    assert "broken link '/politics/123'" in strict.stderr
