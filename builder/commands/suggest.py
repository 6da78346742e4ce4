"""``digest suggest``: proposed stories for articles in no story, told, as JSON, or written as story files.

``--write`` creates ``content/clusters/<id>/story.yaml`` and a summary stub per summary language, so the
site still builds; the story includes its proposed members (``include``), which the table may not yet
spell (the editor prunes the list once the aliases are added); it never overwrites a file, and only prints (never writes) what it proposes to add to
``content/entities.yaml``: the new entities, and spellings of existing ones that the table lacks. A story
file names only entities of the table: a proposal naming none is not written, its entities printed instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from builder.commands.build import load_site
from builder.read.entities import ENTITIES_FILE, read_entities
from builder.read.stories import CLUSTERS_DIR
from builder.stories.suggest import Suggestion, suggest

STUB = "*Summary to be written: this story was proposed by `digest suggest`.*\n"


def suggestions_json(found: list[Suggestion]) -> dict:
    return {"suggestions": [{
        "id": s.id, "title": s.title, "window": {"start": s.start.isoformat(), "end": s.end.isoformat()},
        "entities": [{**e, **({"new_spellings": s.aliases[e["name"]]} if e["name"] in s.aliases else {})}
                     for e in s.entities],
        "members": [{"path": a.path, "lang": a.lang, "title": a.title, "evidence": why} for a, why in s.members],
        "confidence": s.confidence,
    } for s in found]}


def explain(found: list[Suggestion]) -> str:
    if not found:
        return "No proposed stories: no two articles outside the stories share enough to be one event.\n"
    lines = []
    for s in found:
        lines.append(f"Proposed story {s.id}  (confidence {s.confidence:.2f}, {len(s.members)} articles, "
                     f"{s.start} .. {s.end})")
        lines += [f"  title [{lang}]: {text}" for lang, text in s.title.items()]
        for e in s.entities:
            state = "in the table" if e["known"] else "new"
            lines.append(f"  entity: {e['name']} ({e['kind']}, {state}): {', '.join(e['spellings'])}")
        for a, why in s.members:
            lines += [f"  member {a.path}  [{a.lang}] {a.title}", f"      {why}"]
        lines.append("")
    return "\n".join(lines)


def entity_additions(s: Suggestion) -> str:
    """What the proposal would add to content/entities.yaml, as YAML to paste (printed, never written)."""
    lines = []
    for e in s.entities:
        if not e["known"]:
            lines.append(f"{e['name']}:")
            lines.append("  kind: " + ("place" if e["kind"] == "place" else "person  # or organisation, or place: check"))
            for key in ("territory", "timezone"):
                if key in e:
                    lines.append(f"  {key}: {e[key]}")
            others = [x for x in e["spellings"] if x != e["name"]]
            if others:
                lines.append("  aliases: " + json.dumps(others, ensure_ascii=False))
    for name, spellings in s.aliases.items():
        lines.append(f"# add to the aliases of '{name}': " + json.dumps(spellings, ensure_ascii=False))
    return "\n".join(lines)


def write(root: Path, s: Suggestion, languages: tuple[str, ...]) -> str:
    """Create the story folder of one proposal; a sentence saying what was done or why not."""
    folder = root / CLUSTERS_DIR / s.id
    known = [e["name"] for e in s.entities if e["known"]]
    if not known:
        return f"{s.id}: not written: it names no entity of {ENTITIES_FILE}; add the entities below, then run again"
    files = {folder / "story.yaml": yaml.safe_dump(
        {"title": s.title, "window": {"start": s.start, "end": s.end}, "entities": known,
         "include": sorted(a.path for a, _ in s.members)},
        allow_unicode=True, sort_keys=False)}
    files |= {folder / f"summary.{lang}.md": STUB for lang in languages}
    if existing := [f for f in files if f.exists()]:
        return f"{s.id}: not written: {existing[0].relative_to(root).as_posix()} exists (nothing is overwritten)"
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        with path.open("x", encoding="utf-8") as fh:  # "x": never replace a file made meanwhile
            fh.write(text)
    return f"{s.id}: wrote {(folder / 'story.yaml').relative_to(root).as_posix()} and {len(languages)} summary stub(s)"


def run(root: Path, as_json: bool, write_files: bool) -> str:
    site, _ = load_site(root)
    members = {d.article for story in site.stories for d in story.members}
    table, _ = read_entities(root)
    found = suggest([a for a in site.articles if a.path not in members], table)
    out = [json.dumps(suggestions_json(found), ensure_ascii=False, indent=2) if as_json else explain(found)]
    if write_files:
        for s in found:
            out.append(write(root, s, site.config.summary_languages))
            if additions := entity_additions(s):
                out.append(f"# proposed for {ENTITIES_FILE} (not written):\n{additions}")
    return "\n".join(out)
