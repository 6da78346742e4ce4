"""Atom feeds, sitemap.xml and robots.txt: valid, stable, complete, and cheap at scale."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import pytest

from builder.lang import i18n
from builder.commands.build import STEPS, build
from builder.render.listings import listing_pages
from builder.render.feeds import FEED_ENTRIES, atom_time, feed_jobs, sitemap_jobs
from builder.model import Article, Site, SiteConfig
from builder.render.pages import plan_site, run_jobs
from conftest import REPO, MakeSite
from htmlscan import scan

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
CONFIG = """
title: Test Digest
base_url: https://example.org/digest/
default_language: en
languages: [en, ru]
{extra}
"""


def article_file(slug: str, lang: str, day: str, title: str | None = None) -> tuple[str, str]:
    return (f"content/articles/{lang}/{slug}.md",
            f"---\ntitle: \"{title or slug}\"\ndate: {day}\nlang: {lang}\nsource: Daily {lang}\n---\n\nBody of {slug}.\n")


def site_with(make_site: MakeSite, articles: list[tuple[str, str]], extra: str = "") -> Path:
    return make_site(dict(articles), sample=False, config=CONFIG.format(extra=extra))


def parse(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
    return feed


def html_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html")}


# --- the sample build -----------------------------------------------------------


def test_every_feed_is_valid_atom_in_its_language(sample_build: Path) -> None:
    languages = {p.parent.name for p in (REPO / "content" / "articles").glob("*/*.md")}
    site = parse(sample_build / "feed.xml")
    assert site.feed.language == "en"
    assert {e.title_detail.language for e in site.entries} == languages
    assert site.feed.updated_parsed == max(e.updated_parsed for e in site.entries)
    for lang in languages:
        feed = parse(sample_build / lang / "feed.xml")
        assert feed.feed.language == lang
        assert i18n.language(lang).endonym in feed.feed.title
        assert feed.entries, lang
        for entry in feed.entries:
            assert entry.title_detail.language == lang
            assert entry.link.startswith(f"https://newsdigest.github.io/news-digest/{lang}/")
            assert entry.id == entry.link  # ids are the page URLs: the same in every build


def test_story_feed_lists_the_story_members_newest_first(sample_build: Path) -> None:
    stories = sorted((sample_build / "stories").glob("*/feed.xml"))
    assert stories, "the sample has a story, so it has a story feed"
    feed = parse(stories[0])
    assert len(feed.entries) >= 2
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True)
    assert feed.feed.updated_parsed == max(updated)


def test_a_date_only_article_keeps_its_day(sample_build: Path) -> None:
    feed = parse(sample_build / "en" / "feed.xml")
    entry = feed.entries[0]  # dated 2025-11-26 with no time
    assert entry.updated.startswith("2025-11-26T")
    moment = datetime.fromisoformat(entry.updated.replace("Z", "+00:00"))
    for hours in range(-12, 12):
        assert moment.astimezone(timezone(timedelta(hours=hours))).date() == date(2025, 11, 26)


@pytest.mark.parametrize("moment, text", [
    (date(2025, 11, 26), "2025-11-26T12:00:00Z"),
    (date(1, 1, 1), "0001-01-01T12:00:00Z"),
    (datetime(2025, 11, 26, 14, 41, tzinfo=timezone(timedelta(hours=3))), "2025-11-26T14:41:00+03:00"),
    (datetime(2025, 11, 26, 23, 30, tzinfo=timezone.utc), "2025-11-26T23:30:00Z"),
])
def test_atom_time(moment: date, text: str) -> None:
    assert atom_time(moment) == text


def test_pages_link_their_feeds_and_the_links_resolve(sample_build: Path) -> None:
    for rel in ["index.html", "tr/index.html", *(p.relative_to(sample_build).as_posix()
                                                 for p in sample_build.glob("stories/*/index.html"))]:
        page = scan((sample_build / rel).read_text(encoding="utf-8"))
        feeds = [e.attrs["href"] for e in page.all("link", type="application/atom+xml")]
        assert feeds, rel
        for href in feeds:
            assert (sample_build / href.removeprefix("/news-digest/")).is_file(), (rel, href)
        if rel.startswith("stories/"):
            assert any(h.endswith(rel.replace("index.html", "feed.xml")) for h in feeds)


def test_sitemap_lists_every_page_with_its_language_versions(sample_build: Path) -> None:
    root = ET.parse(sample_build / "sitemap.xml").getroot()
    base = "https://newsdigest.github.io/news-digest/"
    urls = {u.find(f"{SM}loc").text: u for u in root.iter(f"{SM}url")}
    expected = {base + p.removesuffix("index.html") for p in html_files(sample_build) - {"404.html"}}
    assert set(urls) == expected
    article = next(u for loc, u in urls.items() if "/en/2025/11/" in loc)
    assert article.find(f"{SM}lastmod").text == "2025-11-26"
    story = next(loc for loc in urls if "/stories/" in loc)
    versions = {link.get("hreflang"): link.get("href") for link in urls[story].iter(f"{XHTML}link")}
    assert {"en", "ru", "tr"} <= set(versions)
    for href in versions.values():  # each version lists the others: the group is reciprocal
        assert {link.get("href") for link in urls[href].iter(f"{XHTML}link")} == set(versions.values())
    robots = (sample_build / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {base}sitemap.xml" in robots.splitlines()


# --- scratch sites --------------------------------------------------------------


def test_feeds_and_sitemap_are_byte_identical_across_builds(make_site: MakeSite, tmp_path: Path) -> None:
    site = site_with(make_site, [article_file("a", "en", "2025-01-02"), article_file("b", "ru", "2025-01-03T10:00:00+05:00")])
    outputs = []
    for name in ("one", "two"):
        build(site, tmp_path / name, search=False)
        outputs.append({p: (tmp_path / name / p).read_bytes() for p in ("feed.xml", "en/feed.xml", "ru/feed.xml", "sitemap.xml")})
    assert outputs[0] == outputs[1]
    ru = parse(tmp_path / "one" / "ru" / "feed.xml")
    assert ru.feed.updated == "2025-01-03T10:00:00+05:00" and ru.entries[0].title == "b"


def test_feeds_keep_the_newest_entries_only(make_site: MakeSite, tmp_path: Path) -> None:
    start = date(2024, 1, 1)
    files = [article_file(f"n{i:03d}", "en", (start + timedelta(days=i)).isoformat()) for i in range(FEED_ENTRIES + 10)]
    build(site_with(make_site, files), tmp_path / "out", search=False)
    feed = parse(tmp_path / "out" / "feed.xml")
    assert len(feed.entries) == FEED_ENTRIES
    assert feed.entries[0].title == f"n{FEED_ENTRIES + 9:03d}" and feed.entries[-1].title == "n010"


def test_feeds_false_and_sitemap_false_are_honoured(make_site: MakeSite, tmp_path: Path) -> None:
    site = site_with(make_site, [article_file("a", "en", "2025-01-02")], "feeds: false\nsitemap: false")
    out = tmp_path / "out"
    build(site, out, search=False)
    assert not list(out.rglob("*.xml"))
    assert "Sitemap" not in (out / "robots.txt").read_text(encoding="utf-8")
    page = scan((out / "index.html").read_text(encoding="utf-8"))
    assert not page.all("link", type="application/atom+xml")


def test_feed_jobs_name_the_inputs_that_change_them(make_site: MakeSite) -> None:
    from builder.commands.build import load_site

    site = site_with(make_site, [article_file("a", "en", "2025-01-02"), article_file("b", "ru", "2025-01-03")])
    loaded, _ = load_site(site)
    _, jobs = plan_site(loaded, (feed_jobs, sitemap_jobs))
    deps = {job.path: job.deps for job in jobs}
    assert {"list:ru", "entry:content/articles/ru/b.md"} <= deps["ru/feed.xml"]
    assert "content/articles/en/a.md" not in deps["ru/feed.xml"]
    assert {"list:*", "entry:content/articles/en/a.md", "entry:content/articles/ru/b.md"} <= deps["feed.xml"]
    assert "list:*" in deps["sitemap.xml"] and "site.yaml" in deps["robots.txt"]


def test_feeds_and_sitemap_at_ten_thousand_articles(tmp_path: Path) -> None:
    """The feeds keep their newest entries and the sitemap lists every page (its speed is measured in bench/)."""
    config = SiteConfig(root=tmp_path, title={"en": "Big"}, base_url="https://example.org/", default_language="en",
                        languages=("en",), search=False)
    langs = ("en", "tr", "uz", "ky", "vi")
    articles = tuple(Article(path=f"content/articles/{i}.md", title=f"Title {i}", date=date(2020, 1, 1) + timedelta(days=i % 2000),
                             lang=langs[i % 5], source="Wire", slug=f"a{i}", body=b"<p>x</p>", words=2)
                     for i in range(10_000))
    renderer, jobs = plan_site(Site(config, articles), (feed_jobs, sitemap_jobs))
    outputs, problems = run_jobs(renderer, jobs)
    assert not problems
    by_path = {o.path: o.data for o in outputs}
    assert len(feedparser.parse(by_path["feed.xml"]).entries) == FEED_ENTRIES
    listings = listing_pages(renderer)  # home, stories index, language indexes and their pages, month archives
    assert by_path["sitemap.xml"].count(b"<url>") == 10_000 + len(listings)
    assert all(f"<loc>https://example.org/{lang}/page/40/</loc>".encode() in by_path["sitemap.xml"] for lang in langs)
    assert {feed_jobs, sitemap_jobs} <= set(STEPS)  # the build runs the steps measured here


FORBIDDEN = "\uffff\ufffe\x85\x9b\ufdd0\U0010ffff"  # noncharacters, C1 controls: pasted from PDFs and web pages


def test_every_feed_parses_when_bodies_and_summaries_carry_characters_xml_forbids(make_site: MakeSite,
                                                                                 tmp_path: Path) -> None:
    """U+FFFF in one body made feed.xml unreadable to every XML parser while the build said it succeeded:
    bodies and summaries lose such characters, with a warning at their line, and every feed parses."""
    files = dict([article_file("a", "en", "2025-11-20"), article_file("b", "ru", "2025-11-21")])
    files = {path: text.replace("Body of", f"Bishkek{FORBIDDEN} body of") for path, text in files.items()}
    files |= {
        "content/entities.yaml": "Bishkek:\n  kind: place\n  aliases: [Bishkek, Бишкек]\n",
        "content/clusters/s1/story.yaml": "title: {en: Bishkek, ru: Бишкек}\nwindow: {start: 2025-11-19, end: "
                                          "2025-11-22}\nentities: [Bishkek]\n",
        "content/clusters/s1/summary.en.md": f"About{FORBIDDEN} Bishkek.\n",
        "content/clusters/s1/summary.ru.md": f"О{FORBIDDEN} Бишкеке.\n",
    }
    out = tmp_path / "out"
    report = build(site_with(make_site, list(files.items())), out, search=False)
    feeds = {p.relative_to(out).as_posix(): p for p in out.rglob("*.xml")}
    assert {"feed.xml", "en/feed.xml", "ru/feed.xml", "stories/s1/feed.xml"} <= feeds.keys()
    for name, path in feeds.items():
        ET.parse(path)  # expat refuses U+FFFF and U+FFFE anywhere in a document
        if name.endswith("feed.xml"):
            parse(path)  # and feedparser's strict parser: no bozo
    for path in out.rglob("*"):
        if path.suffix in {".html", ".xml", ".json"}:
            text = path.read_text(encoding="utf-8")
            assert not set(FORBIDDEN) & set(text), path
    assert "Bishkek body of b" in (out / "ru" / "feed.xml").read_text(encoding="utf-8")
    assert sorted((w.path, w.line) for w in report.warnings if "invisible characters" in w.message) == [
        ("content/articles/en/a.md", 8), ("content/articles/ru/b.md", 8),
        ("content/clusters/s1/summary.en.md", 1), ("content/clusters/s1/summary.ru.md", 1)]
