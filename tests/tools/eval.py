"""Score the real clustering on the labelled set: ``make eval``.

Builds the evaluation site exactly as the tests do (tests/labelled.py), runs builder.stories.clusters, and prints
pairwise precision/recall of story membership and per-article precision/recall for the tune and heldout
parts of split.yaml, by language and by class, then every miss and false member with the rules' reason.
The numbers are a measurement, not a gate: the tests assert only on the articles the rules were tuned on.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS.parent))
import labelled  # noqa: E402

from builder.read.stories import read_stories  # noqa: E402
from builder.stories.clusters import cluster_articles  # noqa: E402
from builder.read.config import load_config  # noqa: E402
from builder.read.folder import read_articles  # noqa: E402
from builder.read.markdown import render_markdown  # noqa: E402
from builder.model import Story  # noqa: E402
from builder.read.entities import read_entities  # noqa: E402
from builder.read.stories import CLUSTERS_DIR  # noqa: E402
from builder.stories.suggest import suggest  # noqa: E402


def decide(root: Path) -> tuple[dict[str, set[str]], dict[str, dict[str, str]], dict[str, str]]:
    """Run the clustering: story → member paths, story → {path: role: reason}, path → language."""
    config, problems = load_config(root)
    if not config:
        sys.exit("\n".join(map(str, problems)))
    articles, found = read_articles(config)
    specs, found_stories = read_stories(config, render_markdown)
    errors = [p for p in [*found, *found_stories] if not p.warning]
    if errors:
        sys.exit("\n".join(map(str, errors)))
    stories: tuple[Story, ...] = cluster_articles(specs, articles)
    members = {s.spec.id: {d.article for d in s.members} for s in stories}
    reasons = {s.spec.id: {d.article: f"{d.role}: {d.reason}" for d in (*s.members, *s.background)}
               for s in stories}
    return members, reasons, {a.path: a.lang for a in articles}


def propose(root: Path) -> dict[str, set[str]]:
    """``digest suggest`` on the site with every story file removed: proposal id → member paths."""
    shutil.rmtree(root / CLUSTERS_DIR)
    config, _ = load_config(root)
    articles, _ = read_articles(config)
    return {s.id: {a.path for a, _ in s.members} for s in suggest(articles, read_entities(root)[0])}


def suggest_report(groups: dict[str, set[str]], truth: dict[str, str], rows: dict[str, labelled.Entry]) -> list[str]:
    out = ["suggest (story files removed; each labelled event should be proposed, nothing mixed):"]
    for part in ("tune", "heldout"):
        subset = {p for p, e in rows.items() if e.split == part}
        score = labelled.pairwise(truth, groups, subset)
        events = {truth[p] for p in subset} - {"none"}
        found = labelled.recovered(groups, truth, subset)
        bad = labelled.mixed(groups, truth, subset)
        out.append(f"  {part}: {len(found)} of {len(events)} events recovered, {len(bad)} mixed proposals; pairwise "
                   f"precision {score.precision:.3f} recall {score.recall:.3f} ({len(score.truth)} true pairs, "
                   f"{len(score.predicted)} proposed)")
        out += [f"    mixed: {name}: " + ", ".join(f"{p} ({truth[p]})" for p in sorted(groups[name])) for name in bad]
        out += [f"    not recovered: {event}" for event in sorted(events - found)]
    return out


def per_article(truth: dict[str, str], assigned: dict[str, str], subset: set[str]) -> tuple[float, float, int, int]:
    """Precision and recall of "this article is a member of its story" over ``subset``."""
    gold = {p for p in subset if truth[p] != "none"}
    said = {p for p in subset if assigned.get(p, "none") != "none"}
    hit = {p for p in gold & said if assigned[p] == truth[p]}
    return (len(hit) / len(said) if said else 1.0), (len(hit) / len(gold) if gold else 1.0), len(gold), len(said)


def line(name: str, truth: dict[str, str], members: dict[str, set[str]], assigned: dict[str, str],
         subset: set[str]) -> str:
    score = labelled.pairwise(truth, members, subset)
    p, r, gold, said = per_article(truth, assigned, subset)
    return (f"{name}: {len(subset)} articles, pairwise precision {score.precision:.3f} recall {score.recall:.3f} "
            f"({len(score.truth)} true pairs, {len(score.predicted)} predicted); per article precision {p:.3f} "
            f"recall {r:.3f} ({gold} true members, {said} predicted)")


def breakdown(title: str, key: Callable[[str], str], truth: dict[str, str], members: dict[str, set[str]],
              assigned: dict[str, str], subset: set[str]) -> list[str]:
    out = [f"  by {title}:"]
    for value in sorted({key(p) for p in subset}):
        group = {p for p in subset if key(p) == value}
        out.append("    " + line(value, truth, members, assigned, group))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="folder to write the evaluation site to (default: a temp folder)")
    parser.add_argument("--suggest", action="store_true", help="also score `digest suggest` with the story files "
                        "removed: every labelled event as a story to be proposed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-eval-") as scratch:
        root = labelled.labelled_site(args.site or Path(scratch) / "site")
        members, reasons, langs = decide(root)
        proposed = propose(root) if args.suggest else None
    truth, rows = labelled.labels(), labelled.split()
    assigned: dict[str, str] = {}
    for story_id, paths in members.items():
        for path in paths:
            assigned[path] = story_id if assigned.get(path) in (None, story_id) else "several"
    for part in ("tune", "heldout"):
        subset = {p for p, e in rows.items() if e.split == part}
        print(line(part, truth, members, assigned, subset))
        print("  " + line("of which new (origin v2)", truth, members, assigned,
                          {p for p in subset if rows[p].origin == "v2"}))
        print("\n".join(breakdown("class", lambda p: rows[p].kind, truth, members, assigned, subset)))
        print("\n".join(breakdown("language", lambda p: langs[p], truth, members, assigned, subset)))
        print("\n".join(breakdown("story", lambda p: truth[p], truth, members, assigned, subset)))
        print()
    if proposed is not None:
        print("\n".join(suggest_report(proposed, truth, rows)))
        print()
    print("misses (labelled a member, not made one):")
    for path in sorted(p for p in truth if truth[p] != "none" and assigned.get(p) != truth[p]):
        why = reasons[truth[path]].get(path, "out: names none of the story's entities as the table spells them")
        print(f"  [{rows[path].split}/{rows[path].kind}] {path} ({truth[path]})\n      {why}")
    print("false members (made a member of a story it does not belong to):")
    for path in sorted(p for p in truth if assigned.get(p, "none") not in ("none", truth[p])):
        for story_id in sorted(s for s, paths in members.items() if path in paths and s != truth[path]):
            print(f"  [{rows[path].split}/{rows[path].kind}] {path} (truly {truth[path]}, made {story_id})\n"
                  f"      {reasons[story_id][path]}")


if __name__ == "__main__":
    main()
