"""The plain data that flows between stages: config → articles → stories → outputs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from functools import cached_property
from pathlib import Path

Moment = date | datetime  # a date-only value is a calendar day and is never shifted to UTC


def day_of(moment: Moment) -> date:
    """The calendar day of a date, or of a date-time in its own offset (never shifted to UTC)."""
    return moment.date() if isinstance(moment, datetime) else moment


def instant(moment: Moment) -> datetime:
    """A point in time to order and stamp by: a date-only value counts as noon UTC of its day, which
    is that same calendar day at every offset from −12:00 to +11:59 (midnight UTC is not, in the Americas)."""
    return moment if isinstance(moment, datetime) else datetime.combine(moment, time(12), timezone.utc)


@dataclass(frozen=True)
class SiteConfig:
    """The validated ``site.yaml``."""

    root: Path
    title: dict[str, str]  # by language code; ``default_language`` is always present
    base_url: str  # absolute, always ending in "/"
    default_language: str
    languages: tuple[str, ...]  # languages whose interface is translated (have a catalog)
    summary_languages: tuple[str, ...] = ("en", "ru")
    description: dict[str, str] = field(default_factory=dict)
    words_per_minute: int = 220
    latest_count: int = 20
    max_file_bytes: int = 2_000_000
    allow_future: bool = False
    feeds: bool = True
    sitemap: bool = True
    search: bool = True
    cname: str = ""
    drafts: bool = False  # publish articles marked draft: the command line's --drafts only, never site.yaml

    @property
    def base_path(self) -> str:
        """The URL path every page lives under, e.g. ``/my-repo/`` (``/`` for a user site)."""
        after_host = self.base_url.split("://", 1)[-1]
        return "/" + after_host.split("/", 1)[1] if "/" in after_host else "/"

    def site_title(self, lang: str) -> str:
        return self.title.get(lang) or self.title[self.default_language]


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Article:
    """One parsed article. ``path`` is the content file relative to the site root."""

    path: str
    title: str
    date: Moment
    lang: str
    source: str
    slug: str
    # Markdown rendered and sanitized, as UTF-8 (a copy to load, not a decode); None: left in the build
    # cache until a page shows it (cache.Store's lazy_bodies)
    body: bytes | None
    words: int
    url: str | None = None
    author: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    description: str = ""
    image: str | None = None
    headings: tuple[Heading, ...] = ()
    date_line: int | None = None  # where ``date:`` is written: the build cache keeps articles across days
    digest: str = ""  # hash of the file's bytes and what shapes its parse: pages made from it are keyed by it
    cjk: int = 0  # CJK characters (no spaces between words): reading time counts them apart
    slug_given: bool = False  # 'slug:' in the front matter: a collision is the editor's to resolve
    draft: bool = False  # 'draft: true': not published unless a build is asked for drafts

    @property
    def day(self) -> date:
        """The calendar day the article is dated, in its own offset."""
        return day_of(self.date)

    @cached_property
    def page_path(self) -> str:
        """Output-relative folder of the article page, ``<lang>/<yyyy>/<mm>/<slug>/``."""
        return f"{self.lang}/{self.day.year:04d}/{self.day.month:02d}/{self.slug}/"


@dataclass(frozen=True)
class Entity:
    """A person, place or organisation that defines a story; ``aliases`` in any script."""

    name: str
    kind: str  # "person" | "place" | "organisation"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class StorySpec:
    """A story as the editor defines it under ``content/clusters/``."""

    path: str
    id: str
    title: dict[str, str]
    start: date
    end: date
    entities: tuple[Entity, ...]
    summaries: dict[str, str]  # language → sanitized HTML of the authored summary
    summary_paths: dict[str, str] = field(default_factory=dict)  # language → content file
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def story_title(self, lang: str, fallback: str) -> str:
        return self.title.get(lang) or self.title.get(fallback) or next(iter(self.title.values()))


@dataclass(frozen=True)
class Mention:
    """An entity found in an article, in the spelling the article used."""

    entity: str  # canonical name
    spelling: str
    count: int = 1


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for or against an article's membership, with the weight the score gave it."""

    kind: str  # "person", "place", "country", "fuzzy-name", "venue", "date-stated", "figures", "elsewhere"...
    weight: float  # added to the score; 0 for a veto, which caps the role instead
    detail: str  # in words: "Bishkek “Бишкекте”×2"


@dataclass(frozen=True)
class Decision:
    """Why an article is, or is not, part of a story."""

    article: str  # article path
    role: str  # "member" | "background" | "out"
    score: float
    mentions: tuple[Mention, ...]
    dates: tuple[date, ...]  # the article's date and event dates its text states
    reason: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class FigureMention:
    article: str  # article path
    text: str  # the figure as written, e.g. "4,1 milyar dolar"
    value: float | None = field(default=None, compare=False)  # this source's value: in a conflict, who gave which


@dataclass(frozen=True)
class Fact:
    """One quantity as reported across sources; ``conflict`` when they disagree."""

    label: str
    value: float
    unit: str  # "USD" | "%" | "count" | other ISO 4217 code
    mentions: tuple[FigureMention, ...]
    conflict: bool = False
    alternatives: tuple[float, ...] = ()  # the other values sources give, when in conflict
    period: str | None = None  # the period or scope its sources state: "last year", "January–September", "2024"


@dataclass(frozen=True)
class Link:
    """Why two articles are one report (builder.stories.copies): ``kind`` is "copy", "credit" or
    "translation"; ``detail`` the evidence (the share of shingles, the credit as written in each, or the
    figures in order)."""

    kind: str
    first: str  # article path
    second: str
    detail: str


@dataclass(frozen=True)
class Report:
    """Articles carrying one report, in the order given, with the links that joined them."""

    articles: tuple[str, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Story:
    spec: StorySpec
    members: tuple[Decision, ...]
    background: tuple[Decision, ...]
    left_out: tuple[Decision, ...]  # articles naming a story entity, but not enough of the story
    facts: tuple[Fact, ...] = ()
    unnamed: int = 0  # articles naming none of the story's entities: out, not listed one by one
    reports: tuple[Report, ...] = ()  # groups of members that carry one report (builder.stories.copies)


@dataclass(frozen=True)
class Outlet:
    """An outlet of the registry (``content/sources.yaml``): who published an article, and what kind of outlet."""

    name: str
    type: str  # one of builder.read.sources.TYPES: "news agency", "aggregator", ...
    domains: tuple[str, ...] = ()
    country: str = ""
    languages: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other spellings, in any script: how articles credit it ("ТАСС", "تاس")


@dataclass(frozen=True)
class Site:
    """Everything read, before anything is rendered."""

    config: SiteConfig
    articles: tuple[Article, ...]
    stories: tuple[Story, ...] = ()
    outlets: tuple[Outlet, ...] = ()


@dataclass(frozen=True)
class Output:
    """One file to write, with the inputs it was made from (for incremental rebuilds)."""

    path: str  # relative to the output folder, posix
    data: bytes
    deps: frozenset[str] = frozenset()


def build_day() -> date:
    """Today, or the day of ``SOURCE_DATE_EPOCH`` when set (reproducible builds, the golden test): the day
    future-dated articles are judged by, and part of the no-op build's stamp."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return datetime.fromtimestamp(int(epoch), timezone.utc).date() if epoch.isdigit() else date.today()
