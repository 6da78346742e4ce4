"""Atom feeds, ``sitemap.xml`` and ``robots.txt``: what feed readers and search engines read.

Every output here is a render ``Job`` with its inputs, like the pages, so the dev
server redoes a feed only when an article it lists (or the set it is cut from)
changes. All of it is linear in the number of articles and caps what it lists,
so a 10,000-article site keeps small feeds and one sitemap (under the 50,000-URL
limit of the sitemap protocol up to about 45,000 articles).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any
from xml.etree import ElementTree as ET

from builder.lang import i18n
from builder.model import Article, Moment, instant
from builder.read.articles import UNKNOWN_SOURCE
from builder.render.jobs import ALL, ENTRY, LINKS, STORY, Job, sort_key
from builder.render.listings import listing_pages
from builder.render.pages import Renderer, story_path
from builder.render.story_lists import story_list_pages

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "xml:lang"
FEED_ENTRIES = 50  # newest articles per feed: readers poll often, old entries are already read


def atom_time(moment: Moment) -> str:
    """RFC 3339 for Atom. A date-only article becomes noon UTC of its own day: Atom has no
    date-only form, and noon UTC falls on that same calendar day for readers at every offset
    from −12:00 to +11:59, where midnight UTC would show the day before in the Americas."""
    text = instant(moment).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _xml(root: ET.Element) -> bytes:
    """Serialize with plain tag names; the root carries the namespace declarations as attributes."""
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def outlet(article: Article) -> str:
    """The outlet's name, or "" when the text does not name one."""
    return "" if article.source.lower() == UNKNOWN_SOURCE else article.source


def summary_text(article: Article) -> str:
    """"Outlet · 26 Kasım 2025 — description", all in the article's own language."""
    head = " · ".join(filter(None, [outlet(article), i18n.format_day(article.date, article.lang)]))
    return f"{head} — {article.description}" if article.description else head


def atom_feed(r: Renderer, *, title: str, lang: str, page: str, path: str, articles: list[Article]) -> bytes:
    """One Atom document; ids are page URLs, so they stay the same from build to build."""
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: lang})
    _text(feed, "title", title)
    _text(feed, "id", r.absolute(page))
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": r.absolute(path)})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": r.absolute(page)})
    newest = max((instant(a.date) for a in articles), default=datetime(2000, 1, 1, tzinfo=timezone.utc))
    _text(feed, "updated", atom_time(newest))
    author = ET.SubElement(feed, "author")
    _text(author, "name", r.site.config.site_title(lang))
    _text(feed, "generator", "digest")
    for article in articles:
        entry = ET.SubElement(feed, "entry", {XML_LANG: article.lang})
        url = r.absolute(article.page_path)
        _text(entry, "title", article.title)
        _text(entry, "id", url)
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url,
                                                 "hreflang": article.lang})
        _text(entry, "published", atom_time(article.date))
        _text(entry, "updated", atom_time(article.date))
        if article.author or outlet(article):
            writer = ET.SubElement(entry, "author")
            _text(writer, "name", article.author or outlet(article))
        if article.url:
            ET.SubElement(entry, "link", {"rel": "via", "href": article.url})
        for tag in article.tags:
            ET.SubElement(entry, "category", {"term": tag})
        _text(entry, "summary", summary_text(article))
    return _xml(feed)


def _feed_job(r: Renderer, path: str, deps: Iterable[str], **kwargs: Any) -> Job:
    articles: list[Article] = kwargs["articles"]
    return Job(path, frozenset({"site.yaml", *deps, *(ENTRY + a.path for a in articles)}),
               lambda: atom_feed(r, path=path, **kwargs))


def feed_jobs(r: Renderer) -> list[Job]:
    """``feed.xml``, ``<lang>/feed.xml`` per language present, ``stories/<id>/feed.xml``."""
    cfg = r.site.config
    if not cfg.feeds:
        return []
    default = cfg.default_language
    newest = r.newest
    jobs = [_feed_job(r, "feed.xml", {ALL}, title=cfg.site_title(default), lang=default, page="",
                      articles=newest[:FEED_ENTRIES])]
    for lang in r.present:
        in_lang = r.newest_in.get(lang, [])[:FEED_ENTRIES]
        title = f"{cfg.site_title(lang)} · {i18n.language(lang).endonym}"
        jobs.append(_feed_job(r, f"{lang}/feed.xml", {f"list:{lang}"}, title=title, lang=lang, page=f"{lang}/",
                              articles=in_lang))
    for story in r.site.stories:
        page = story_path(story, default, default)
        members = sorted((r.by_path[d.article] for d in story.members), key=sort_key, reverse=True)
        title = r.story_link(story, default)["title"]
        jobs.append(_feed_job(r, f"{page}feed.xml", {ALL, STORY + story.spec.id}, title=title, lang=default, page=page,
                              articles=members[:FEED_ENTRIES]))
    return jobs


# --- sitemap and robots -----------------------------------------------------------


def sitemap_pages(r: Renderer) -> list[tuple[str, Moment | None, list[tuple[str, str]]]]:
    """Every HTML page but 404.html as (path, last modified, its language versions as (hreflang, path)).

    The versions are a story's pages (and its lists' pages) in each interface language, the home pages,
    the stories indexes and the language indexes (listings.listing_pages).
    tests/test_feeds.py checks this list against the built folder, so the two cannot drift.
    """
    cfg = r.site.config
    pages = listing_pages(r)
    pages += [(a.page_path, a.date, []) for a in r.site.articles]
    pages += story_list_pages(r)
    for story in r.site.stories:
        versions = [(lang, story_path(story, lang, cfg.default_language)) for lang in r.interface_languages()]
        latest = max((r.by_path[d.article].date for d in story.members), key=instant, default=None)
        pages += [(path, latest, versions) for _, path in versions]
    if cfg.search:
        pages += [(f"{lang}/search/", None, []) for lang in r.interface_languages()]
    return pages


def sitemap(r: Renderer) -> bytes:
    urlset = ET.Element("urlset", {"xmlns": SITEMAP, "xmlns:xhtml": XHTML})
    for path, modified, versions in sitemap_pages(r):
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = r.absolute(path)
        if modified is not None:
            ET.SubElement(url, "lastmod").text = i18n.iso(modified)
        for lang, version in versions:
            ET.SubElement(url, "xhtml:link", {"rel": "alternate", "hreflang": lang, "href": r.absolute(version)})
    return _xml(urlset)


def robots(r: Renderer) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if r.site.config.sitemap:
        lines.append(f"Sitemap: {r.absolute('sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_jobs(r: Renderer) -> list[Job]:
    """``sitemap.xml`` (unless ``sitemap: false``) and ``robots.txt`` pointing to it."""
    # which stories' lists have pages of their own, and how many, follows from more than their members: named
    lists = LINKS + "sitemap\0" + "\0".join(path for path, _, _ in story_list_pages(r))
    deps = frozenset({"site.yaml", ALL, lists, *(STORY + s.spec.id for s in r.site.stories)})
    jobs = [Job("robots.txt", frozenset({"site.yaml"}), lambda: robots(r))]
    if r.site.config.sitemap:
        jobs.append(Job("sitemap.xml", deps, lambda: sitemap(r)))
    return jobs

