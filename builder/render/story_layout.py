"""What a story page tells beyond its articles: the summaries side by side, who covered it, and which
articles carry one report — the data of the page's header, summary, outlet and "one report" sections."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from markupsafe import Markup

from builder.lang import i18n
from builder.model import Article, Outlet, Report
from builder.read.articles import UNKNOWN_SOURCE
from builder.read.sources import TYPES, Registry, domain
from builder.render.pages import Renderer

# The story page's "one report" section names the first REPORTS_SHOWN reports, each with its first REPORT_SHOWN
# articles and the evidence linking those: a wire story carried by 300 outlets is 45,000 pairs of evidence
REPORTS_SHOWN = 10
REPORT_SHOWN = 8
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "source", "wbr"}


@dataclass(frozen=True)
class StoryFacts:
    """A story's members with their outlets (None: not in the registry) and the reports several carry."""

    members: list[Article]
    outlets: dict[str, Outlet | None]  # article path → outlet
    reports: tuple[Report, ...]

    def report_of(self, path: str) -> int | None:
        """The 1-based number of the report ``path`` shares with other members, if any."""
        return next((n for n, rep in enumerate(self.reports, 1) if path in rep.articles), None)

    def outlet_key(self, article: Article) -> str:
        """Who published it: the registry's outlet, the named source, the URL's domain, else the article
        itself (an unnamed outlet counts once per article: nothing says two are the same)."""
        if outlet := self.outlets[article.path]:
            return outlet.name
        if article.source.strip().lower() not in ("", UNKNOWN_SOURCE):
            return article.source
        return domain(article.url) or article.path

    def independent(self, paths: Sequence[str] | None = None) -> int:
        """Members (or the articles ``paths``) counted once per report they share."""
        paths = [a.path for a in self.members] if paths is None else paths
        return len({self.report_of(p) or p for p in paths})

    def confirmations(self, paths: Sequence[str], lang: str) -> str:
        """"3 independent reports" for the articles giving a figure, or "" when none carries another's report."""
        count = self.independent(list(dict.fromkeys(paths)))
        if count == len(set(paths)):
            return ""
        trans = i18n.translations(lang)
        return trans.ngettext("%(num)s independent report", "%(num)s independent reports", count) % {"num": count}

    def outlet_of(self, article: Article, lang: str) -> dict[str, Any]:
        report = self.report_of(article.path)
        return {**outlet_item(self.outlets[article.path], article, lang),
                "report": report if report is not None and report <= REPORTS_SHOWN else None}


def outlet_item(outlet: Outlet | None, article: Article, lang: str) -> dict[str, str]:
    """What a coverage list shows of who published ``article``: the outlet's kind, or the URL's host when unnamed."""
    return {"outlet_type": kind_label(outlet.type, lang) if outlet else "",
            "host": "" if outlet or article.source.lower() != UNKNOWN_SOURCE else domain(article.url)}


def kind_label(kind: str, lang: str) -> str:
    """An outlet type as the page's language names it (literal calls, so ``make messages`` finds them)."""
    trans = i18n.translations(lang)
    return {"news agency": trans.gettext("news agency"), "public broadcaster": trans.gettext("public broadcaster"),
            "state-owned": trans.gettext("state-owned"), "private": trans.gettext("private"),
            "independent": trans.gettext("independent"), "aggregator": trans.gettext("aggregator"),
            "press-release service": trans.gettext("press-release service")}[kind]


def story_facts(members: list[Article], outlets: Sequence[Outlet], reports: tuple[Report, ...]) -> StoryFacts:
    registry = Registry(outlets)
    return StoryFacts(members, {a.path: registry.outlet(a) for a in members}, reports)


def blocks(html: str) -> list[str]:
    """The top-level elements of sanitized HTML (paragraphs, lists, headings), in order."""
    found, depth, start = [], 0, 0
    for m in _TAG.finditer(html):
        if m[2].lower() in _VOID or m[3]:
            continue
        if m[1]:
            depth -= 1
            if depth == 0:
                found.append(html[start:m.end()])
        else:
            if depth == 0:
                start = m.start()
            depth += 1
    return found if found and depth == 0 else [html]


def summary_rows(summaries: Mapping[str, str], languages: Sequence[str], lang: str) -> list[list[dict[str, Any]]]:
    """The summaries paragraph by paragraph: row i holds paragraph i of each language, the reader's first."""
    order = sorted((code for code in languages if code in summaries), key=lambda code: code != lang)
    columns = [[{"lang": code, "dir": i18n.language(code).direction, "endonym": i18n.language(code).endonym,
                 "html": Markup(block)} for block in blocks(summaries[code])] for code in order]
    return [[cell for cell in row if cell] for row in zip_longest(*columns)]


def coverage_line(facts: StoryFacts, lang: str) -> dict[str, str]:
    """"5 outlets · 4 languages", and how many independent reports the articles are."""
    trans = i18n.translations(lang)
    outlets = len({facts.outlet_key(a) for a in facts.members})
    langs = len({a.lang for a in facts.members})
    reports = facts.independent()
    return {"outlets": trans.ngettext("%(num)s outlet", "%(num)s outlets", outlets) % {"num": outlets},
            "languages": trans.ngettext("%(num)s language", "%(num)s languages", langs) % {"num": langs},
            "reports": trans.ngettext("%(num)s independent report", "%(num)s independent reports",
                                      reports) % {"num": reports}}


def outlet_kinds(facts: StoryFacts, registry: Sequence[Outlet], lang: str) -> dict[str, list[str]]:
    """Which kinds of outlet covered the story (with how many articles) and which did not; nothing
    when the site keeps no registry."""
    if not registry:
        return {"covered": [], "missing": []}
    trans = i18n.translations(lang)
    counts = Counter(outlet.type if (outlet := facts.outlets[a.path]) else
                     "?" if a.source.strip().lower() in ("", UNKNOWN_SOURCE) else "" for a in facts.members)
    covered = [f"{kind_label(kind, lang)} ({counts[kind]})" for kind in TYPES if counts[kind]]
    for key, label in (("", trans.gettext("outlet not in the registry")), ("?", trans.gettext("outlet not named"))):
        if counts[key]:
            covered.append(f"{label} ({counts[key]})")
    return {"covered": covered, "missing": [kind_label(kind, lang) for kind in TYPES if not counts[kind]]}


def report_items(r: Renderer, facts: StoryFacts, lang: str) -> list[dict[str, Any]]:
    """The first reports carried by several members: their first articles (and how many more) and, for each
    link between those, the evidence."""
    trans = i18n.translations(lang)
    why = {"copy": trans.gettext("the same wording (%(detail)s of word sequences shared)"),
           "credit": trans.gettext("both credit one agency: %(detail)s"),
           "translation": trans.gettext("the same figures in the same order, and as many quotations: %(detail)s")}
    reports = []
    for n, rep in enumerate(facts.reports[:REPORTS_SHOWN], 1):
        shown = list(rep.articles)[:REPORT_SHOWN]
        items = [{**r.article_item(r.by_path[p], lang), **facts.outlet_of(r.by_path[p], lang)} for p in shown]
        evidence = [{"first": r.article_item(r.by_path[link.first], lang),
                     "second": r.article_item(r.by_path[link.second], lang),
                     "text": why[link.kind] % {"detail": link.detail}} for link in rep.links
                    if link.first in shown and link.second in shown][:REPORT_SHOWN]
        reports.append({"id": f"report-{n}", "number": n, "items": items, "evidence": evidence,
                        "more": len(rep.articles) - len(shown)})
    return reports
