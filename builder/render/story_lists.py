"""How a story page stays bounded: the strongest few of each list on the page, the rest on pages of their own.

A story followed by every outlet gathers hundreds of members and thousands of background
articles. Its page shows, per list, the strongest few (``pages.strongest``) and says how many more
there are, linking to that list in full: ``coverage/<lang>/`` (the members in one language)
and ``background/`` under the story's page, cut into numbered pages like the archives. Such
pages exist only for lists longer than the page shows, so every one is linked from it.
Sizes: every list's length is a constant, so the story page's size follows from the languages
covering the story and the days of its timeline, not from its number of articles (80 KB for
the sample's story among 10,000 articles: 200 members, 9,700 background); a list page is at
most about 75 KB.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from builder.lang import i18n
from builder.model import Article, Moment, Story, instant
from builder.read.sources import SOURCES_FILE, Registry
from builder.render.jobs import ITEM, LINKS, Job, sort_key
from builder.render.pages import Renderer, paginate, story_path
from builder.render.story_layout import outlet_item

# Members in each language group of the story page: the strongest, one per outlet first,
# so a reader sees who covered the story before seeing one outlet's tenth article; about 0.6 KB each.
COVERAGE_SHOWN = 8
BACKGROUND_SHOWN = 20  # background articles on the story page: those dated nearest the story
LIST_PAGE = 100  # articles per page of a complete list: about 75 KB of HTML, under the 200 KB page budget


def by_language(articles: Sequence[Article]) -> dict[str, list[Article]]:
    """``articles`` by language (in code order), each group in date order."""
    groups: dict[str, list[Article]] = {}
    for article in sorted(articles, key=sort_key):
        groups.setdefault(article.lang, []).append(article)
    return dict(sorted(groups.items()))


def full_lists(r: Renderer, story: Story) -> dict[str, list[Article]]:
    """The story's lists longer than its page shows, by their folder under the page: the members of each
    language (``coverage/<lang>/``) and the background (``background/``), in date order."""
    lists = {f"coverage/{code}/": items for code, items in
             by_language([r.by_path[d.article] for d in story.members]).items() if len(items) > COVERAGE_SHOWN}
    if len(story.background) > BACKGROUND_SHOWN:
        lists["background/"] = sorted((r.by_path[d.article] for d in story.background), key=sort_key)
    return lists


def list_url(r: Renderer, story: Story, lang: str, folder: str) -> str:
    """The first page of one of the story's complete lists, in the interface language ``lang``."""
    return r.url(story_path(story, lang, r.site.config.default_language) + folder)


def _pages(r: Renderer) -> list[tuple[Story, str, str, int, Sequence[Article], list[str]]]:
    """Each list page as (story, folder, its path under a story page, number, articles, paths of its list)."""
    return r.once("story list pages", lambda: _cut(r))


def _cut(r: Renderer) -> list[tuple[Story, str, str, int, Sequence[Article], list[str]]]:
    found = []
    for story in r.site.stories:
        for folder, articles in full_lists(r, story).items():
            cut = paginate(folder, articles, LIST_PAGE)
            paths = [path for path, _ in cut]
            found += [(story, folder, path, n, shown, paths) for n, (path, shown) in enumerate(cut, 1)]
    return found


def story_list_jobs(r: Renderer) -> list[Job]:
    """Every page of every story's complete lists, in each interface language. A page shows its articles
    (``ITEM`` keys), their outlets' kinds, the story's title and links to its list's other pages (a ``LINKS``
    key naming them and the list's length): a member's edit re-renders the one page listing it, if any."""
    registry = Registry(r.site.outlets)
    default = r.site.config.default_language
    jobs = []
    for story, folder, rel, n, shown, paths in _pages(r):
        versions = {code: story_path(story, code, default) + rel for code in r.interface_languages()}
        for lang, path in versions.items():
            deps = {*(ITEM + a.path for a in shown), f"catalog:{lang}", story.spec.path, SOURCES_FILE,
                    LINKS + path + "\0" + "\0".join(paths)}

            def context(story: Story = story, folder: str = folder, lang: str = lang, path: str = path, n: int = n,
                        shown: Sequence[Article] = shown, paths: list[str] = paths,
                        versions: dict[str, str] = versions) -> dict[str, Any]:
                return list_context(r, story, folder, lang, path, n, shown, paths, versions, registry)

            jobs.append(r.job("story_list.html", path + "index.html", deps, context))
    return jobs


def list_context(r: Renderer, story: Story, folder: str, lang: str, path: str, n: int, shown: Sequence[Article],
                 paths: list[str], versions: dict[str, str], registry: Registry) -> dict[str, Any]:
    trans = i18n.translations(lang)
    ctx = r.common(lang, path, versions)
    top = story_path(story, lang, r.site.config.default_language)
    if folder.startswith("coverage/"):
        names = {"language": i18n.language(folder.split("/")[1]).endonym, "num": n}
        heading = trans.gettext("Articles in %(language)s") % names
        title = heading if n == 1 else trans.gettext("Articles in %(language)s, page %(num)s") % names
    else:
        heading = trans.gettext("Related background")
        title = heading if n == 1 else f"{heading} · {n}"
    story_link = r.story_link(story, lang)
    ctx.update(
        page_title=f"{title} · {story_link['title']}", description="", og_type="website", story=story_link,
        heading=heading, alternates=[{"hreflang": code, "url": r.absolute(p)} for code, p in versions.items()],
        # no report marks: they point into the story page, and are worked out from every member's text
        items=[{**r.article_item(a, lang, keep=False), **outlet_item(registry.outlet(a), a, lang), "report": None}
               for a in shown],
        pages=[{"number": k, "url": r.url(top + p), "current": k == n} for k, p in enumerate(paths, 1)],
        rel_prev=r.url(top + paths[n - 2]) if n > 1 else "", rel_next=r.url(top + paths[n]) if n < len(paths) else "")
    return ctx


def story_list_pages(r: Renderer) -> list[tuple[str, Moment | None, list[tuple[str, str]]]]:
    """(path, last change, language versions) of every list page, for the sitemap."""
    default = r.site.config.default_language
    pages = []
    for story, _, rel, _, shown, _ in _pages(r):
        versions = [(code, story_path(story, code, default) + rel) for code in r.interface_languages()]
        modified = max((a.date for a in shown), key=instant, default=None)
        pages += [(path, modified, versions) for _, path in versions]
    return pages
