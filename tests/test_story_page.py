"""The story page, the cross-links on article pages, and api/clusters.json, on the built sample site."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from builder.lang import i18n
from htmlscan import Page, scan

STORY = "putin-bishkek-2025-11"
MEMBER_LANGS = {"en", "tr", "uz", "vi"}


def page(out: Path, path: str) -> Page:
    return scan((out / path / "index.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def export(sample_build: Path) -> dict:
    (listed,) = json.loads((sample_build / "api/clusters.json").read_text(encoding="utf-8"))["stories"]
    assert listed["api"] == f"/news-digest/api/stories/{STORY}.json" and listed["members"] == len(MEMBER_LANGS)
    return json.loads((sample_build / f"api/stories/{STORY}.json").read_text(encoding="utf-8"))


def test_export_schema(export: dict) -> None:
    assert export["id"] == STORY and export["title"]["en"] and export["title"]["ru"]
    assert {m["lang"] for m in export["members"]} == MEMBER_LANGS
    assert [b["lang"] for b in export["background"]] == ["ky"]
    for item in export["members"] + export["background"]:
        assert item["path"].startswith("content/articles/") and item["url"].startswith("/news-digest/")
        assert {"lang", "title", "source", "date", "evidence"} <= item.keys()
        assert {"score", "mentions", "dates", "reason"} <= item["evidence"].keys()
    for fact in export["facts"]:
        assert isinstance(fact["value"], (int, float)) and fact["unit"] and isinstance(fact["conflict"], bool)
        assert all({"path", "text"} <= m.keys() for m in fact["mentions"])


def test_story_page_shows_what_the_export_says(sample_build: Path, export: dict) -> None:
    story = page(sample_build, f"stories/{STORY}")
    assert story.one("html").attrs["lang"] == "en"
    member_links = {a.attrs["href"] for a in story.all("a", **{"class": "article-title"})}
    assert {m["url"] for m in export["members"]} | {b["url"] for b in export["background"]} == member_links
    for item in export["members"]:
        (link,) = story.all("a", href=item["url"], class_="article-title")
        assert link.attrs["lang"] == item["lang"] and link.attrs["hreflang"] == item["lang"]
        assert story.text_of(link) == item["title"]
    rows = story.all("tr")[1:]
    assert len(rows) == len(export["facts"])
    quoted = [story.text_of(q) for q in story.all("q")]
    for fact in export["facts"]:
        assert all(m["text"] in quoted for m in fact["mentions"])
    assert sum("conflict" in r.attrs.get("class", "") for r in rows) == sum(f["conflict"] for f in export["facts"])


def summary_blocks(p: Page) -> list:
    return [d for d in p.all("div") if "summary" in d.attrs.get("class", "").split()]


def test_bilingual_summary_aligned_by_paragraph(sample_build: Path) -> None:
    """One row per paragraph, a cell per language: the figures paragraph sits beside its translation."""
    story = page(sample_build, f"stories/{STORY}")
    rows = [d for d in story.all("div") if d.attrs.get("class") == "summary-row"]
    blocks = summary_blocks(story)
    assert len(rows) == 3 and [b.attrs["lang"] for b in blocks] == ["en", "ru"] * 3
    en, ru = story.text_of(blocks[2]), story.text_of(blocks[3])
    assert "$4.1 billion" in en and "4,1 млрд" in ru and "Бишкек" in story.text_of(blocks[1])


def test_summary_in_the_readers_language_first(sample_build: Path) -> None:
    assert [b.attrs["lang"] for b in summary_blocks(page(sample_build, f"stories/{STORY}/ru"))][:2] == ["ru", "en"]
    assert [b.attrs["lang"] for b in summary_blocks(page(sample_build, f"stories/{STORY}/tr"))][:2] == ["en", "ru"]


def test_key_figures_in_the_readers_conventions(sample_build: Path) -> None:
    tr = page(sample_build, f"stories/{STORY}/tr").text
    en = page(sample_build, f"stories/{STORY}").text
    assert i18n.format_quantity(13.6, "%", "tr") in tr and "%13,6" in tr
    assert "13.6%" in en and "1,800" in en and "1,700" in en


def test_story_page_language_versions_are_alternates(sample_build: Path) -> None:
    versions = {"en": f"stories/{STORY}", **{code: f"stories/{STORY}/{code}" for code in ("ru", "tr", "uz", "ky", "vi")}}
    for code, path in versions.items():
        p = page(sample_build, path)
        assert p.one("html").attrs["lang"] == code
        alternates = {link.attrs["hreflang"] for link in p.all("link", rel="alternate") if "hreflang" in link.attrs
                      and link.attrs.get("type") is None}
        assert alternates == set(versions)


def test_members_link_the_story_and_each_other(sample_build: Path, export: dict) -> None:
    urls = {m["lang"]: m["url"] for m in export["members"]}
    for item in export["members"]:
        article = scan((sample_build / item["url"].removeprefix("/news-digest/") / "index.html").read_text(encoding="utf-8"))
        story_urls = {a.attrs["href"] for a in article.all("a") if f"/stories/{STORY}/" in a.attrs.get("href", "")}
        assert story_urls, item["url"]
        # the page's own link is its entry in the language list (aria-current), not a cross-link
        cross = {a.attrs["href"]: a for a in article.all("a")
                 if a.attrs.get("href") in urls.values() and "aria-current" not in a.attrs}
        assert set(cross) == set(urls.values()) - {item["url"]}
        for link in cross.values():
            assert link.attrs["lang"] == link.attrs["hreflang"] and i18n.language(link.attrs["lang"]).endonym in article.text
        # outlets' articles are not translations of each other
        assert not [link for link in article.all("link", rel="alternate") if link.attrs.get("hreflang")
                    and "/stories/" not in link.attrs["href"] and "feed" not in link.attrs["href"]]


def test_background_links_the_story_as_related(sample_build: Path, export: dict) -> None:
    (item,) = export["background"]
    article = scan((sample_build / item["url"].removeprefix("/news-digest/") / "index.html").read_text(encoding="utf-8"))
    related = i18n.translations("ky").gettext("Related story")
    assert related in article.text and related != "Related story"
    assert any(f"/stories/{STORY}/" in a.attrs.get("href", "") for a in article.all("a"))


@pytest.mark.parametrize("path", ["", "en", "tr", "uz", "ky", "vi"])
def test_indexes_list_the_story(sample_build: Path, path: str) -> None:
    """Home and the indexes of the languages covering it; ky's article is only background."""
    listed = any(f"/stories/{STORY}/" in a.attrs.get("href", "") for a in page(sample_build, path).all("a"))
    assert listed == (path != "ky")


def test_long_background_is_capped_nearest_first(make_site, tmp_path: Path) -> None:
    """A story followed for years gathers thousands of background articles: its page lists the
    ones dated nearest the story, says how many more there are, and the API export lists all."""
    from builder.render.stories import BACKGROUND_SHOWN
    from helpers import run

    extra = BACKGROUND_SHOWN + 7
    files = {f"content/articles/en/moscow-{i:02d}.md": f"""\
        ---
        title: Putin and Japarov in Moscow, part {i}
        date: 2025-{1 + i % 10:02d}-{1 + i:02d}
        lang: en
        source: Example Wire
        ---

        Vladimir Putin and Sadyr Japarov discussed the CSTO in Moscow, far from Bishkek's agenda.
        """ for i in range(extra)}
    site = make_site(files)
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 0, result.stderr
    out = site / "public"
    story = json.loads((out / "api/stories/putin-bishkek-2025-11.json").read_text(encoding="utf-8"))
    background = story["background"]
    assert len(background) > BACKGROUND_SHOWN
    html = (out / f"stories/{story['id']}/index.html").read_text(encoding="utf-8")
    shown = [b for b in background if b["url"] in html]
    assert len(shown) == BACKGROUND_SHOWN
    assert f"and {len(background) - BACKGROUND_SHOWN} more background articles" in html
    start = story["window"]["start"]
    nearest = sorted(background, key=lambda b: abs((date.fromisoformat(b["date"][:10]) - date.fromisoformat(start)).days))
    nearest = nearest[:BACKGROUND_SHOWN]
    assert {b["url"] for b in shown} == {b["url"] for b in nearest}
