"""The labelled evaluation set: its site, its labels and split, and the scores of a clustering on it.

Shared by tests/test_clusters.py and tests/tools/eval.py (``make eval``), so the test and the report
measure the same site the same way.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from conftest import REPO, write_site

LABELLED = REPO / "tests" / "fixtures" / "labelled"
ENTITIES = "content/entities.yaml"
# What an article is to its event: the story's own coverage, or the kind of near miss it is.
CLASSES = ("member", "republished", "caption", "preview", "follow-up", "near-miss-time", "near-miss-place",
           "analysis", "opinion", "anniversary", "unrelated")


def labelled_site(root: Path) -> Path:
    """The real site (sample articles, story, entity table) plus the labelled folder, written to ``root``.

    The extra stories name entities the real table lacks: the fixture's entities.yaml is appended to the
    real table rather than replacing it, so both sets of stories resolve."""
    write_site(root)
    shutil.copytree(LABELLED / "content", root / "content", dirs_exist_ok=True)
    extra = (LABELLED / "entities.yaml").read_text(encoding="utf-8")
    table = root / ENTITIES
    table.write_text(table.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + extra, encoding="utf-8")
    return root


def variety_site(root: Path) -> Path:
    """The labelled site with an interface in every language its articles are written in (32, in 13 scripts):
    the fixture site of tests/test_fixture_site.py and of ``make screenshots``' Arabic and Korean pages."""
    labelled_site(root)
    langs = sorted({line.split(":", 1)[1].strip() for md in (root / "content" / "articles").rglob("*.md")
                    for line in md.read_text(encoding="utf-8").splitlines() if line.startswith("lang:")})
    config = root / "site.yaml"
    config.write_text(re.sub(r"(?m)^languages: .*$", f"languages: [en, {', '.join(langs)}]",
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    return root


def labels() -> dict[str, str]:
    """Article path → the story it truly belongs to, or ``none``."""
    return yaml.safe_load((LABELLED / "labels.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Entry:
    """One article's row in split.yaml: which part it is scored in, its class, and its origin."""

    path: str
    split: str
    kind: str
    origin: str


def split() -> dict[str, Entry]:
    """Article path → its split.yaml row; fixed data, so a change to the code never moves an article."""
    data = yaml.safe_load((LABELLED / "split.yaml").read_text(encoding="utf-8"))
    return {path: Entry(path, row["split"], row["class"], row["origin"]) for path, row in data.items()}


@dataclass(frozen=True)
class Score:
    """Pairwise precision and recall of story membership over a set of articles."""

    truth: frozenset[frozenset[str]]
    predicted: frozenset[frozenset[str]]

    @property
    def precision(self) -> float:
        return len(self.truth & self.predicted) / len(self.predicted) if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return len(self.truth & self.predicted) / len(self.truth) if self.truth else 1.0


def pairs(groups: Iterable[Iterable[str]]) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(pair) for group in groups for pair in itertools.combinations(sorted(set(group)), 2))


def pairwise(truth: dict[str, str], members: dict[str, set[str]], subset: set[str]) -> Score:
    """Pairs of ``subset`` that share a true story against pairs that a predicted story holds together."""
    stories = {s for p, s in truth.items() if p in subset} - {"none"}
    return Score(pairs([p for p in subset if truth[p] == s] for s in stories),
                 pairs([p for p in group if p in subset] for group in members.values()))


def mixed(groups: dict[str, set[str]], truth: dict[str, str], subset: set[str]) -> list[str]:
    """Proposed groups (``digest suggest``) holding two articles of ``subset`` from different events, or
    two labelled ``none``, which no label says are one event."""
    out = []
    for name, paths in groups.items():
        labels = [truth[p] for p in paths if p in subset]
        if len(labels) >= 2 and (len(set(labels)) > 1 or labels[0] == "none"):
            out.append(name)
    return out


def recovered(groups: dict[str, set[str]], truth: dict[str, str], subset: set[str]) -> set[str]:
    """Events of which some proposed group holds two articles of ``subset``, and nothing of another event."""
    found = set()
    for paths in groups.values():
        labels = {truth[p] for p in paths}
        inside = [p for p in paths if p in subset]
        if len(labels) == 1 and len(inside) >= 2 and labels != {"none"}:
            found |= labels
    return found
