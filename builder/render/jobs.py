"""Jobs and the names of what they depend on, shared by every stage that plans, fingerprints or writes them.

A job is one output to make. Its ``deps`` are input files (article and story files,
templates, ``site.yaml``) and the keys below, which name a part of the site that
several outputs show; the build's fingerprints and the dev server's edit tracking both
decide "changed" from them, so they live here and not with any one renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from builder.model import Article, instant

ALL = "list:*"  # the set of all articles, where each is published and its date: what lists are cut from, in order
LANGUAGES = "languages"  # the set of article languages: every page's language switcher lists them
ITEM = "item:"  # + an article's path: what an index shows of it (title, outlet, date, links)
ENTRY = "entry:"  # + an article's path: what a feed entry shows of it (that, its summary, author and tags)
# + a listing page's path and the pages it links to (older/newer, months, pages of its month): its navigation,
# named in full so the key changes exactly when the links do; it stands for no file and has no other token
LINKS = "links:"

# + a story's id: what pages linking to a story show of it (its titles, hence its URL, and its members, whose
# count they show); not its summaries, facts or background, which only its own page, feed and API show
STORY = "story:"
# + a story's id: what a member's page lists of the other members, what an index shows of each (``ITEM``), as one
# key: the story's members grow with the site, and a key per member made n² inputs for its n member pages
MEMBERS = "members:"


def listed_as(path: str, lang: str) -> set[str]:
    """The keys under which lists name the article at ``path`` in ``lang``: each may change when its file does."""
    return {ITEM + path, ENTRY + path}


class Job(NamedTuple):
    """One output to make: its path and inputs are known before it is rendered,
    so the dev server can pick the jobs an edit touches without rendering the rest.
    (A NamedTuple: a 10,000-article site plans 10,000 of them on every edit.)"""

    path: str
    deps: frozenset[str]
    run: Callable[[], bytes | None]


def sort_key(article: Article) -> tuple[datetime, str]:
    """Dates and date-times mixed, in one order everywhere (indexes, feeds, story pages)."""
    return (instant(article.date), article.path)
