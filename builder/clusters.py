"""Stories: articles in any language grouped by who, where and when.

Story files
-----------
A story lives under ``content/clusters/``, either as a folder or as one file::

    content/clusters/<id>/story.yaml          content/clusters/<id>.yaml
    content/clusters/<id>/summary.en.md       content/clusters/<id>.summary.en.md
    content/clusters/<id>/summary.ru.md       content/clusters/<id>.summary.ru.md

``story.yaml``::

    id: putin-bishkek-2025-11      # optional; must equal the folder (or file) name
    title:                         # required: language code → title
      en: Putin in Bishkek, Nov 2025
      ru: Путин в Бишкеке, ноябрь 2025
    window:                        # required: first and last day, both included
      start: 2025-11-24
      end: 2025-11-30
    entities:                      # required: canonical names from content/entities.yaml
      - Vladimir Putin
      - Sadyr Japarov
      - Bishkek
      - CSTO
    summary_languages: [en, ru]    # optional; default: summary_languages of site.yaml
    include: []                    # optional: article files that are members whatever the rules say
    exclude: []                    # optional: article files that are never members

Each summary language needs its summary, authored Markdown, beside the story
file; a missing one is an error naming the file expected.

``content/entities.yaml`` maps each canonical name to its ``kind`` (person,
place or organisation) and ``aliases`` in any script. A place may add
``territory: KG`` (a country) or ``timezone: Asia/Bishkek`` (a city): its
names in every CLDR locale are then added from Babel. Places with a time zone,
or ``city: true``, are cities, and cities compete (see below).

Membership
----------
For each article the story's entities are found in its text, in any script
and with case endings (see ``builder.entities``); its dates are its own date
plus the dates its text states ("26.11.2025", "Nov. 27", "16-майда"). Of the
story's ``n`` entities it names ``k``: its score is k/n.

* member: more than half of the entities (k ≥ n//2 + 1), among them a person
  and a place of the story when the story has them; no other city of the
  entity table named more often than the story's places (else the article is
  set elsewhere: the same people meeting in Moscow or Astana); and a date: one
  its text states inside the window, or else its own date inside the window,
  unless every date its text states lies more than two days outside (a piece
  dated in the window about a meeting in 2022).
* background: as a member, but failing the place or the date condition: the
  same actors at another time or place.
* out: everything else; the reason says which condition failed.

``include``/``exclude`` override the rules; the reason keeps what the rules
said. Dates are read only from articles naming at least one entity.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from . import i18n
from .cache import Store, digest, memo
from .content import article_text
from .entities import ENTITIES_FILE, Place, event_dates, matcher, read_entities
from .errors import Problem, read_source, with_source
from .facts import Figure, compare_facts, extract_figures
from .model import (
    Article,
    Decision,
    Entity,
    Fact,
    Mention,
    SiteConfig,
    Story,
    StorySpec,
)
from .yamlio import TYPES, YamlDoc, check_mapping, load_yaml

log = logging.getLogger(__name__)

CLUSTERS_DIR = "content/clusters"
STORY_KEYS = {"id": "string", "title": "mapping of strings", "window": "mapping", "entities": "list of strings",
              "summary_languages": "list of strings", "include": "list of strings", "exclude": "list of strings"}
WINDOW_KEYS = {"start": "date", "end": "date"}
GRACE = timedelta(days=2)  # a stated date this close to the window does not count against it
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


# --- reading stories -----------------------------------------------------------------

def read_stories(config: SiteConfig, render_markdown: Callable[[str], str]) -> tuple[list[StorySpec], list[Problem]]:
    """Every story under content/clusters, with its entities resolved and summaries rendered."""
    base = config.root / CLUSTERS_DIR
    files = sorted([*base.glob("*.yaml"), *base.glob("*/story.yaml")]) if base.is_dir() else []
    if not files:
        return [], []
    table, problems = read_entities(config.root)
    specs: list[StorySpec] = []
    seen: dict[str, str] = {}
    for path in files:
        rel = path.relative_to(config.root).as_posix()
        spec, found = _read_story(path, rel, table, config, render_markdown)
        problems += found
        if spec and spec.id in seen:
            problems.append(Problem(rel, None, f"story id '{spec.id}' is also defined by {seen[spec.id]}"))
        elif spec:
            seen[spec.id] = rel
            specs.append(spec)
    return specs, problems


def _read_story(path: Path, rel: str, table: dict[str, Entity], config: SiteConfig,
                render: Callable[[str], str]) -> tuple[StorySpec | None, list[Problem]]:
    text, problems = read_source(path, rel, config.max_file_bytes)
    if text is None:
        return None, problems
    spec, problems = _story(path, rel, text, table, config, render)
    return spec, with_source(problems, rel, text)


def _story(path: Path, rel: str, text: str, table: dict[str, Entity], config: SiteConfig,
           render: Callable[[str], str]) -> tuple[StorySpec | None, list[Problem]]:
    doc, problems = load_yaml(text, rel)
    if doc is None:
        return None, problems
    problems = check_mapping(doc, STORY_KEYS, rel, required=("title", "window", "entities"), where=1)
    data = doc.data
    if not isinstance(data, dict) or any(data.get(k) in (None, "") for k in ("title", "window", "entities")) or any(
            v is not None and not TYPES[STORY_KEYS[k]](v) for k, v in data.items() if k in STORY_KEYS):
        return None, problems  # unknown keys alone do not stop the reading: every other error is found too
    folder = path.name == "story.yaml"
    name = path.parent.name if folder else path.stem
    story_id = data.get("id") or name
    if story_id != name:
        what = "folder" if folder else "file"
        problems.append(Problem(rel, doc.line("id"), f"id '{story_id}' differs from the {what} name '{name}'",
                                col=doc.col("id")))
    elif not _ID.match(story_id):
        problems.append(Problem(rel, doc.line("id", 1), f"story id '{story_id}' must be lowercase letters, digits "
                                "and hyphens", col=doc.col("id")))
    problems += check_mapping(doc, WINDOW_KEYS, rel, required=("start", "end"), prefix="window.")
    start, end = (_day(doc, rel, key, problems) for key in ("start", "end"))
    if start and end and start > end:
        problems.append(Problem(rel, doc.line("window.end"), f"window ends ({end}) before it starts ({start})",
                                col=doc.col("window.end")))
    title = {_language(doc, rel, f"title.{code}", str(code), problems): text for code, text in data["title"].items()}
    entities = _entities(doc, rel, table, problems)
    include, exclude = (_article_paths(doc, rel, key, config.root, problems) for key in ("include", "exclude"))
    for both in sorted(set(include) & set(exclude)):
        problems.append(Problem(rel, doc.line("exclude"), f"{both} is both included and excluded",
                                col=doc.col("exclude")))
    languages = [_language(doc, rel, f"summary_languages.{i}", code, problems)
                 for i, code in enumerate(data.get("summary_languages") or config.summary_languages)]
    summaries, paths = _summaries(path, rel, name, folder, languages, doc, config, render, problems)
    if any(not p.warning for p in problems) or not (start and end):
        return None, problems
    return StorySpec(rel, story_id, title, start, end, entities, summaries, paths,
                     tuple(include), tuple(exclude)), problems


def _day(doc: YamlDoc, rel: str, key: str, problems: list[Problem]) -> date | None:
    value = doc.data["window"].get(key)
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        problems.append(Problem(rel, doc.line(f"window.{key}"), f"'window.{key}' must be a date like 2025-11-24, "
                                f"got '{value}'", col=doc.col(f"window.{key}")))
        return None


def _language(doc: YamlDoc, rel: str, key: str, code: str, problems: list[Problem]) -> str:
    try:
        return i18n.language(i18n.normalize_code(code)).code
    except ValueError as exc:
        problems.append(Problem(rel, doc.line(key), f"'{key}': {exc}", col=doc.col(key)))
        return code


def _entities(doc: YamlDoc, rel: str, table: dict[str, Entity], problems: list[Problem]) -> tuple[Entity, ...]:
    """Canonical names → table entries; an alias or a typo gets the canonical name as a hint."""
    by_alias = {alias: e.name for e in table.values() for alias in e.aliases}
    out: list[Entity] = []
    for i, name in enumerate(doc.data["entities"]):
        if name in table and table[name] not in out:
            out.append(table[name])
        elif name in table:
            problems.append(Problem(rel, doc.line(f"entities.{i}"), f"entity '{name}' is listed twice",
                                    col=doc.col(f"entities.{i}")))
        else:
            close = [by_alias[name]] if name in by_alias else difflib.get_close_matches(name, table, n=1)
            hint = f", did you mean '{close[0]}'?" if close else f" (not in {ENTITIES_FILE})"
            problems.append(Problem(rel, doc.line(f"entities.{i}"), f"unknown entity '{name}'{hint}",
                                    col=doc.col(f"entities.{i}")))
    if not out and not problems:
        problems.append(Problem(rel, doc.line("entities"), "a story needs at least one entity"))
    return tuple(out)


def _article_paths(doc: YamlDoc, rel: str, key: str, root: Path, problems: list[Problem]) -> list[str]:
    paths = []
    for i, value in enumerate(doc.data.get(key) or []):
        if not (root / value).is_file():
            problems.append(Problem(rel, doc.line(f"{key}.{i}"), f"{key}: no article file '{value}' (paths are "
                                    "relative to the site folder)", col=doc.col(f"{key}.{i}")))
        paths.append(Path(value).as_posix())
    return paths


def _summaries(path: Path, rel: str, name: str, folder: bool, languages: list[str], doc: YamlDoc,
               config: SiteConfig, render: Callable[[str], str],
               problems: list[Problem]) -> tuple[dict[str, str], dict[str, str]]:
    """The authored summary per language: ``summary.<lang>.md`` in a story folder, else ``<id>.summary.<lang>.md``."""
    def summary_file(lang: str) -> Path:
        return path.parent / (f"summary.{lang}.md" if folder else f"{name}.summary.{lang}.md")

    html, paths = {}, {}
    for lang in languages:
        file = summary_file(lang)
        file_rel = file.relative_to(config.root).as_posix()
        if not file.is_file():
            problems.append(Problem(rel, doc.line("summary_languages"), f"missing summary file {file_rel} (the {lang} summary)",
                                    hint="write it in Markdown; summary languages are " + ", ".join(languages)))
            continue
        text, found = read_source(file, file_rel, config.max_file_bytes)
        problems += found
        if text is None:
            continue
        if not text.strip():
            problems.append(Problem(file_rel, 1, "the summary is empty"))
            continue
        html[lang], paths[lang] = render(text), file_rel
    pattern = "summary.*.md" if folder else f"{name}.summary.*.md"
    for extra in sorted(set(path.parent.glob(pattern)) - {summary_file(lang) for lang in languages}):
        problems.append(Problem(extra.relative_to(config.root).as_posix(), None,
                                "ignored: its language is not among the story's summary_languages", warning=True))
    return html, paths


# --- deciding ------------------------------------------------------------------------

def _matched(specs: Sequence[StorySpec]) -> tuple[Entity, ...]:
    """All entities any story needs found, rival cities included: one pass per article serves every story."""
    out: dict[str, Entity] = {}
    for spec in specs:
        for entity in spec.entities:
            out.setdefault(entity.name, entity)
            for rival in entity.rivals if isinstance(entity, Place) else ():
                out.setdefault(rival.name, rival)
    return tuple(out.values())


Evidence = tuple[tuple[Mention, ...], tuple[date, ...]]  # what an article names, and the dates its text states


def cluster_articles(specs: Sequence[StorySpec], articles: Sequence[Article], store: Store | None = None) -> tuple[Story, ...]:
    """Decide, for every story, the articles that name one of its entities; facts compare the members' figures.

    One pass over each article finds every story's entities (kept in ``store`` by the article's
    hash, so only new or edited articles are read again); an index from entity to articles then
    hands each story just the articles naming it: adding articles costs what they touch, not
    articles × stories. Every other article is out, counted in ``Story.unnamed``."""
    if not specs:
        return ()
    entities = _matched(specs)
    find = matcher(entities).find
    by_path = {a.path: a for a in articles}

    def evidence(article: Article) -> Evidence:
        text = article_text(article)
        found = find(text)
        return found, event_dates(text, article.lang, article.day) if found else ()

    known = memo(store, "evidence", digest(repr(entities))[:16], {a.digest or a.path: a for a in articles}, evidence,
                 "finding names", types=(Mention,))
    seen = {a.path: known[a.digest or a.path] for a in articles}
    naming: dict[str, set[str]] = {}
    for path, (mentions, _) in seen.items():
        for m in mentions:
            naming.setdefault(m.entity, set()).add(path)
    stories = []
    for spec in specs:
        candidates = set().union(*(naming.get(e.name, ()) for e in spec.entities))
        candidates |= (set(spec.include) | set(spec.exclude)) & by_path.keys()
        decisions = [_decide(spec, by_path[path], *seen[path]) for path in sorted(candidates)]
        members = [d for d in decisions if d.role == "member"]
        for missing in sorted(set(spec.include) - set(by_path)):
            log.warning("%s: include names %s, which is not an article", spec.path, missing)
        stories.append(Story(
            spec,
            members=_ordered(members, by_path),
            background=_ordered([d for d in decisions if d.role == "background"], by_path),
            left_out=tuple(d for d in decisions if d.role == "out"),
            facts=_facts([by_path[d.article] for d in members], store),
            unnamed=len(articles) - len(candidates),
        ))
    return tuple(stories)


def _ordered(decisions: list[Decision], by_path: dict[str, Article]) -> tuple[Decision, ...]:
    return tuple(sorted(decisions, key=lambda d: (by_path[d.article].day, d.article)))


def _facts(members: list[Article], store: Store | None) -> tuple[Fact, ...]:
    figures = memo(store, "figures", "", {a.digest or a.path: a for a in members},
                   lambda a: extract_figures(article_text(a), a.lang), "reading figures", types=(Figure,))
    return compare_facts(members, lambda a: figures[a.digest or a.path])


def _decide(spec: StorySpec, article: Article, found: tuple[Mention, ...], stated: tuple[date, ...]) -> Decision:
    order = {e.name: i for i, e in enumerate(spec.entities)}
    mentions = tuple(sorted((m for m in found if m.entity in order), key=lambda m: (order[m.entity], -m.count)))
    totals = Counter[str]()
    for m in found:
        totals[m.entity] += m.count
    hit = [e for e in spec.entities if totals[e.name]]
    n, k = len(spec.entities), len(hit)
    score = round(k / n, 2)
    if not hit:  # included or excluded without naming the story: no dates needed to say why
        role, reason = "out", "no story entity mentioned"
        dates: tuple[date, ...] = (article.day,)
    else:
        dates = tuple(dict.fromkeys((article.day, *stated)))
        role, reason = _rules(spec, article.day, stated, hit, totals)
    if article.path in spec.include:
        role, reason = "member", f"included by the story file (the rules say {role}: {reason})"
    elif article.path in spec.exclude:
        role, reason = "out", f"excluded by the story file (the rules say {role}: {reason})"
    return Decision(article.path, role, score, mentions, dates, reason)


def _rules(spec: StorySpec, day: date, stated: tuple[date, ...], hit: list[Entity],
           totals: Counter[str]) -> tuple[str, str]:
    """Member: enough entities, a person, the place, the time. Background: the same actors elsewhere or later."""
    n, k, need = len(spec.entities), len(hit), len(spec.entities) // 2 + 1
    named = f"{k}/{n} entities ({', '.join(e.name for e in hit)})"
    persons = [e for e in spec.entities if e.kind == "person"]
    if persons and not any(e.kind == "person" for e in hit):
        return "out", f"{named}: no person of the story named"
    if k < need:
        return "out", f"{named}: members need {need}"
    place_ok, where = _where(spec, totals)
    time_ok, when = _when(day, stated, spec)
    if place_ok and time_ok:
        return "member", f"{named}; {where}; {when}"
    failed = [text for ok, text in ((place_ok, where), (time_ok, when)) if not ok]
    return "background", f"{named}, but " + "; ".join(failed)


def _when(day: date, stated: tuple[date, ...], spec: StorySpec) -> tuple[bool, str]:
    window = f"window {spec.start}..{spec.end}"
    inside = [d for d in stated if spec.start <= d <= spec.end]
    if inside:
        return True, f"text states {_days(inside)}, in the {window}"
    if not spec.start <= day <= spec.end:
        return False, f"dated {day}, outside the {window}" + (f", text states {_days(stated)}" if stated else "")
    far = [d for d in stated if d < spec.start - GRACE or d > spec.end + GRACE]
    if stated and len(far) == len(stated):
        return False, f"dated {day} in the {window}, but its text dates its events {_days(far)}"
    return True, f"dated {day}, in the {window}"


def _where(spec: StorySpec, totals: Counter[str]) -> tuple[bool, str]:
    places = [e for e in spec.entities if e.kind == "place"]
    if not places:
        return True, "no place required"
    here = sum(totals[e.name] for e in places)
    if not here:
        return False, f"no story place ({', '.join(e.name for e in places)}) named"
    names = {e.name for e in spec.entities}
    rivals = {r.name for e in places if isinstance(e, Place) for r in e.rivals} - names
    elsewhere = max(rivals, key=lambda r: (totals[r], r), default=None)
    if elsewhere and totals[elsewhere] > here:
        return False, f"set in {elsewhere} (named {totals[elsewhere]}×, story places {here}×)"
    return True, f"story place named {here}×"


def _days(days: Sequence[date]) -> str:
    return ", ".join(d.isoformat() for d in days)


# --- reporting -----------------------------------------------------------------------

def _mentions_text(mentions: tuple[Mention, ...]) -> str:
    return "; ".join(f"{m.entity} “{m.spelling}”×{m.count}" for m in mentions) or "none"


def explain(stories: Sequence[Story], articles: Sequence[Article]) -> str:
    """Every decision with its evidence, for the editor fixing a wrong call; silent outs are summed up."""
    by_path = {a.path: a for a in articles}
    lines: list[str] = []
    for story in stories:
        spec = story.spec
        lines += [f"Story {spec.id}: {spec.story_title('en', 'en')}  ({spec.path})",
                  f"  window {spec.start} .. {spec.end}; entities: "
                  + ", ".join(f"{e.name} ({e.kind})" for e in spec.entities)]
        for label, decisions in (("members", story.members), ("background", story.background)):
            lines.append(f"  {label} ({len(decisions)}):")
            for d in decisions:
                a = by_path.get(d.article)
                lines += [f"    {d.article}  [{a.lang if a else '?'}] score {d.score:.2f}",
                          f"      entities: {_mentions_text(d.mentions)}",
                          f"      dates: {d.dates[0]} (dated)" + "".join(f", {x}" for x in d.dates[1:]),
                          f"      why: {d.reason}"]
        lines.append(f"  out ({len(story.left_out) + story.unnamed}):")
        lines += [f"    {d.article}: {d.reason} [{_mentions_text(d.mentions)}]" for d in story.left_out]
        if story.unnamed:
            lines.append(f"    {story.unnamed} article{'s' if story.unnamed != 1 else ''} out: no entity mentioned")
        lines.append(f"  facts ({len(story.facts)}):")
        for f in story.facts:
            extra = f"  CONFLICT, also {', '.join(map(_number_text, f.alternatives))}" if f.conflict else ""
            lines.append(f"    {f.label}: {_number_text(f.value)} {f.unit} from {len(f.mentions)} mention(s){extra}")
        lines.append("")
    return "\n".join(lines) if lines else "No stories under content/clusters/.\n"


def _number_text(value: float) -> str:
    return str(_plain(value))


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def stories_json(stories: Sequence[Story], articles: Sequence[Article], base_path: str) -> dict:
    """The ``public/api/clusters.json`` export: the same decisions as ``explain``, as data."""
    by_path = {a.path: a for a in articles}

    def item(d: Decision) -> dict:
        a = by_path[d.article]
        return {
            "path": a.path, "url": base_path + a.page_path, "lang": a.lang, "title": a.title,
            "source": a.source, "date": i18n.iso(a.date),
            "evidence": {"score": d.score,
                         "mentions": [{"entity": m.entity, "spelling": m.spelling, "count": m.count} for m in d.mentions],
                         "dates": [x.isoformat() for x in d.dates], "reason": d.reason},
        }

    return {"stories": [{
        "id": s.spec.id, "title": dict(s.spec.title),
        "window": {"start": s.spec.start.isoformat(), "end": s.spec.end.isoformat()},
        "members": [item(d) for d in s.members], "background": [item(d) for d in s.background],
        "facts": [{"label": f.label, "value": _plain(f.value), "unit": f.unit,
                   "mentions": [{"path": m.article, "text": m.text} for m in f.mentions],
                   "conflict": f.conflict, "alternatives": [_plain(x) for x in f.alternatives]} for f in s.facts],
    } for s in stories]}
