"""Render the site in memory: every page as a job with its inputs, rendered only when asked.

Each job records the inputs it is made from (article files, story files, templates,
``site.yaml``, catalogs, and the keys of ``render.jobs``), so a build re-renders only
what an edit touches.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

import jinja2
from markupsafe import Markup

from builder.errors import Problem
from builder.lang import i18n
from builder.model import Article, Entity, Output, Site, Story
from builder.read.articles import UNKNOWN_SOURCE, body_html
from builder.read.entities import ENTITIES_FILE
from builder.render.jobs import LANGUAGES, MEMBERS, STORY, Job, sort_key
from builder.render.templates import (PARTIALS, Fields, layered_files, make_env, merge_repeats, static_dirs,
                                      template_line, template_problem)

log = logging.getLogger(__name__)

T = TypeVar("T")
OTHERS_SHOWN = 10  # other members an article page lists under "Also in this story"
NO_MARK, ENGLISH_MARK = Markup(""), Markup(' lang="en" dir="ltr"')  # attributes of an interface string's element


@dataclass
class Renderer:
    """Holds what every page needs: the site, lookups, and the Jinja environment."""

    site: Site
    env: jinja2.Environment
    problems: list[Problem] = field(default_factory=list)
    # article page jobs of earlier plans, by id(article): the dev server plans 10,000 of them per edit
    memo: dict[int, tuple[Article, tuple[Any, ...], Job]] = field(default_factory=dict)
    body: Callable[[Article], str] = body_html  # where bodies come from: memory, or the build cache
    planned: dict[str, Any] = field(default_factory=dict)  # ``once``'s results, for the current plan

    def __post_init__(self) -> None:
        self.use(self.site)

    def use(self, site: Site) -> None:
        """Point at ``site`` (the dev server's next plan): lookups are rebuilt, jobs of unchanged articles kept.

        Jobs call back into this renderer when they run, so a kept job renders with the current site."""
        self.site, self.problems, self.planned = site, [], {}
        cfg = site.config
        self.by_path = {a.path: a for a in self.site.articles}
        self.newest = sorted(self.site.articles, key=sort_key, reverse=True)
        self.newest_in: dict[str, list[Article]] = {}  # by language, newest first
        for article in self.newest:
            self.newest_in.setdefault(article.lang, []).append(article)
        self.present = sorted(self.newest_in.keys() | {cfg.default_language})
        self.stories_of: dict[str, list[tuple[Story, str]]] = {}
        for story in self.site.stories:
            for d in story.members:
                self.stories_of.setdefault(d.article, []).append((story, "member"))
            for d in story.background:
                self.stories_of.setdefault(d.article, []).append((story, "background"))
        self.named: dict[str, dict[str, Entity]] = {}  # article → the story entities its text names
        for story in self.site.stories:
            entities = {e.name: e for e in story.spec.entities}
            for d in (*story.members, *story.background, *story.left_out):
                for m in d.mentions:
                    if m.entity in entities:
                        self.named.setdefault(d.article, {})[m.entity] = entities[m.entity]
        self.items: dict[tuple[str, str], Mapping[str, Any]] = {}  # article_item's, for this site

    def once(self, name: str, make: Callable[[], T]) -> T:
        """``make()``, worked out once per plan: what several steps cut from the whole site (the story
        list pages, which their step plans and the sitemap names)."""
        if name not in self.planned:
            self.planned[name] = make()
        return self.planned[name]  # type: ignore[no-any-return]

    # --- links and shared context -------------------------------------------------

    def url(self, path: str = "") -> str:
        """Site-internal link: under base_url's path so the site works under a sub-path."""
        return self.site.config.base_path + path

    def absolute(self, path: str = "") -> str:
        return self.site.config.base_url + path

    def interface_languages(self) -> list[str]:
        cfg = self.site.config
        return list(dict.fromkeys([cfg.default_language, *cfg.languages]))

    def common(self, lang: str, path: str, versions: dict[str, str] | None = None) -> dict[str, Any]:
        """What every page shows. ``versions``: this page in other languages (code → site path), listed
        first in the language list; the page itself is one of them."""
        language = i18n.language(lang)
        cfg = self.site.config
        trans = i18n.translations(lang)
        self.env.install_gettext_callables(trans.gettext, trans.ngettext, newstyle=True)
        return {
            "lang": lang,
            "dir": language.direction,
            "has_catalog": i18n.has_catalog(lang),
            # without a catalog every interface string is English: marked so, or it takes the page's direction
            "ui": NO_MARK if i18n.has_catalog(lang) else ENGLISH_MARK,
            "og_locale": language.og_locale,
            "site_title": cfg.site_title(lang),
            "site_description": cfg.description.get(lang) or cfg.description.get(cfg.default_language, ""),
            "canonical": self.absolute(path),
            "home_url": self.url(""),
            "static": self.url("static/"),
            "switcher": self.switcher(lang, versions if versions is not None else {lang: path}),
            "alternates": [],
            "feeds": self.feed_links(lang),
            "search_url": self.url(self.search_path(lang)) if cfg.search else "",
        }

    def switcher(self, lang: str, versions: dict[str, str]) -> list[dict[str, Any]]:
        """The language list: this page in each language it exists in, then the other languages' indexes."""
        rest = {code: f"{code}/" for code in self.present if code not in versions}
        return [{"lang": code, "dir": i18n.language(code).direction, "endonym": i18n.language(code).endonym,
                 "url": self.url(path), "current": code == lang, "version": code in versions}
                for code, path in (*versions.items(), *rest.items())]

    def search_path(self, lang: str) -> str:
        """The search page for a page in ``lang``: its own, or the default language's when it has none."""
        return f"{lang if lang in self.interface_languages() else self.site.config.default_language}/search/"

    def feed_links(self, lang: str) -> list[dict[str, str]]:
        if not self.site.config.feeds:
            return []
        links = [{"url": self.url("feed.xml"), "title": self.site.config.site_title(lang), "lang": ""}]
        if lang in self.present:
            links.append({"url": self.url(f"{lang}/feed.xml"), "title": i18n.language(lang).endonym, "lang": lang})
        return links

    def article_item(self, article: Article, page_lang: str, keep: bool = True) -> Mapping[str, Any]:
        """What a list or cross-link shows of an article: its title in its own language. Made once per
        article and page language (read-only, shared): each of a 200-member story's pages lists the others.
        ``keep=False``: for a page that is the last to list it (made anew if it was not kept), as the story list
        pages list every background article once in each language: 31,000 kept for nothing at 10,000 articles."""
        key = (article.path, page_lang)
        found = self.items.get(key)
        if found is not None:
            return found
        language = i18n.language(article.lang)
        found = Fields(
            title=article.title,
            lang=article.lang,
            dir=language.direction,
            endonym=language.endonym,
            url=self.url(article.page_path),
            original=article.url or "",
            source=self.source_name(article, page_lang),
            date_iso=i18n.iso(article.date),
            date_text=i18n.format_day(article.date, page_lang),
        )
        if keep:
            self.items[key] = found
        return found

    def source_name(self, article: Article, page_lang: str) -> str:
        if article.source.lower() == UNKNOWN_SOURCE:
            return i18n.translations(page_lang).gettext("outlet not named")
        return article.source

    def story_link(self, story: Story, lang: str) -> dict[str, str]:
        """A link to ``story`` from a page in ``lang``: its page in ``lang``, or in the default language when
        ``lang`` has none (``hreflang`` says which)."""
        spec, default = story.spec, self.site.config.default_language
        title_lang = lang if lang in spec.title else (default if default in spec.title else next(iter(spec.title)))
        page_lang = self.story_language(lang)
        return {"id": spec.id, "title": spec.title[title_lang], "lang": title_lang,
                "dir": i18n.language(title_lang).direction, "url": self.url(story_path(story, page_lang, default)),
                "hreflang": page_lang, "count": str(len(story.members))}

    def story_language(self, lang: str) -> str:
        """The language of the story page a page in ``lang`` links: its own when stories are rendered in it."""
        return lang if lang in self.interface_languages() else self.site.config.default_language

    # --- pages ------------------------------------------------------------------------

    def job(self, template: str, path: str, deps: Iterable[str], context: Callable[[], dict[str, Any]]) -> Job:
        """A page job: ``context`` is built only when the page is rendered."""
        return Job(path, _page_deps(template).union(deps), lambda: self.page(template, path, context()))

    def page(self, template: str, path: str, context: dict[str, Any]) -> bytes | None:
        """Render one template; a template error becomes a problem naming the page."""
        try:
            text = self.env.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as exc:
            self.problems.append(template_problem(exc, self.site.config.root, exc.lineno, path))
            return None
        except (jinja2.UndefinedError, jinja2.TemplateError, TypeError, ValueError) as exc:
            self.problems.append(template_problem(exc, self.site.config.root, template_line(exc), path))
            return None
        return text.encode("utf-8")

    def article_job(self, article: Article) -> Job:
        memberships = self.stories_of.get(article.path)
        stories = () if memberships is None else tuple((story.spec.id, role) for story, role in memberships)
        named = tuple(self.named.get(article.path, {}).values())  # a new alias changes the page's search names
        kept = self.memo.get(id(article))
        if kept and kept[0] is article and kept[1] == (stories, named):
            return kept[2]
        deps = {article.path, f"catalog:{article.lang}"} | ({ENTITIES_FILE} if named else set())
        for story_id, role in stories:
            # a background page shows the story's link; a member's also lists the other members
            deps |= {STORY + story_id, *([MEMBERS + story_id] if role == "member" else [])}
        job = self.job("article.html", article.page_path + "index.html", deps, lambda: self.article_context(article))
        self.memo[id(article)] = (article, (stories, named), job)
        return job

    def article_context(self, article: Article) -> dict[str, Any]:
        cfg = self.site.config
        ctx = self.common(article.lang, article.page_path)
        minutes = i18n.reading_minutes(article.words - article.cjk, article.cjk, cfg.words_per_minute)
        stories = []
        for story, role in self.stories_of.get(article.path, []):
            # a story of hundreds: one member per language first, the rest counted and a link to the story page;
            # a background page shows only the story's link (its inputs, see article_job)
            others = [self.by_path[d.article] for d in story.members if d.article != article.path] \
                if role == "member" else []
            shown = strongest(others, OTHERS_SHOWN, lambda a: 0.0, lambda a: a.lang)
            stories.append({**self.story_link(story, article.lang), "role": role, "others_more": len(others) - len(shown),
                            "others": [self.article_item(a, article.lang) for a in shown]})
        item = self.article_item(article, article.lang)
        ctx.update(
            page_title=article.title,
            description=article.description,
            article=article,
            body=self.body(article),
            item=item,
            time_text=i18n.format_time(article.date, article.lang),
            reading_time=i18n.format_minutes(minutes, article.lang),
            stories=stories,
            search_names=search_names(tuple(self.named.get(article.path, {}).values())),
            json_ld=article_json_ld(article, self.absolute(article.page_path), item["source"] if article.source.lower() != UNKNOWN_SOURCE else ""),
            og_type="article",
        )
        return ctx


@lru_cache(maxsize=None)
def _page_deps(template: str) -> frozenset[str]:
    """What every page made from ``template`` depends on; built once, as sites plan 10,000 pages per edit."""
    return frozenset({f"templates/{template}", "site.yaml", LANGUAGES, PARTIALS})


@lru_cache(maxsize=1024)
def search_names(entities: tuple[Entity, ...]) -> str:
    """Every spelling of the entities a page names, indexed with it (never shown): a search for "扎帕罗夫"
    finds an article that writes "Japarov", because the entity table knows both. Kept by entities: thousands
    of pages name the same few, each with a hundred CLDR spellings."""
    return " · ".join(dict.fromkeys(n for e in entities for n in (e.name, *e.aliases)))


def story_path(story: Story, lang: str, default: str) -> str:
    """``stories/<id>/`` in the default language, ``stories/<id>/<lang>/`` in the others."""
    return f"stories/{story.spec.id}/" + ("" if lang == default else f"{lang}/")


def paginate(base: str, items: Sequence[T], size: int) -> list[tuple[str, Sequence[T]]]:
    """``items`` cut into pages of ``size``: ``base`` holds the first, ``base/page/<n>/`` the n-th; page sizes
    are constants, which bound every page's size whatever the size of the site."""
    count = max(math.ceil(len(items) / size), 1)
    return [(base if n == 1 else f"{base}page/{n}/", items[(n - 1) * size: n * size]) for n in range(1, count + 1)]


def strongest(items: Sequence[T], n: int, score: Callable[[T], float], kind: Callable[[T], Hashable]) -> list[T]:
    """The ``n`` of ``items`` with the best ``score``, one of each ``kind`` before a second of any (ties: the
    earlier), in the order given; all of them when there are no more than ``n``."""
    if len(items) <= n:
        return list(items)
    seen: set[Hashable] = set()
    first, rest = [], []
    for i in sorted(range(len(items)), key=lambda i: -score(items[i])):  # stable: ties keep the given order
        (rest if kind(items[i]) in seen else first).append(i)
        seen.add(kind(items[i]))
    chosen = set((first + rest)[:n])
    return [item for i, item in enumerate(items) if i in chosen]


def article_json_ld(article: Article, page_url: str, publisher: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": i18n.iso(article.date),
        "inLanguage": article.lang,
        "mainEntityOfPage": page_url,
        "url": page_url,
        "description": article.description,
        "wordCount": article.words,
    }
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author}
    if publisher:
        data["publisher"] = {"@type": "Organization", "name": publisher}
        data["sourceOrganization"] = {"@type": "Organization", "name": publisher}
    if article.url:
        data["isBasedOn"] = article.url
    if article.section:
        data["articleSection"] = article.section
    if article.tags:
        data["keywords"] = list(article.tags)
    return data


RenderStep = Callable[[Renderer], list[Job]]


def page_jobs(r: Renderer) -> list[Job]:
    """Article pages (listing pages: render/listings.py)."""
    return [r.article_job(a) for a in r.site.articles]


def plan_site(site: Site, steps: Iterable[RenderStep], renderer: Renderer | None = None) -> tuple[Renderer, list[Job]]:
    """Every job of the site, not yet rendered; ``renderer`` (the dev server's, from the last plan)
    lets jobs of unchanged articles be kept rather than made again."""
    if renderer is None or renderer.env is not make_env(site.config.root):
        renderer = Renderer(site, make_env(site.config.root))
    else:
        renderer.use(site)
    jobs = [job for step in steps for job in step(renderer)]
    live = {id(a) for a in site.articles}
    for gone in renderer.memo.keys() - live:  # deleted or edited articles
        del renderer.memo[gone]
    return renderer, jobs


def run_jobs(r: Renderer, jobs: Iterable[Job]) -> tuple[list[Output], list[Problem]]:
    """Render ``jobs``; template problems are collected, not raised, so all are reported."""
    outputs = []
    for job in jobs:
        data = job.run()
        if data is not None:
            outputs.append(Output(job.path, data, job.deps))
    return outputs, merge_repeats(r.problems)


def static_jobs(r: Renderer) -> list[Job]:
    """The site's ``static/`` folder over the theme's, copied under ``static/``; symlinks leaving the site are refused."""
    root = r.site.config.root
    site = root.resolve()
    jobs = []
    for name, path in layered_files(static_dirs(root)).items():
        if path.is_symlink() and not path.resolve().is_relative_to(site):
            r.problems.append(Problem(f"static/{name}", None, "symlinks outside the site are not followed"))
        elif path.is_file():
            jobs.append(Job(f"static/{name}", frozenset({f"static/{name}"}), path.read_bytes))
    return jobs


def not_found_jobs(r: Renderer) -> list[Job]:
    """The root ``404.html``: GitHub Pages serves only this one, so it speaks every site language."""
    cfg = r.site.config

    def context() -> dict[str, Any]:
        ctx = r.common(cfg.default_language, "404.html", {})  # served at any address: no version of its own
        blocks: dict[tuple[str, str, str], dict[str, str]] = {}  # one block per distinct text
        for code in [*r.interface_languages(), *(c for c in r.present if c not in r.interface_languages())]:
            trans, text_lang = i18n.translations(code), code if i18n.has_catalog(code) else "en"
            texts = (trans.gettext("Page not found"),
                     trans.gettext("The page you asked for does not exist. It may have been moved or deleted."),
                     trans.gettext("Go to the home page"))
            blocks.setdefault(texts, {  # a language without a catalog repeats English: shown once, as English
                "lang": text_lang, "dir": i18n.language(text_lang).direction,
                "heading": texts[0], "text": texts[1], "home": texts[2],
                "url": r.url(f"{code}/") if code in r.present else r.url(""),
            })
        shown = list(blocks.values())
        ctx.update(page_title=shown[0]["heading"], description="", blocks=shown, og_type="website")
        return ctx

    deps = {f"catalog:{code}" for code in (*r.interface_languages(), *r.present)}
    return [r.job("404.html", "404.html", deps, context)]
