"""A saved or fetched web page → its article: main text as Markdown, and what the page says about it.

trafilatura finds the main text (navigation, adverts, captions and footers left out) and the usual metadata;
what a page states most exactly comes first: schema.org JSON-LD of a NewsArticle (or Article, BlogPosting),
then Open Graph and article: meta tags, then trafilatura's guesses (htmldate for the date, which gives a day
only). A publication time without an offset takes the offset of the language's country, as for text.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html
import trafilatura

from builder.read.articles import parse_date
from builder.model import Moment
from builder.ingest.dates import fixed, local_zone
from builder.ingest.draft import Draft
from builder.ingest.extract_text import SHORT, take_credit

_CHARSET = re.compile(rb"<meta[^>]+charset|^\xef\xbb\xbf|^<\?xml[^>]+encoding", re.IGNORECASE)
_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
                  "OpinionNewsArticle", "LiveBlogPosting", "WebPage"}
_DATE_META = ("article:published_time", "og:published_time", "datePublished", "date", "pubdate",
              "publish-date", "dc.date.issued", "dcterms.created", "parsely-pub-date", "sailthru.date")
_LINK_ONLY = re.compile(r"(?:\*\*[^*]{1,40}\*\*\s*)?\[[^\]]+\]\([^)\s]+\)")  # a related-story insert
TRAILING_SHORT = 8  # words: a last paragraph this short is a prompt or credit, not the article's end
_AUTHOR_META = ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author")


def extract_html(data: bytes | str, url: str | None = None) -> Draft:
    """The article of a page; ``url`` is where it was fetched from (a saved page names its own, if any)."""
    if isinstance(data, bytes) and not _CHARSET.search(data[:4096]):
        try:  # no charset declared: UTF-8 when the bytes are (as browsers sniff), not libxml2's Latin-1
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if isinstance(data, str):  # decoded already (HTTP's charset): the page's own <meta charset> must not count
        tree = lxml.html.fromstring(data.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    else:
        tree = lxml.html.fromstring(data)
    meta = _meta(tree)
    ld = _json_ld(tree)
    found = trafilatura.extract_metadata(tree, default_url=url)
    main = trafilatura.extract(tree, url=url, output_format="xml", include_links=True, include_formatting=True,
                               include_comments=False, include_tables=True, include_images=False, favor_precision=True)
    outlet = _name(ld.get("publisher")) or meta.get("og:site_name") or found.sitename
    title = _text(ld.get("headline")) or meta.get("og:title") or found.title or ""
    if outlet:  # "Headline | Outlet", "Headline - Outlet"
        title = re.sub(rf"\s*[|–—-]\s*{re.escape(outlet)}\s*$", "", title)
    lang = (tree.get("lang") or meta.get("og:locale") or "").replace("_", "-") or None
    draft = Draft(
        title=title.strip(),
        body="",
        source=outlet,
        author=_name(ld.get("author")) or next((meta[k] for k in _AUTHOR_META if meta.get(k)), None) or found.author,
        url=_url(_text(ld.get("url")) or meta.get("og:url") or found.url or url),
        description=_text(ld.get("description")) or meta.get("og:description") or meta.get("description")
        or found.description,
        image=_url(_image(ld.get("image")) or meta.get("og:image") or found.image),
        section=_text(ld.get("articleSection")) or meta.get("article:section"),
        lang=lang,
    )
    base = draft.url or url or ""
    blocks = [_block(el, base) for el in lxml.etree.fromstring(main).find("main")] if main else []
    draft.body = "\n\n".join(_without_furniture([b for b in blocks if b.strip()], draft)) + "\n"
    take_credit(draft, draft.body.lstrip().split("\n", 1)[0])
    draft.confidence["title"] = 0.95 if ld.get("headline") or meta.get("og:title") else 0.7
    stated = _text(ld.get("datePublished")) or next((meta[k] for k in _DATE_META if meta.get(k)), None) \
        or _time_element(tree)
    moment = _moment(stated, lang) if stated else None
    if moment is not None:
        draft.date, draft.confidence["date"] = moment, 0.95
    elif found.date:
        draft.date, draft.confidence["date"] = date.fromisoformat(found.date[:10]), 0.6
        draft.warnings.append(f"date {found.date[:10]} found by htmldate in the page's text; no time stated")
    return draft


def _meta(tree: lxml.html.HtmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in tree.iter("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        value = (tag.get("content") or "").strip()
        if key and value:
            out.setdefault(key, value)
    for key, value in list(out.items()):
        out.setdefault(key.replace("datepublished", "datePublished"), value)
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    if canonical:
        out.setdefault("og:url", canonical[0].strip())
    return out


def _json_ld(tree: lxml.html.HtmlElement) -> dict[str, Any]:
    """The page's first schema.org article object, from any JSON-LD block (lists and @graph included)."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kinds = item.get("@type")
                kinds = set(kinds) if isinstance(kinds, list) else {kinds}
                if kinds & _ARTICLE_TYPES and (item.get("headline") or item.get("datePublished")):
                    return item
                stack.extend(item.get("@graph", []))
    return {}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _name(value: Any) -> str | None:
    """A schema.org Person or Organization (or a list of them) as "A, B"."""
    items = value if isinstance(value, list) else [value]
    names = [item if isinstance(item, str) else item.get("name") for item in items if isinstance(item, (str, dict))]
    names = [n.strip() for n in names if isinstance(n, str) and n.strip()]
    return ", ".join(dict.fromkeys(names)) or None


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.get("url") if isinstance(value, dict) else _text(value)


def _url(value: str | None) -> str | None:
    return value if value and re.match(r"^https?://[^\s/?#]+", value) else None


def _time_element(tree: lxml.html.HtmlElement) -> str | None:
    found = tree.xpath("//*[@itemprop='datePublished']/@datetime | //article//time[@datetime]/@datetime"
                       " | //time[@pubdate]/@datetime")
    return found[0].strip() if found else None


def _moment(value: str, lang: str | None) -> Moment | None:
    """An ISO date or date-time as the page states it; a time without offset in the language's zone."""
    text = value.strip().replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", value.strip()) else value.strip()
    try:
        return parse_date(text)
    except ValueError:
        pass
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        return None
    zone = local_zone(lang.split("-")[0]) if lang else None
    return fixed(naive.replace(tzinfo=ZoneInfo(zone))) if zone else naive.date()


# --- trafilatura's XML → Markdown: paragraphs, headings, lists, links, quotes, emphasis ---------------------

def _block(el: lxml.etree._Element, base: str) -> str:
    tag = el.tag
    if tag == "head":
        level = int(el.get("rend", "h2")[1:] or 2) if re.fullmatch(r"h[1-6]", el.get("rend", "")) else 2
        return "#" * max(2, level) + " " + _inline(el, base)
    if tag == "list":
        ordered = el.get("rend") == "ol"
        return "\n".join(f"{f'{i}.' if ordered else '-'} {_inline(item, base)}"
                         for i, item in enumerate(el.iter("item"), 1))
    if tag == "quote":
        inner = [_block(child, base) for child in el] or [_inline(el, base)]
        return "\n>\n".join("\n".join("> " + line for line in part.split("\n")) for part in inner if part.strip())
    if tag == "table":
        return "\n\n".join(" | ".join(_inline(cell, base) for cell in row) for row in el.iter("row"))
    return _inline(el, base)


def _inline(el: lxml.etree._Element, base: str) -> str:
    """An element's text with its links and emphasis, Markdown's own characters escaped."""
    out = [_escape(el.text or "")]
    for child in el:
        inner = _inline(child, base)
        if child.tag == "ref" and (target := urljoin(base, child.get("target", ""))).startswith(("http://", "https://")):
            inner = f"[{inner}]({target.replace(')', '%29').replace(' ', '%20')})"
        elif child.tag == "hi" and inner.strip():
            mark = "**" if "b" in child.get("rend", "") else "*" if "i" in child.get("rend", "") else ""
            inner = f"{mark}{inner.strip()}{mark}"
        elif child.tag == "lb":
            inner = "  \n"
        out += [inner, _escape(child.tail or "")]
    return " ".join("".join(out).split(" ")).strip()


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", re.sub(r"\s+", " ", text))


def _without_furniture(blocks: list[str], draft: Draft) -> list[str]:
    """The page's own lines that trafilatura keeps: the headline again, a byline or credit naming the author,
    a line naming the outlet ("Our Standards: …"), a link alone ("RELATED: [other story](…)"), a short trailing
    prompt ("Sign in to comment")."""
    names = [n for n in (draft.title, draft.author, draft.source) if n]

    def furniture(block: str) -> bool:
        words = len(block.split())
        plain = re.sub(r"[#*>\\]", "", block).strip()
        return (plain == draft.title or _LINK_ONLY.fullmatch(block) is not None or (words <= SHORT and any(n in plain for n in names[1:]))
                or (words <= 6 and not plain[:1].isalnum() and not plain.startswith(("[", "\"", "«", "“"))))

    kept = [b for b in blocks if not furniture(b)]
    while kept and len(kept[-1].split()) <= TRAILING_SHORT and not kept[-1].startswith(("#", ">", "-", "1.")):
        kept.pop()
    return kept
