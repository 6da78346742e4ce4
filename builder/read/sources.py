"""The outlet registry (``content/sources.yaml``): who each outlet is and what kind of outlet it is.

A story page tells a press-release service from a public broadcaster and an
aggregator from the agency whose copy it carries; that needs one table of
outlets, matched to articles by the ``source`` they name or the domain of their
``url``. The registry is optional: without the file nothing is matched and
nothing is warned about; once it exists, every named outlet should be in it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from builder.errors import Problem, read_source, with_source
from builder.lang.text import fold
from builder.model import Article, Outlet
from builder.read.articles import UNKNOWN_SOURCE
from builder.read.yamlio import check_mapping, load_yaml

SOURCES_FILE = "content/sources.yaml"
# the kinds of outlet, in the order a story page lists them
TYPES = ("news agency", "public broadcaster", "state-owned", "private", "independent", "aggregator",
         "press-release service")
OUTLET_KEYS = {"type": "string", "domains": "list of strings", "country": "string", "languages": "list of strings",
               "aliases": "list of strings"}


def read_sources(root: Path) -> tuple[tuple[Outlet, ...], list[Problem]]:
    """Read the registry; no file is no registry (and no problem)."""
    path = root / SOURCES_FILE
    if not path.is_file():
        return (), []
    text, problems = read_source(path, SOURCES_FILE)
    if text is None:
        return (), problems
    outlets, problems = parse_sources(text)
    return outlets, with_source(problems, SOURCES_FILE, text)


def parse_sources(text: str) -> tuple[tuple[Outlet, ...], list[Problem]]:
    """The registry in ``text``: outlet name → type, domains, country, languages, aliases."""
    doc, problems = load_yaml(text, SOURCES_FILE)
    if doc is None:
        return (), problems
    if doc.data is None:
        return (), []
    if not isinstance(doc.data, dict):
        return (), [Problem(SOURCES_FILE, 1, "the outlet registry must map outlet names to entries")]
    outlets: list[Outlet] = []
    for name, body in doc.data.items():
        line = doc.line(str(name))
        if not isinstance(body, dict):
            problems.append(Problem(SOURCES_FILE, line, f"outlet '{name}' must be a mapping with 'type' and 'domains'"))
            continue
        sub = doc.sub(f"{name}.", body)
        found = check_mapping(sub, OUTLET_KEYS, SOURCES_FILE, required=("type",), where=line)
        kind = body.get("type")
        if not found and kind not in TYPES:
            close = difflib.get_close_matches(str(kind), TYPES, n=1)
            found.append(Problem(SOURCES_FILE, sub.line("type", line),
                                 f"unknown outlet type '{kind}'" + (f", did you mean '{close[0]}'?" if close else ""),
                                 col=sub.col("type"), hint="" if close else f"one of: {', '.join(TYPES)}"))
        problems += found
        if not found:
            outlets.append(Outlet(str(name), kind, tuple(d.lower().removeprefix("www.") for d in body.get("domains") or ()),
                                  body.get("country") or "", tuple(body.get("languages") or ()),
                                  tuple(body.get("aliases") or ())))
    return tuple(outlets), problems + _shared_domains(outlets, doc.line)


def _shared_domains(outlets: Sequence[Outlet], line_of: Callable[[str], int | None]) -> list[Problem]:
    """An error per domain two outlets claim: an article there would belong to both."""
    owner: dict[str, str] = {}
    problems = []
    for outlet in outlets:
        for domain in outlet.domains:
            if domain in owner:
                problems.append(Problem(SOURCES_FILE, line_of(outlet.name),
                                        f"domain '{domain}' is also listed for '{owner[domain]}'"))
            owner.setdefault(domain, outlet.name)
    return problems


def domain(url: str | None) -> str:
    """``https://www.example.com/x`` → ``example.com``; empty for no URL."""
    if not url:
        return ""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


class Registry:
    """Outlets by folded name and alias and by domain (a subdomain belongs to its parent's outlet)."""

    def __init__(self, outlets: Sequence[Outlet]) -> None:
        self.by_name = {fold(n): o for o in outlets for n in (o.name, *o.aliases)}
        self.by_domain = {d: o for o in outlets for d in o.domains}

    def named(self, name: str) -> Outlet | None:
        """The outlet ``name`` (or one of its aliases) is, in any case and folding ("ТАСС" is TASS)."""
        return self.by_name.get(fold(name))

    def outlet(self, article: Article) -> Outlet | None:
        """The outlet an article names in ``source``, else the one its URL's domain belongs to."""
        if found := self.named(article.source):
            return found
        host = domain(article.url)
        while host:
            if found := self.by_domain.get(host):
                return found
            host = host.partition(".")[2] if "." in host else ""
        return None


def unknown_outlets(articles: Sequence[Article], outlets: Sequence[Outlet]) -> list[Problem]:
    """A warning per outlet articles name (or link to) that the registry lacks, once, with what to add."""
    if not outlets:
        return []
    registry = Registry(outlets)
    first: dict[str, tuple[str, str]] = {}
    for article in articles:
        named = article.source.strip().lower() not in ("", UNKNOWN_SOURCE)
        if registry.outlet(article) is None and (named or article.url):
            key = article.source if named else domain(article.url)
            first.setdefault(key, (article.path, domain(article.url)))
    return [Problem(path, None, f"outlet '{key}' is not in {SOURCES_FILE}", warning=True,
                    hint=f"add it with its type{f' and domains: [{host}]' if host else ''}")
            for key, (path, host) in sorted(first.items())]
