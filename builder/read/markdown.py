"""Markdown → sanitized HTML: Python-Markdown for the syntax, nh3 for what a page may carry.

Article bodies and story summaries are third-party text: before Markdown sees them, shapes that would take
it minutes (``read.mdguard``) or overflow its recursion (``too_deep``) are caught; after it, nothing
executable is left (an allow-list of tags, attributes and URL schemes).
"""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

from builder.errors import Problem
from builder.model import Heading
from builder.read import mdguard

NESTING_MAX = 100  # quote and list levels: beyond any real article; Markdown's time grows as the cube of the depth
_NEST_PREFIX = re.compile(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+[ \t>]*)*")  # quotes, list markers, indentation
_NEST_MARKER = re.compile(r"[-*+]|\d+[.)]")
# What article bodies may keep after Markdown: structure and links, nothing executable.
_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}
_ALLOWED_ATTRS = {
    "*": {"id", "lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={"toc": {"slugify": slugify_unicode, "permalink": False, "toc_depth": "2-6"}},
        output_format="html",
    )


_MD = _markdown()
# built once: nh3.clean would convert the allow-lists for every body
_CLEANER = nh3.Cleaner(tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRS, url_schemes={"http", "https", "mailto"},
                       link_rel="noopener noreferrer nofollow")
# a tag of the sanitizer's output: it quotes every attribute value with '"' and escapes each '<' of text
_TAG = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')


def render_markdown(text: str) -> str:
    """Markdown → HTML with no script, event handler or dangerous URL left in it."""
    return render(text)[0]


def render(text: str) -> tuple[str, tuple[Heading, ...], mdguard.Tangle | None]:
    """The sanitized HTML of ``text`` and its headings; text Markdown would take minutes over (see
    mdguard) or nest too deeply for its recursion is shown as plain text, and the third value says why."""
    tangle = mdguard.tangle(text)
    if tangle:
        return _plain(text), (), dataclasses.replace(tangle, what=tangle.what + " would take Markdown minutes")
    _MD.reset()
    try:
        raw = _MD.convert(text)
    except RecursionError:
        return _plain(text), (), mdguard.Tangle(0, "the body nests too deeply for Markdown")
    headings = tuple(_flatten(getattr(_MD, "toc_tokens", [])))
    # Article bodies live under the page's <h1>: shift their headings down one level.
    raw = re.sub(r"<(/?)h1\b", r"<\1h2", raw)
    return _CLEANER.clean(raw), headings, None


def _plain(text: str) -> str:
    """The text as it is written, for a body Markdown cannot convert: it still shows, nothing runs."""
    return "<p>" + html.escape(text) + "</p>"


def _flatten(tokens: list[dict[str, Any]]) -> list[Heading]:
    out: list[Heading] = []
    for tok in tokens:
        out.append(Heading(max(2, tok["level"]), html.unescape(tok["name"]), tok["id"]))
        out += _flatten(tok.get("children", []))
    return out


def plain_text(fragment: str) -> str:
    """Visible text of a fragment ``render`` made, for search, clustering and descriptions: its tags
    dropped and its references read. The sanitizer's output leaves nothing else to a parser (no comment,
    no '<' in text, every attribute quoted), so a regular expression reads it in a third of nh3's time."""
    return html.unescape(_TAG.sub("", fragment.replace("</p>", "</p>\n"))).strip()


def too_deep(path: str, body: str, first_line: int = 1) -> Problem | None:
    """The first line whose quotes, list markers and indentation nest deeper than NESTING_MAX levels
    (a level: one '>', one list marker or four spaces): 1,000 nested list levels take Markdown seconds, then
    overflow its recursion."""
    for number, line in enumerate(body.split("\n"), first_line):
        prefix = _NEST_PREFIX.match(line).group()  # type: ignore[union-attr]  # the pattern matches "" too
        if len(prefix) <= NESTING_MAX:  # a level takes one character at least
            continue
        spaces = len(prefix.replace("\t", "    ")) - len(prefix.replace(" ", "").replace("\t", ""))
        depth = prefix.count(">") + len(_NEST_MARKER.findall(prefix)) + spaces // 4
        if depth > NESTING_MAX:
            return Problem(path, number, f"quotes and lists nest {depth} levels deep here; the limit is {NESTING_MAX}")
    return None
