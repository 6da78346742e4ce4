"""Front pages and navigation (issue 18): story order, stable pagination, three-click reachability,
language indexes listing only their stories, and one new article re-rendering only the pages showing it."""

from __future__ import annotations

import re
from collections import deque
from datetime import date, timedelta
from pathlib import Path

from builder.model import Article, Decision, Site, SiteConfig, Story, StorySpec
from builder.render.listings import ARCHIVE_PAGE, INDEX_PAGE, listing_jobs, story_rank
from builder.render.pages import plan_site, run_jobs
from conftest import MakeSite
from helpers import run

CONFIG = """\
title: {en: Test}
base_url: https://example.org/
default_language: en
languages: [en, ru]
search: false
"""
LANGS = ("en", "tr", "uz")


def article(i: int, lang: str, day: date, source: str = "Wire") -> Article:
    return Article(path=f"content/articles/{lang}/a{i}.md", title=f"Title {i}", date=day, lang=lang, source=source,
                   slug=f"a{i}", body=b"<p>x</p>", words=2)


def story(sid: str, members: list[Article], start: date) -> Story:
    spec = StorySpec(path=f"content/clusters/{sid}/story.yaml", id=sid, title={"en": f"Story {sid}"}, start=start,
                     end=start + timedelta(days=2), entities=(),
                     summaries={"en": f"<p>First of {sid}.</p><p>Second.</p>", "ru": f"<p>Первый {sid}.</p>"})
    return Story(spec, tuple(Decision(a.path, "member", 1.0, (), (a.day,), "") for a in members), (), ())


def render(site: Site) -> dict[str, str]:
    renderer, jobs = plan_site(site, (listing_jobs,))
    outputs, problems = run_jobs(renderer, jobs)
    assert not problems
    return {o.path: o.data.decode() for o in outputs}


def stories_site(tmp_path: Path) -> Site:
    """Three stories: broad and recent, broad and a month old, narrow and recent."""
    config = SiteConfig(root=tmp_path, title={"en": "T"}, base_url="https://example.org/", default_language="en",
                        languages=("en", "ru"), search=False)
    now = date(2025, 11, 26)
    broad = [article(i, lang, now, f"Outlet {i}") for i, lang in enumerate(["en", "tr", "uz", "en", "tr"])]
    old = [article(10 + i, lang, now - timedelta(days=30), f"Outlet {i}") for i, lang in enumerate(["en", "tr", "uz", "en"])]
    narrow = [article(20 + i, "uz", now, "One outlet") for i in range(3)]
    stories = (story("old", old, now - timedelta(days=31)), story("narrow", narrow, now), story("broad", broad, now))
    return Site(config, tuple(broad + old + narrow), stories)


def titles(html: str) -> list[str]:
    return re.findall(r'<li class="story-card">\s*<h\d><a [^>]*>([^<]*)</a>', html)


def test_front_page_ranks_stories_by_breadth_and_recency(tmp_path: Path) -> None:
    site = stories_site(tmp_path)
    pages = render(site)
    assert titles(pages["index.html"]) == ["Story broad", "Story narrow", "Story old"]
    # the same order in the other interface language, with the summary's first paragraph in that language
    assert titles(pages["ru/home/index.html"]) == ["Story broad", "Story narrow", "Story old"]
    assert '<div class="story-card-summary" lang="ru" dir="ltr"><p>Первый broad.</p></div>' in pages["ru/home/index.html"]
    assert "Second." not in pages["index.html"]
    assert "5 outlets in 3 languages: English, Türkçe, o‘zbek" in pages["index.html"]
    # a story a week older counts half
    members = [a for a in site.articles if a.path.endswith(("/a0.md", "/a1.md"))]
    later = site.articles[0].date + timedelta(days=7)
    assert story_rank(members, later) == story_rank(members, site.articles[0].date) / 2


def test_a_language_index_lists_only_stories_with_coverage_in_it(tmp_path: Path) -> None:
    pages = render(stories_site(tmp_path))
    assert titles(pages["uz/index.html"]) == ["Story broad", "Story narrow", "Story old"]
    assert titles(pages["en/index.html"]) == ["Story broad", "Story old"]
    assert titles(pages["tr/index.html"]) == ["Story broad", "Story old"]


def many(tmp_path: Path, counts: dict[str, int]) -> Site:
    config = SiteConfig(root=tmp_path, title={"en": "T"}, base_url="https://example.org/", default_language="en",
                        languages=("en",), search=False)
    arts, i = [], 0
    for lang, count in counts.items():
        for k in range(count):
            arts.append(article(i, lang, date(2025, 1, 1) + timedelta(days=k)))
            i += 1
    return Site(config, tuple(arts))


def links(html: str, rel: str) -> list[str]:
    return re.findall(rf'<link rel="{rel}" href="([^"]*)">', html)


def test_language_index_pages_are_numbered_from_the_oldest_with_prev_and_next(tmp_path: Path) -> None:
    pages = render(many(tmp_path, {"en": 2 * INDEX_PAGE + 7}))
    assert {p for p in pages if p.startswith("en/page/")} == {"en/page/1/index.html", "en/page/2/index.html"}
    assert links(pages["en/index.html"], "next") == ["/en/page/2/"] and links(pages["en/index.html"], "prev") == []
    assert links(pages["en/page/2/index.html"], "prev") == ["/en/"]
    assert links(pages["en/page/2/index.html"], "next") == ["/en/page/1/"]
    assert links(pages["en/page/1/index.html"], "prev") == ["/en/page/2/"] and links(pages["en/page/1/index.html"], "next") == []
    assert "Title 0<" in pages["en/page/1/index.html"] and f"Title {INDEX_PAGE - 1}<" in pages["en/page/1/index.html"]
    assert f"Title {INDEX_PAGE}<" not in pages["en/page/1/index.html"]


def site_files(counts: dict[str, int], start: int = 0) -> dict[str, str]:
    """``counts`` articles per language, one a day from 1 January 2025 (so over several months)."""
    files = {}
    for lang, count in counts.items():
        for k in range(start, count):
            day = date(2025, 1, 1) + timedelta(days=k)
            files[f"content/articles/{lang}/n{k}.md"] = (f"---\ntitle: News {lang} {k}\ndate: {day}\nlang: {lang}\n"
                                                         f"source: Wire {k % 7}\n---\n\nText {k}.\n")
    return files


def build(site: Path, out: Path) -> str:
    result = run("build", "--site", str(site), "--out", str(out), "--no-search")
    assert result.returncode == 0, result.stderr
    return result.stdout


def rendered(line: str) -> int:
    found = re.search(r"rendered (\d+)", line)
    assert found, line
    return int(found.group(1))


def index_pages(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "en" / "page").rglob("index.html")}


def test_a_new_article_changes_only_the_front_pages(make_site: MakeSite, tmp_path: Path) -> None:
    count = 3 * INDEX_PAGE + 10  # a new article does not complete a page
    site, out = make_site(site_files({"en": count}), sample=False, config=CONFIG), tmp_path / "out"
    build(site, out)
    before = index_pages(out)
    assert len(before) == 3
    (site / f"content/articles/en/n{count}.md").write_text(site_files({"en": count + 1}, count)[f"content/articles/en/n{count}.md"],
                                                          encoding="utf-8")
    line = build(site, out)
    assert index_pages(out) == before  # later pages keep their bytes
    # the article's page, the two home pages, en/, its month, the site's month, two feeds, the sitemap
    assert rendered(line) <= 10, line


def test_a_new_article_completing_a_page_changes_the_page_before_it_only(make_site: MakeSite, tmp_path: Path) -> None:
    count = 3 * INDEX_PAGE - 1
    site, out = make_site(site_files({"en": count}), sample=False, config=CONFIG), tmp_path / "out"
    build(site, out)
    before = index_pages(out)
    (site / f"content/articles/en/n{count}.md").write_text(site_files({"en": count + 1}, count)[f"content/articles/en/n{count}.md"],
                                                          encoding="utf-8")
    build(site, out)
    after = index_pages(out)
    assert after.keys() - before.keys() == {"en/page/3/index.html"}
    assert after["en/page/1/index.html"] == before["en/page/1/index.html"]
    assert after["en/page/2/index.html"] != before["en/page/2/index.html"]  # its "newer" link: page 3, not en/


def test_every_article_is_within_three_clicks_of_the_home_page(make_site: MakeSite, tmp_path: Path) -> None:
    site, out = make_site(site_files({"en": 300, "tr": 200, "uz": 120}), sample=False, config=CONFIG), tmp_path / "out"
    build(site, out)
    articles = {p.relative_to(out).parent.as_posix() + "/" for p in out.glob("*/*/*/*/index.html")}
    assert len(articles) == 620
    depth = {"": 0}
    queue = deque([""])
    while queue:
        page = queue.popleft()
        if depth[page] == 3:
            continue
        html = (out / page / "index.html").read_text(encoding="utf-8")
        for href in re.findall(r'href="/([^"]*/)?"', html):
            if href not in depth and (out / href / "index.html").is_file():
                depth[href] = depth[page] + 1
                queue.append(href)
    assert articles <= depth.keys(), sorted(articles - depth.keys())[:5]


def test_each_month_archive_links_its_own_pages_and_names_its_month(tmp_path: Path) -> None:
    config = SiteConfig(root=tmp_path, title={"en": "T"}, base_url="https://example.org/", default_language="en",
                        languages=("en",), search=False)
    arts = [article(i, "en", date(2025, 1 + i % 2, 1 + i % 28)) for i in range(2 * ARCHIVE_PAGE + 40)]
    pages = render(Site(config, tuple(arts)))
    for month, name in (("01", "January"), ("02", "February")):
        first, second = pages[f"en/2025/{month}/index.html"], pages[f"en/2025/{month}/page/2/index.html"]
        assert f"{name} 2025 in English" in first and f"{name} 2025 in English" in second
        assert links(first, "next") == [f"/en/2025/{month}/page/2/"] and links(second, "prev") == [f"/en/2025/{month}/"]
        assert links(pages[f"archive/2025/{month}/index.html"], "next") == [f"/archive/2025/{month}/page/2/"]
