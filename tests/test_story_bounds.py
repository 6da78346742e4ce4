"""A story of hundreds of members and background articles keeps a bounded page (issue 19): each list shows its
strongest few and counts the rest, linking to complete numbered pages that list every article exactly once."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from builder.render.pages import OTHERS_SHOWN, strongest
from builder.render.stories import MENTIONS_SHOWN
from builder.render.story_layout import REPORT_SHOWN
from builder.render.story_lists import BACKGROUND_SHOWN, COVERAGE_SHOWN, LIST_PAGE
from builder.render.timeline import EVENT_SHOWN, PUBLISHED_SHOWN
from conftest import write_site
from helpers import run
from htmlscan import Page, scan
from pagecheck import nu_errors

STORY = "putin-bishkek-2025-11"
MEMBERS, BACKGROUND = 260, 240
STORY_PAGE_TARGET = 100_000  # bytes: the story page's size target at any number of articles (README)
PAGE_BUDGET = 200_000  # bytes: every generated page (bench/bench.py, issue 18)
API_TARGET = 200_000  # bytes: api/stories/<id>.json, and each of its numbered files, at any number of articles


def member(i: int) -> str:
    """One dispatch of a wire story, in English or Turkish, by one of 40 outlets: all carry one report."""
    return (f"---\ntitle: Putin and Japarov in Bishkek, dispatch {i}\ndate: 2025-11-{25 + i % 4:02d}\n"
            f"lang: {('en', 'tr')[i % 2]}\nsource: Outlet {i % 40}\n---\n\nVladimir Putin arrived in Bishkek on "
            f"25 November 2025 for talks with Sadyr Japarov, dispatch {i} reports, ahead of the CSTO summit on "
            f"27 November 2025.\n\nTrade between the two countries reached $4.1 billion, officials told reporter {i}.\n")


def background(i: int) -> str:
    """Earlier reporting naming the story's people, out of its window."""
    return (f"---\ntitle: Talks in Bishkek, part {i}\ndate: 2025-{i % 9 + 1:02d}-{i % 27 + 1:02d}\nlang: en\n"
            f"source: Wire {i % 7}\n---\n\nVladimir Putin and Sadyr Japarov met in Bishkek for round {i}.\n\n"
            f"Officials of the CSTO attended session {i}.\n")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site with hundreds of the story's members and background articles, built (which checks
    every internal link: a broken "more" or pager link fails it)."""
    root = tmp_path_factory.mktemp("big")
    files = {f"content/articles/x/dispatch-{i}.md": member(i) for i in range(MEMBERS)}
    files |= {f"content/articles/en/bg/talks-{i}.md": background(i) for i in range(BACKGROUND)}
    site = write_site(root / "site", files)
    result = run("build", "--site", str(site), "--no-search")
    assert result.returncode == 0, result.stderr
    return site / "public"


def read(out: Path, path: str) -> Page:
    return scan((out / path.removeprefix("/news-digest/") / "index.html").read_text(encoding="utf-8"))


def load(out: Path, url: str) -> dict:
    return json.loads((out / url.removeprefix("/news-digest/")).read_text(encoding="utf-8"))


def export(out: Path) -> dict:
    """The story's API file, with its members and background complete from its numbered files."""
    data = load(out, f"api/stories/{STORY}.json")
    for role, pages in (("members", data["member_pages"]), ("background", data["background_pages"])):
        files = [load(out, url) for url in pages]
        assert [f["page"] for f in files] == list(range(1, len(files) + 1)) and all(f["pages"] == len(files) for f in files)
        data[role] = [item for f in files for item in f[role]]
    return data


def test_the_api_lists_the_strongest_and_every_article_once_in_its_numbered_files(big: Path) -> None:
    shown = load(big, f"api/stories/{STORY}.json")
    full = export(big)
    assert shown["member_count"] == len(full["members"]) > MEMBERS * 0.9
    assert shown["background_count"] == len(full["background"]) > BACKGROUND * 0.9
    for role in ("members", "background"):
        paths = [item["path"] for item in full[role]]
        assert len(set(paths)) == len(paths) and {item["path"] for item in shown[role]} < set(paths)
        scores = sorted((item["evidence"]["score"] for item in full[role]), reverse=True)
        assert min(item["evidence"]["score"] for item in shown[role]) == scores[len(shown[role]) - 1]
        dates = [item["date"][:10] for item in full[role]]
        assert dates == sorted(dates)
    for path in [f"api/stories/{STORY}.json", *shown["member_pages"], *shown["background_pages"]]:
        assert (big / path.removeprefix("/news-digest/")).stat().st_size < API_TARGET, path


def test_every_story_page_keeps_its_size_target(big: Path) -> None:
    pages = sorted((big / "stories" / STORY).rglob("index.html"))
    story_pages = [p for p in pages if not {"coverage", "background"} & set(p.relative_to(big).parts)]
    assert len(story_pages) == 6 and len(pages) > 6 * 3
    for p in story_pages:
        assert p.stat().st_size < STORY_PAGE_TARGET, (p, p.stat().st_size)
    for p in pages:
        assert p.stat().st_size < PAGE_BUDGET, (p, p.stat().st_size)


def follow(out: Path, first: str) -> Counter[str]:
    """The articles listed on a complete list's pages, from its first page through its pager links."""
    seen, todo, listed = {first}, [first], Counter[str]()
    while todo:
        page = read(out, todo.pop())
        listed.update(a.attrs["href"] for a in page.all("a", class_="article-title"))
        for link in page.all("a"):
            href = link.attrs.get("href", "")
            if href.startswith(first) and href not in seen:
                seen.add(href)
                todo.append(href)
    return listed


@pytest.mark.parametrize("version", ["", "ru/"])
def test_more_links_lead_to_pages_listing_every_article_once(big: Path, version: str) -> None:
    data = export(big)
    story = read(big, f"stories/{STORY}/{version}")
    groups = {code: [m["url"] for m in data["members"] if m["lang"] == code] for code in ("en", "tr")}
    for code, urls in groups.items():
        (more,) = [a for a in story.all("a") if a.attrs.get("href", "").endswith(f"/{version}coverage/{code}/")]
        assert f" {len(urls) - COVERAGE_SHOWN} " in f" {story.text_of(more)} "  # "and 122 more articles"
        listed = follow(big, more.attrs["href"])
        assert sorted(listed.elements()) == sorted(urls)  # every member of the language, each once
        assert len(read(big, more.attrs["href"]).all("a", class_="article-title")) == LIST_PAGE
    (more,) = [a for a in story.all("a") if a.attrs.get("href", "").endswith(f"/{version}background/")]
    listed = follow(big, more.attrs["href"])
    assert len(listed) == data["background_count"] == sum(listed.values())
    assert {b["url"] for b in data["background"]} <= listed.keys()


def test_each_list_on_the_story_page_shows_its_strongest_few(big: Path) -> None:
    html = (big / "stories" / STORY / "index.html").read_text(encoding="utf-8")
    coverage = html[html.index('id="coverage-h"'):html.index('id="reports-h"')]
    groups = coverage.split("<h3")[1:]
    assert sum('class="more"' in group for group in groups) == 2  # en and tr; the sample's uz and vi in full
    for group in groups:
        assert group.count('class="article-title"') == (COVERAGE_SHOWN if 'class="more"' in group else 1)
        outlets = re.findall(r"<bdi>([^<]*)</bdi>", group)
        assert len(set(outlets)) == len(outlets)  # one per outlet while outlets remain
    timeline = html[html.index('id="timeline-h"'):html.index('id="coverage-h"')]
    days = re.findall(r'<li class="event">.*?</ul>', timeline, re.DOTALL)
    assert days and all(day.count("<q ") <= EVENT_SHOWN for day in days)
    for day in (day for day in days if 'class="more"' in day):
        # the sample's articles stating the day are shown beside the hundred English ones: one per language first
        assert len(set(re.findall(r'<q class="said" lang="(\w+)"', day)) - {"en"}) >= 1
    published = re.findall(r"<li><time[^>]*>.*?</li>", timeline.split('class="published"')[1], re.DOTALL)
    assert published and all(day.count('hreflang="') <= PUBLISHED_SHOWN for day in published)
    assert any("more articles" in day for day in published)
    for row in re.findall(r'<ul class="mentions">.*?</ul>', html, re.DOTALL):
        assert row.count("<q ") <= MENTIONS_SHOWN
    reports = html[html.index('id="reports-h"'):html.index('id="background-h"')]
    for report in re.findall(r'<div class="report".*?</div>', reports, re.DOTALL):
        assert report.split('class="evidence"')[0].count("<a ") <= REPORT_SHOWN
    background = html[html.index('id="background-h"'):]
    assert background.count('class="article-title"') == BACKGROUND_SHOWN


def test_a_member_page_lists_a_few_other_members_one_per_language_first(big: Path) -> None:
    data = export(big)
    page = read(big, data["members"][0]["url"])
    others = page.all("ul", class_="cross-links")
    html = (big / data["members"][0]["url"].removeprefix("/news-digest/") / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li><a href="[^"]*" lang="(\w+)"', html.split('class="cross-links"')[1].split("</ul>")[0])
    assert others and len(listed) == OTHERS_SHOWN and {"en", "tr", "uz", "vi"} <= set(listed)
    more = f"and {len(data['members']) - 1 - OTHERS_SHOWN} more articles"
    assert more in html and f'/stories/{STORY}/#coverage-h"' in html


@pytest.mark.java
def test_story_pages_and_their_list_pages_pass_the_nu_html_checker(java_path: str, big: Path) -> None:
    pages = [big / "stories" / STORY / "index.html", big / "stories" / STORY / "ky" / "index.html",
             *(big / "stories" / STORY / "ky").glob("*/*/index.html"), *(big / "stories" / STORY).glob("*/page/2/index.html")]
    assert len(pages) > 4
    errors = nu_errors(java_path, *pages)
    assert not errors, "\n".join(errors[:30])


def test_strongest_takes_one_of_each_kind_first_and_keeps_the_order() -> None:
    items = [("a", 1.0), ("a", 3.0), ("b", 2.0), ("a", 5.0), ("c", 0.5)]
    assert strongest(items, 3, lambda x: x[1], lambda x: x[0]) == [("b", 2.0), ("a", 5.0), ("c", 0.5)]
    assert strongest(items, 4, lambda x: x[1], lambda x: x[0]) == [("a", 3.0), ("b", 2.0), ("a", 5.0), ("c", 0.5)]
    assert strongest(items, 9, lambda x: x[1], lambda x: x[0]) == items
