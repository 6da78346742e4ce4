"""``digest check``: every problem a build would find, plus broken links, with nothing written.

The site is read and every page rendered in memory, exactly as ``build`` does;
then every internal ``href`` and ``src`` of every page must lead to an output
of the site under ``base_url``'s path, and a ``#fragment`` to an element with
that id on the target page. A broken link in authored Markdown (an article body,
a story summary) is reported against its source file and line; any other
against the template that renders it (with the line when the URL is written
there literally), once for all the pages it breaks.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from builder.commands.build import load_site, render
from builder.errors import BuildError, Problem, read_source, with_source
from builder.model import Output, Site, SiteConfig
from builder.render.pages import story_path
from builder.render.templates import PARTIALS, TEMPLATE_INCLUDES, theme_dir

LINK_ATTRS = {"href", "src", "action", "formaction", "poster"}
SEARCH_INDEX = "pagefind/"  # written by Pagefind after the pages: its files are not outputs of the render


@dataclass
class CheckReport:
    pages: int
    links: int
    warnings: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return f"checked {self.pages} pages, {self.links} links: no problems"


def check_site(root: Path, base_url: str | None = None, strict: bool = False) -> CheckReport:
    """Read, render and check the links of the site at ``root`` in memory; raise BuildError with every error."""
    site, warnings = load_site(root, base_url, strict=strict)
    outputs = render(site)
    pages, links, problems = check_links(site, outputs)
    if problems:
        raise BuildError(problems)
    return CheckReport(pages, links, warnings)


@dataclass
class _Page:
    links: list[str]
    ids: set[str]


class _Scanner(HTMLParser):
    """The URLs an HTML document links to and the ids it defines, as the browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = _Page([], set())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in LINK_ATTRS:
                self.page.links.append(value.strip())
            elif name == "id" or (name == "name" and tag == "a"):
                self.page.ids.add(value)


def scan(html: str) -> _Page:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.page


@dataclass(frozen=True)
class _Fragment:
    """Authored HTML inside a page: it is reported against its source file."""

    path: str
    links: tuple[str, ...]


def check_links(site: Site, outputs: list[Output]) -> tuple[int, int, list[Problem]]:
    """Pages, internal links checked, and one problem per broken link and place it is written."""
    cfg = site.config
    files = {o.path for o in outputs}
    pages = {o.path: scan(o.data.decode("utf-8", "replace")) for o in outputs if o.path.endswith(".html")}
    authored = _authored(site)
    deps = {o.path: o.deps for o in outputs}
    broken: dict[tuple[str, str, str], list[str]] = {}  # (source, link, reason) → the pages it is on
    checked = 0
    for path, page in pages.items():
        url = cfg.base_path + path.removesuffix("index.html")
        rest = Counter(page.links)
        placed = [(fragment.path, link) for fragment in authored.get(path, ()) for link in fragment.links]
        rest.subtract(link for _, link in placed)
        placed += [(_source(path, deps[path]), link) for link, n in rest.items() for _ in range(max(n, 0))]
        for source, link in placed:
            checked += _internal(link, cfg.base_url)
            if reason := _broken(link, url, cfg, files, pages):
                broken.setdefault((source, link, reason), []).append(url)
    places: dict[tuple[Problem, str], set[str]] = {}  # a link in base.html breaks every page: one problem
    texts: dict[Path, str] = {}
    for (source, link, reason), urls in broken.items():
        places.setdefault((_locate(site, source, link, texts), reason), set()).update(urls)
    problems = []
    for (where, reason), urls in places.items():
        on = f" (on {_first(urls)})" if where.path.startswith("templates") else ""
        problems.append(replace(where, message=f"broken link '{where.message}': {reason}{on}"))
    return len(pages), checked, sorted(problems, key=lambda p: (p.path, p.line or 0, p.col or 0, p.message))


def _first(urls: set[str]) -> str:
    first, *others = sorted(urls)
    return first + (f" and {len(others)} other page{'s' if len(others) > 1 else ''}" if others else "")


def _authored(site: Site) -> dict[str, list[_Fragment]]:
    """Output page → the authored fragments it shows: an article's body, a story's summaries."""
    cfg = site.config
    out: dict[str, list[_Fragment]] = {}
    for article in site.articles:
        out.setdefault(article.page_path + "index.html", []).append(
            _Fragment(article.path, tuple(scan(article.body_html).links)))
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


def _broken(link: str, page_url: str, cfg: SiteConfig, files: set[str], pages: dict[str, _Page]) -> str:
    """Why ``link`` on the page at ``page_url`` leads nowhere, or "" when it resolves (or is not internal)."""
    if not _internal(link, cfg.base_url):
        return ""  # another site, mailto:, tel: … (the sanitizer has already removed script URLs)
    if link.startswith(cfg.base_url):
        link = cfg.base_path + link[len(cfg.base_url):]
    resolved = urlsplit(urljoin(page_url, link))
    if not resolved.path.startswith(cfg.base_path):
        inside = cfg.base_path + resolved.path.lstrip("/")
        return f"outside the site's path {cfg.base_path}" + (f"; did you mean {inside}?" if _target(inside, cfg, files)
                                                               else "")
    target = _target(resolved.path, cfg, files)
    if target is None:
        return "no such page or file in the site"
    anchor, target_url = unquote(resolved.fragment), cfg.base_path + target.removesuffix("index.html")
    if anchor and target in pages and anchor not in pages[target].ids:
        return f"no element with id '{anchor}' on " + ("this page" if target_url == page_url else target_url)
    return ""


def _target(path: str, cfg: SiteConfig, files: set[str]) -> str | None:
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
    own = sorted(d for d in deps if d.startswith("templates/") and d != PARTIALS)
    return own[0] if own else path if path in deps else f"output {path}"


def _locate(site: Site, source: str, link: str, texts: dict[Path, str]) -> Problem:
    """Where ``link`` is written (a problem whose message is the link): the line and column of the
    authored file, or of the page's template or an included one when written there literally.
    ``texts`` keeps the files read, for the next link."""
    if source.startswith("templates/"):  # the page's own template first, then the ones every page includes
        theme = theme_dir(site.config.root)
        files = [(name, theme / name[len("templates/"):]) for name in
                 (source, *(f"templates/{n}" for n in TEMPLATE_INCLUDES))]
    else:
        files = [(source, site.config.root / source)]
    whole = re.compile(rf"(?<![^\s\"'(<=]){re.escape(link)}(?![^\s\"')>])")  # not part of a longer URL
    for rel, file in files:
        if file not in texts:
            texts[file] = read_source(file, rel)[0] or ""
        text = texts[file]
        for number, line in enumerate(text.split("\n"), 1):
            if found := whole.search(line):
                return with_source([Problem(rel, number, link, col=found.start() + 1)], rel, text)[0]
    return Problem(source, None, link)
