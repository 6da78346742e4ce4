"""Story files: what the editor says a story is.

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

"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from builder.cache import Store
from builder.errors import Problem, bad_name, read_source, strip_unsafe, with_source
from builder.lang import i18n
from builder.model import Entity, SiteConfig, StorySpec
from builder.read.markdown import too_deep
from builder.read.entities import ENTITIES_FILE, read_entities
from builder.read.yamlio import TYPES, YamlDoc, check_mapping, load_yaml

CLUSTERS_DIR = "content/clusters"
STORY_KEYS = {"id": "string", "title": "mapping of strings", "window": "mapping", "entities": "list of strings",
              "summary_languages": "list of strings", "include": "list of strings", "exclude": "list of strings"}
WINDOW_KEYS = {"start": "date", "end": "date"}
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def read_stories(config: SiteConfig, render_markdown: Callable[[str], str],
                 store: Store | None = None) -> tuple[list[StorySpec], list[Problem]]:
    """Every story under content/clusters, with its entities resolved (kept in ``store``) and summaries rendered."""
    base = config.root / CLUSTERS_DIR
    files = sorted([*base.glob("*.yaml"), *base.glob("*/story.yaml")]) if base.is_dir() else []
    if not files:
        return [], []
    table, problems = read_entities(config.root, store)
    specs: list[StorySpec] = []
    seen: dict[str, str] = {}
    for path in files:
        rel = path.relative_to(config.root).as_posix()
        if unusable := bad_name(rel):  # the id comes from the name: it would reach URLs and pages
            problems.append(unusable)
            continue
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
    if isinstance(data, dict) and data.get("title") == {}:
        problems.append(Problem(rel, doc.line("title"), "'title' has no language: write one title per language",
                                col=doc.col("title"), hint="e.g. title: {en: …}"))
    if not isinstance(data, dict) or any(data.get(k) in (None, "", {}) for k in ("title", "window", "entities")) or any(
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
        clean, found = strip_unsafe(file_rel, text)
        deep = too_deep(file_rel, clean)  # the articles' cap: Markdown would overflow its recursion
        problems += with_source(found + ([deep] if deep else []), file_rel, text)
        if not deep:
            html[lang], paths[lang] = render(clean), file_rel
    pattern = "summary.*.md" if folder else f"{name}.summary.*.md"
    for extra in sorted(set(path.parent.glob(pattern)) - {summary_file(lang) for lang in languages}):
        problems.append(Problem(extra.relative_to(config.root).as_posix(), None,
                                "ignored: its language is not among the story's summary_languages", warning=True))
    return html, paths
