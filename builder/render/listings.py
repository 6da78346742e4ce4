"""Listing pages: front pages, paginated language indexes, the stories index and monthly archives.

Every list is cut into pages numbered from the oldest article, so page 1 always holds the
oldest ones and a new article changes only the front page (and, when it completes a page,
the new page and the one before it). Each page depends only on the articles it shows
(``ITEM`` keys) and on a ``LINKS`` key naming the pages it links to, never on the whole list,
so one edit re-renders only the pages showing that article. Page sizes are constants, which
bound every page's size whatever the size of the site.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from builder.lang import i18n
from builder.model import Article, Moment, Story, day_of, instant
from builder.read.articles import UNKNOWN_SOURCE
from builder.render.jobs import ITEM, LINKS, Job
from builder.render.pages import Renderer, paginate
from builder.render.stories import fact_row

INDEX_PAGE = 50  # articles per language index page: about 25 KB of HTML
ARCHIVE_PAGE = 200  # articles per monthly archive page: about 90 KB, under the 200 KB page budget
STORIES_PAGE = 100  # stories per stories index page
TOP_STORIES = 5  # stories on a front page
HALF_LIFE_DAYS = 7  # a story's rank halves for every week its newest article is older than the site's newest
LISTING_MACROS = "templates/listing.html"
_FIRST_PARAGRAPH = re.compile(r"<p\b.*?</p>", re.DOTALL)


@dataclass(frozen=True)
class Listing:
    """One listing page: its path, template and language, what it is made from, and its last change."""

    path: str
    template: str
    lang: str
    deps: frozenset[str]
    context: Callable[[], dict[str, Any]]
    modified: Moment | None
    versions: tuple[tuple[str, str], ...] = ()  # (hreflang, path) of the same page in other languages


# --- ranking and what a story card shows ------------------------------------------------


def outlets(members: Iterable[Article]) -> set[str]:
    """Distinct outlets: the named source, else the address's host, else the article itself."""
    found = set()
    for a in members:
        if a.source.lower() != UNKNOWN_SOURCE:
            found.add(a.source.casefold())
        else:
            found.add(a.url.split("://", 1)[-1].split("/", 1)[0].removeprefix("www.") if a.url else a.path)
    return found


def story_rank(members: list[Article], newest: Moment | None) -> float:
    """Breadth times recency: (outlets + 2 × languages) × 0.5 ** (age in days / HALF_LIFE_DAYS), where age
    is from the story's newest article to the site's newest (not to today, so a build is reproducible).
    A language counts double: a story told across languages is what the site is for."""
    if not members:
        return 0.0
    latest = max(instant(a.date) for a in members)
    age = (instant(newest) - latest).total_seconds() / 86400 if newest is not None else 0.0
    return (len(outlets(members)) + 2 * len({a.lang for a in members})) * 0.5 ** (max(age, 0.0) / HALF_LIFE_DAYS)


def first_paragraph(html: str) -> str:
    """The first ``<p>`` of a sanitized summary: what a front page has room for."""
    found = _FIRST_PARAGRAPH.search(html)
    return found.group(0) if found else html


def story_deps(stories: Iterable[Story]) -> set[str]:
    """A story card shows the story file, its summaries and what its members say (outlets, languages, figures)."""
    return {p for s in stories for p in (s.spec.path, *s.spec.summary_paths.values(), *(d.article for d in s.members))}


class Lists:
    """The listing pages of one site plan."""

    def __init__(self, r: Renderer):
        self.r = r
        self.cfg = r.site.config
        self.members = {s.spec.id: [r.by_path[d.article] for d in s.members] for s in r.site.stories}
        newest = r.newest[0].date if r.newest else None
        self.ranked = sorted(r.site.stories, key=lambda s: (-story_rank(self.members[s.spec.id], newest), s.spec.id))

    def card(self, story: Story, lang: str) -> dict[str, Any]:
        """A front-page story: title, first summary paragraph in ``lang`` (else the default), dates, coverage, figure."""
        spec, members = story.spec, self.members[story.spec.id]
        trans = i18n.translations(lang)
        summary_lang = lang if lang in spec.summaries else self.cfg.default_language
        languages = sorted({a.lang for a in members})
        names = ", ".join(i18n.language(code).endonym for code in languages)
        count = len(outlets(members))
        coverage = (trans.ngettext("%(num)s outlet", "%(num)s outlets", count) % {"num": count} + " "
                    + trans.ngettext("in %(num)s language: %(names)s", "in %(num)s languages: %(names)s",
                                     len(languages)) % {"num": len(languages), "names": names})
        return {
            **self.r.story_link(story, lang),
            "start_iso": i18n.iso(spec.start), "end_iso": i18n.iso(spec.end),
            "start_text": i18n.format_day(spec.start, lang), "end_text": i18n.format_day(spec.end, lang),
            "summary": first_paragraph(spec.summaries[summary_lang]) if summary_lang in spec.summaries else "",
            "summary_lang": summary_lang, "summary_dir": i18n.language(summary_lang).direction,
            "coverage": coverage,
            "figure": fact_row(self.r, story.facts[0], lang) if story.facts else None,
        }

    # --- the pages ----------------------------------------------------------------------

    def all(self) -> list[Listing]:
        pages = [*self.homes(), *self.stories_index()]
        for lang in self.r.present:
            pages += self.language_index(lang)
            pages += self.archives(lang, self.r.newest_in.get(lang, []))
        pages += self.archives(None, self.r.newest)
        return pages

    def page(self, path: str, template: str, lang: str, shown: Sequence[Article], links: Iterable[str],
             extra: Iterable[str], context: Callable[[], dict[str, Any]],
             versions: tuple[tuple[str, str], ...] = ()) -> Listing:
        deps = frozenset({*(ITEM + a.path for a in shown), LINKS + path + "\0" + "\0".join(links),
                          f"catalog:{lang}", LISTING_MACROS, *extra})
        modified = max((a.date for a in shown), key=instant, default=None)
        return Listing(path, template, lang, deps, context, modified, versions)

    def base(self, lang: str, path: str, title: str, versions: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
        ctx = self.r.common(lang, path)
        ctx.update(page_title=title, description=ctx["site_description"], og_type="website",
                   alternates=[{"hreflang": code, "url": self.r.absolute(p)} for code, p in versions],
                   stories_url=self.r.url(self.stories_path(lang)), rel_prev="", rel_next="", pages=[])
        return ctx

    def home_path(self, lang: str) -> str:
        return "" if lang == self.cfg.default_language else f"{lang}/home/"

    def stories_path(self, lang: str) -> str:
        return "stories/" if lang == self.cfg.default_language else f"{lang}/stories/"

    def months(self, seen: list[tuple[int, int]], prefix: str, lang: str) -> list[dict[str, str]]:
        """Links to the months ``seen`` (``held``: newest first)."""
        return [{"url": self.r.url(f"{prefix}{y:04d}/{m:02d}/"), "iso": f"{y:04d}-{m:02d}",
                 "text": i18n.locale(lang).months["stand-alone"]["wide"][m] + f" {y}"} for y, m in seen]

    def homes(self) -> list[Listing]:
        """The home page in every interface language: ``/`` in the default language, ``<lang>/home/`` in the others."""
        latest = self.r.newest[: self.cfg.latest_count]
        top = self.ranked[:TOP_STORIES]
        langs = self.r.interface_languages()
        versions = tuple((code, self.home_path(code)) for code in langs)
        seen = held(self.r.newest)  # once, not once per language: 10,000 articles
        month_keys = [f"{year}-{month}" for year, month in reversed(seen)]
        pages = []
        for lang in langs:
            path = self.home_path(lang)

            def context(lang: str = lang, path: str = path) -> dict[str, Any]:
                ctx = self.base(lang, path, self.cfg.site_title(lang), versions if len(langs) > 1 else ())
                ctx.update(stories=[self.card(s, lang) for s in top], items=[self.r.article_item(a, lang) for a in latest],
                           months=self.months(seen, "archive/", lang),
                           editions=[{"lang": code, "dir": i18n.language(code).direction, "url": self.r.url(p),
                                      "endonym": i18n.language(code).endonym} for code, p in versions if code != lang])
                return ctx

            pages.append(self.page(path, "home.html", lang, latest, [*month_keys, *(s.spec.id for s in top)],
                                   story_deps(self.r.site.stories), context, versions))
        return pages

    def language_index(self, lang: str) -> list[Listing]:
        """``<lang>/``: its top stories and newest articles; ``<lang>/page/<n>/`` the rest, page 1 the oldest."""
        newest = self.r.newest_in.get(lang, [])
        oldest = newest[::-1]
        full = len(oldest) // INDEX_PAGE
        covered = [s for s in self.ranked if any(a.lang == lang for a in self.members[s.spec.id])]
        endonym = i18n.language(lang).endonym
        front = newest[:INDEX_PAGE]
        older = full if len(oldest) % INDEX_PAGE else full - 1  # the newest page not all on the front page
        versions = tuple((code, f"{code}/") for code in self.r.present)

        def number_url(n: int) -> str:
            return self.r.url(f"{lang}/" if n > full or n < 1 else f"{lang}/page/{n}/")

        def front_context() -> dict[str, Any]:
            ctx = self.base(lang, f"{lang}/", endonym, versions)
            ctx.update(stories=[self.card(s, lang) for s in covered[:TOP_STORIES]],
                       items=[self.r.article_item(a, lang) for a in front], front=True,
                       months=self.months(seen, f"{lang}/", lang), rel_next=number_url(older) if older >= 1 else "")
            return ctx

        seen = held(newest)
        month_keys = sorted(f"{year}-{month}" for year, month in seen)
        pages = [self.page(f"{lang}/", "language.html", lang, front, [str(older), *month_keys,
                           *(s.spec.id for s in covered[:TOP_STORIES])], story_deps(covered), front_context, versions)]
        for n in range(1, full + 1):
            shown = oldest[(n - 1) * INDEX_PAGE: n * INDEX_PAGE][::-1]
            path = f"{lang}/page/{n}/"

            def context(n: int = n, shown: list[Article] = shown, path: str = path) -> dict[str, Any]:
                ctx = self.base(lang, path, endonym)
                ctx.update(stories=[], items=[self.r.article_item(a, lang) for a in shown], front=False, months=[],
                           number=n, rel_prev=number_url(n + 1), rel_next=number_url(n - 1) if n > 1 else "",
                           index_url=self.r.url(f"{lang}/"))
                return ctx

            pages.append(self.page(path, "language.html", lang, shown, [str(n == full)], (), context))
        return pages

    def archives(self, lang: str | None, newest: list[Article]) -> list[Listing]:
        """``<lang>/<yyyy>/<mm>/`` (or ``archive/<yyyy>/<mm>/`` for the whole site, in the default language):
        a month's articles, oldest first, ``page/<n>/`` after the first ARCHIVE_PAGE; every page links to all
        pages of its month, so each article is two clicks from the month's first page."""
        page_lang = lang or self.cfg.default_language
        by_month: dict[tuple[int, int], list[Article]] = {}
        for a in reversed(newest):
            by_month.setdefault((day_of(a.date).year, day_of(a.date).month), []).append(a)
        pages = []
        for (year, month), articles in by_month.items():
            cut = paginate(f"{lang or 'archive'}/{year:04d}/{month:02d}/", articles, ARCHIVE_PAGE)
            count, paths = len(cut), [path for path, _ in cut]
            title = i18n.locale(page_lang).months["stand-alone"]["wide"][month] + f" {year}"
            for n, (path, shown) in enumerate(cut, 1):

                def context(n: int = n, shown: Sequence[Article] = shown, path: str = path, title: str = title,
                            paths: list[str] = paths) -> dict[str, Any]:
                    ctx = self.base(page_lang, path, title)
                    ctx.update(items=[self.r.article_item(a, page_lang) for a in shown],
                               language=i18n.language(lang).endonym if lang else "", number=n,
                               pages=[{"number": k, "url": self.r.url(p), "current": k == n} for k, p in enumerate(paths, 1)],
                               rel_prev=self.r.url(paths[n - 2]) if n > 1 else "",
                               rel_next=self.r.url(paths[n]) if n < len(paths) else "")
                    return ctx

                pages.append(self.page(path, "archive.html", page_lang, shown, [str(count)], (), context))
        return pages

    def stories_index(self) -> list[Listing]:
        """``stories/`` (``<lang>/stories/``): every story, newest first, ``page/<n>/`` numbered from the oldest."""
        stories = sorted(self.r.site.stories, key=lambda s: (s.spec.start, s.spec.id))
        full = max(math.ceil(len(stories) / STORIES_PAGE), 1)
        langs = self.r.interface_languages()
        versions = tuple((code, self.stories_path(code)) for code in langs)
        pages = []
        for lang in langs:
            base = self.stories_path(lang)
            paths = [base if n == full else f"{base}page/{n}/" for n in range(1, full + 1)]
            for n, path in enumerate(paths, 1):
                shown = stories[(n - 1) * STORIES_PAGE: n * STORIES_PAGE][::-1]

                def context(lang: str = lang, n: int = n, shown: list[Story] = shown, path: str = path,
                            paths: list[str] = paths) -> dict[str, Any]:
                    ctx = self.base(lang, path, i18n.translations(lang).gettext("Stories"),
                                    versions if n == full and len(langs) > 1 else ())
                    ctx.update(stories=[self.card(s, lang) for s in shown],
                               rel_prev=self.r.url(paths[n]) if n < full else "",
                               rel_next=self.r.url(paths[n - 2]) if n > 1 else "")
                    return ctx

                pages.append(self.page(path, "stories.html", lang, [], [str(n), str(full)], story_deps(shown), context,
                                       versions if n == full else ()))
        return pages


def held(articles: list[Article]) -> list[tuple[int, int]]:
    """The (year, month) of each month holding ``articles``, newest first."""
    return sorted({(day.year, day.month) for day in map(day_of, (a.date for a in articles))}, reverse=True)


def listing_jobs(r: Renderer) -> list[Job]:
    """Every listing page as a job."""
    return [r.job(p.template, p.path + "index.html", p.deps, p.context) for p in Lists(r).all()]


def listing_pages(r: Renderer) -> list[tuple[str, Moment | None, list[tuple[str, str]]]]:
    """(path, last change, language versions) of every listing page, for the sitemap."""
    return [(p.path, p.modified, list(p.versions)) for p in Lists(r).all()]

