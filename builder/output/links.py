"""Internal links of rendered pages: every ``href`` and ``src`` must lead to an output of the site under
``base_url``'s path, and a ``#fragment`` to an element with that id on the target page.

A broken link in authored Markdown (an article body, a story summary) is reported
against its source file and line; any other against the template that renders it
(with the line when the URL is written there literally), once for all the pages it
breaks. ``digest check`` checks every page; ``build`` the pages it rendered.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from builder.errors import BuildError, Problem, read_source, with_source
from builder.model import Site, SiteConfig
from builder.read.articles import body_html
from builder.render.jobs import Job
from builder.render.pages import story_path
from builder.render.templates import PARTIALS, TEMPLATE_INCLUDES, layered_file, theme_dirs

LINK_ATTRS = {"href", "src", "action", "formaction", "poster"}
SEARCH_INDEX = "pagefind/"  # written by Pagefind after the pages: its files are not outputs of the render


@dataclass
class Page:
    links: list[str]
    ids: set[str]


class _Scanner(HTMLParser):
    """The URLs an HTML document links to and the ids it defines, as the browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page([], set())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in LINK_ATTRS:
                self.page.links.append(value.strip())
            elif name == "id" or (name == "name" and tag == "a"):
                self.page.ids.add(value)


def scan(html: str) -> Page:
    """The links and ids of ``html``: read by ``_quick_scan`` when the page keeps to the plain markup the
    theme and the sanitizer write, by HTMLParser (whose reading is the rule) otherwise."""
    page = _quick_scan(html)
    if page is None:
        scanner = _Scanner()
        scanner.feed(html)
        scanner.close()
        page = scanner.page
    return page


# The quick scan reads a subset of HTML on which every version of HTMLParser agrees: tags with ASCII names and
# attributes separated by ASCII spaces, quoted values or plain unquoted ones, comments, the doctype, and
# elements whose text some versions read raw (script, style, title …) holding no "<". Each token holds as
# many "<" as it has tags: when the tokens found hold every "<" of the page, no "<" was read otherwise, so
# the tokens are the tags HTMLParser reads, with the same attributes. A page outside the subset (a "<" in a
# value or a comment, <plaintext>, a Unicode space inside a tag) returns None, and HTMLParser reads it.
_WS = r"[ \t\n\r\f]"
_NAME = r"[a-zA-Z][-.a-zA-Z0-9:_]*"
# an attribute: its name, then "=" and its value double-quoted, single-quoted or bare; {g} opens each group
_ATTR_FORM = (r"""{ws}+{g}[a-zA-Z_:][-.a-zA-Z0-9_:]*){g}{ws}*={ws}*"""
              r"""(?:"{g}[^"<]*)"|'{g}[^'<]*)'|{g}[^\s"'=<>`/]+)(?=[ \t\n\r\f>]|\Z)))?""")
_ATTRS = re.compile(_ATTR_FORM.format(ws=_WS, g="("))  # (name, "=…" or "" when it has no value, value as written)
_ATTR = _ATTR_FORM.format(ws=_WS, g="(?:")
_RAW = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")


def _any_case(words: tuple[str, ...]) -> str:
    """``words`` in ASCII letters of either case, as HTMLParser lowers tag names (re.I would take "ſ" for "s")."""
    return "|".join("".join(f"[{c}{c.upper()}]" for c in word) for word in words)


# (tag, its attributes, raw element, its attributes, its end tag's name): one of the alternatives, "" for the others
_TOKEN = re.compile(
    f"<(?:(?!(?:{_any_case((*_RAW, 'plaintext'))})(?![-.a-zA-Z0-9:_]))({_NAME})((?:{_ATTR})*){_WS}*/?>"
    f"|/{_NAME}{_WS}*>"
    f"|({_any_case(_RAW)})((?:{_ATTR})*){_WS}*>[^<]*</([a-zA-Z]+){_WS}*>"
    "|!--[^<]*?-->"
    f"|!{_any_case(('doctype',))}[^<>]*>)")


def _quick_scan(html: str) -> Page | None:
    links: list[str] = []
    ids: set[str] = set()
    tokens = _TOKEN.findall(html)
    tags = len(tokens)  # the "<" the tokens hold
    for tag, attrs, raw, raw_attrs, end in tokens:
        if raw:
            if end.lower() != raw.lower():
                return None
            tags += 1
            tag, attrs = raw, raw_attrs
        if not attrs:
            continue
        for name, equals, double, single, bare in _ATTRS.findall(attrs):
            if not equals:  # no value (None to HTMLParser)
                continue
            name, value = name.lower(), double or single or bare
            if "&" in value:
                value = unescape(value)
            if name in LINK_ATTRS:
                links.append(value.strip())
            elif name == "id" or (name == "name" and tag.lower() == "a"):
                ids.add(value)
    return Page(links, ids) if tags == html.count("<") else None


@dataclass(frozen=True)
class _Fragment:
    """Authored HTML inside a page: it is reported against its source file."""

    path: str
    links: tuple[str, ...]


def check_links(site: Site, pages: Mapping[str, Page], deps: Mapping[str, frozenset[str]], files: Collection[str],
                page_at: Callable[[str], Page | None] | None = None) -> tuple[int, list[Problem]]:
    """Internal links checked on ``pages`` (output path → what it links to), and one problem per broken
    link and place it is written. ``deps``: each page's inputs (its template); ``files``: every output of
    the site; ``page_at``: the page at an output path, for ``#fragment`` targets (default: ``pages``)."""
    cfg = site.config
    page_at = page_at or pages.get
    authored: dict[str, list[_Fragment]] | None = None  # made only when a link is broken: it reads every body
    broken: dict[tuple[str, str, str], list[str]] = {}  # (source, link, reason) → the pages it is on
    checked = 0
    known: dict[str, tuple[bool, _Resolved | None]] = {}
    for path, page in pages.items():
        url = cfg.base_path + path.removesuffix("index.html")
        reasons: dict[str, str] = {}
        rest: Counter[str] = Counter()
        for link in page.links:
            internal, reason = _check(link, url, cfg, files, page_at, known)
            checked += internal
            if reason:
                reasons[link] = reason
                rest[link] += 1
        if not rest:
            continue
        authored = _authored(site) if authored is None else authored
        for fragment in authored.get(path, ()):  # a broken link an authored text writes is its file's
            for link in fragment.links:
                if rest[link] > 0:
                    rest[link] -= 1
                    broken.setdefault((fragment.path, link, reasons[link]), []).append(url)
        for link, n in rest.items():  # the rest: the template's
            if n > 0:
                broken.setdefault((_source(path, deps[path]), link, reasons[link]), []).append(url)
    places: dict[tuple[Problem, str], set[str]] = {}  # a link in base.html breaks every page: one problem
    texts: dict[Path, str] = {}
    for (source, link, reason), urls in broken.items():
        places.setdefault((_locate(site, source, link, texts), reason), set()).update(urls)
    problems = []
    for (where, reason), urls in places.items():
        on = f" (on {_first(urls)})" if where.path.startswith("templates") else ""
        problems.append(replace(where, message=f"broken link '{where.message}': {reason}{on}"))
    return checked, sorted(problems, key=lambda p: (p.path, p.line or 0, p.col or 0, p.message))


def _first(urls: set[str]) -> str:
    first, *others = sorted(urls)
    return first + (f" and {len(others)} other page{'s' if len(others) > 1 else ''}" if others else "")


def _authored(site: Site) -> dict[str, list[_Fragment]]:
    """Output page → the authored fragments it shows: an article's body, a story's summaries."""
    cfg = site.config
    out: dict[str, list[_Fragment]] = {}
    for article in site.articles:
        out.setdefault(article.page_path + "index.html", []).append(
            _Fragment(article.path, tuple(scan(body_html(article)).links)))
    languages = dict.fromkeys([cfg.default_language, *cfg.languages])
    for story in site.stories:
        summaries = [_Fragment(story.spec.summary_paths[lang], tuple(scan(html).links))
                     for lang, html in story.spec.summaries.items() if lang in cfg.summary_languages]
        for lang in languages:
            out.setdefault(story_path(story, lang, cfg.default_language) + "index.html", []).extend(summaries)
    return out


def _internal(link: str, base_url: str) -> bool:
    """Whether ``link`` leads into the site: a relative URL, or an absolute one under ``base_url``."""
    parts = urlsplit(link)
    return link.startswith(base_url) if parts.scheme or parts.netloc else bool(link)


def _check(link: str, page_url: str, cfg: SiteConfig, files: Collection[str],
           page_at: Callable[[str], Page | None], known: dict[str, tuple[bool, _Resolved | None]]) -> tuple[bool, str]:
    """Whether ``link`` on the page at ``page_url`` leads into the site, and why it leads nowhere ("" when it
    resolves, or is not internal). ``known`` keeps both for every link seen, with what a path from the root
    resolves to (alike on every page): a story's 200 members each link the 199 others."""
    found = known.get(link)
    if found is None:
        internal = _internal(link, cfg.base_url)
        path = _in_site(link, cfg)
        same = internal and path.startswith("/") and not path.startswith("//")
        found = known[link] = (internal, _resolve(path, page_url, cfg, files) if same else None)
    internal, resolution = found
    if not internal:
        return False, ""  # another site, mailto:, tel: … (the sanitizer has already removed script URLs)
    reason, target, anchor = resolution or _resolve(_in_site(link, cfg), page_url, cfg, files)
    if reason or not anchor:
        return True, reason
    target_url = cfg.base_path + target.removesuffix("index.html")
    if (page := page_at(target)) is not None and anchor not in page.ids:
        return True, f"no element with id '{anchor}' on " + ("this page" if target_url == page_url else target_url)
    return True, ""


def _in_site(link: str, cfg: SiteConfig) -> str:
    """``link`` with the site's own address (``base_url``) written as the path it stands for."""
    return cfg.base_path + link[len(cfg.base_url):] if link.startswith(cfg.base_url) else link


_Resolved = tuple[str, str, str]  # why a link leads nowhere ("" if it leads somewhere), its output, its #fragment


def _resolve(link: str, page_url: str, cfg: SiteConfig, files: Collection[str]) -> _Resolved:
    """Where an internal ``link`` (the site's address written as a path) on the page at ``page_url`` leads."""
    resolved = urlsplit(urljoin(page_url, link))
    if not resolved.path.startswith(cfg.base_path):
        inside = cfg.base_path + resolved.path.lstrip("/")
        return (f"outside the site's path {cfg.base_path}" + (f"; did you mean {inside}?" if _target(inside, cfg, files)
                                                               else ""), "", "")
    target = _target(resolved.path, cfg, files)
    if target is None:
        return "no such page or file in the site", "", ""
    return "", target, unquote(resolved.fragment)


def _target(path: str, cfg: SiteConfig, files: Collection[str]) -> str | None:
    """The output a URL path is served from (as GitHub Pages does: a folder serves its index.html)."""
    rel = unquote(path[len(cfg.base_path):])
    if cfg.search and rel.startswith(SEARCH_INDEX):
        return rel
    for candidate in (rel, rel + "index.html" if rel.endswith("/") or not rel else rel + "/index.html"):
        if candidate in files:
            return candidate
    return None


def _source(path: str, deps: frozenset[str]) -> str:
    """The template a page is rendered from (its includes are dependencies of every page), or the
    file of ``static/`` it is a copy of."""
    own = sorted(d for d in deps if d.startswith("templates/") and d != PARTIALS
                 and d[len("templates/"):] not in TEMPLATE_INCLUDES)
    return own[0] if own else path if path in deps else f"output {path}"


def _locate(site: Site, source: str, link: str, texts: dict[Path, str]) -> Problem:
    """Where ``link`` is written (a problem whose message is the link): the line and column of the
    authored file, or of the page's template or an included one when written there literally.
    ``texts`` keeps the files read, for the next link."""
    if source.startswith("templates/"):  # the page's own template first, then the ones every page includes
        theme = theme_dirs(site.config.root)
        files = [(name, layered_file(theme, name[len("templates/"):])) for name in
                 (source, *(f"templates/{n}" for n in TEMPLATE_INCLUDES))]
    else:
        files = [(source, site.config.root / source)]
    end = r"(?![^\s\"')>])"  # not part of a longer URL
    patterns = [re.compile(rf"(?<![^\s\"'(<=]){re.escape(link)}{end}")]
    inside = link[len(site.config.base_path):] if link.startswith(site.config.base_path) else ""
    if inside:  # written after a variable holding the site's path: {{ home_url }}missing/
        patterns.append(re.compile(rf"\}}\}}{re.escape(inside)}{end}"))
    for pattern in patterns:
        for rel, file in files:
            if file not in texts:
                texts[file] = read_source(file, rel)[0] or ""
            text = texts[file]
            for number, line in enumerate(text.split("\n"), 1):
                if found := pattern.search(line):
                    return with_source([Problem(rel, number, link, col=found.start() + 1)], rel, text)[0]
    return Problem(source, None, link)


def unvouched(page: Page, path: str, cfg: SiteConfig, files: Collection[str],
              known: dict[str, tuple[bool, _Resolved | None]]) -> Page:
    """``page`` (the output at ``path``) with only the links it cannot vouch for alone, for ``check_links``:
    the broken ones, and ``#fragment``s into another page, whose ids it has not seen; its own ids stay, for
    other pages' fragments. ``files``, ``known``: as ``_check``'s. A page links 40 times, of which a build's
    workers send none or one to the process that checks them all."""
    url = cfg.base_path + path.removesuffix("index.html")
    elsewhere: list[str] = []

    def page_at(target: str) -> Page | None:
        if target == path:
            return page
        elsewhere.append(target)
        return None

    kept = []
    for link in page.links:
        _, reason = _check(link, url, cfg, files, page_at, known)
        if reason or elsewhere:
            kept.append(link)
            elsewhere.clear()
    return Page(kept, page.ids)


@dataclass(frozen=True)
class Verifier:
    """How ``build`` checks the links of the pages it renders (see write_site): ``page`` reads a page's links
    and ids (by its path and HTML) where it is rendered, keeping what ``check`` needs of them; ``check`` checks
    those of every page rendered, before anything is moved in, and may raise BuildError."""

    page: Callable[[str, str], Page]
    check: Callable[[Mapping[str, Page]], None]


def verify_rendered(site: Site, jobs: Collection[Job], out: Path, warnings: list[Problem],
                    strict: bool = False) -> Verifier:
    """What ``build`` checks the pages it rendered with: raise BuildError on a broken link the
    theme makes. A broken link written in an article or summary (third-party text: an outlet's own relative
    links, ``<img src=x>``) is a warning naming its Markdown file, an error under ``strict``, since the editor may
    not be able to change the text. A ``#fragment`` into a page not rendered this time is looked up in ``out``,
    where it is unchanged."""
    deps = {job.path: job.deps for job in jobs}
    read: dict[str, Page | None] = {}
    known: dict[str, tuple[bool, _Resolved | None]] = {}  # each worker's own: what each link it saw resolves to

    def page_at(path: str, pages: Mapping[str, Page]) -> Page | None:
        if path in pages:
            return pages[path]
        if path not in read:
            try:
                read[path] = scan((out / path).read_text(encoding="utf-8", errors="replace"))
            except OSError:
                read[path] = None
        return read[path]

    def verify(pages: Mapping[str, Page]) -> None:
        _, problems = check_links(site, pages, deps, deps.keys(), lambda path: page_at(path, pages))
        authored = [replace(p, warning=True) for p in problems if p.path.startswith("content/") and not strict]
        errors = [p for p in problems if not (p.path.startswith("content/") and not strict)]
        if errors:
            raise BuildError(errors, warnings + authored)
        warnings.extend(authored)

    return Verifier(lambda path, html: unvouched(scan(html), path, site.config, deps.keys(), known), verify)
