"""Babel extractors for interface strings that live in data files rather than in ``_()`` calls.

The "Key figures across sources" table shows each figure's label through the
catalog (``render.fact_row``), so every label ``builder/data/figures.yaml`` can
produce must reach ``messages.pot``; babel.cfg maps that file here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import IO, Any

import yaml

Extracted = tuple[int, None, str, list[str]]


def fact_labels(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
                options: dict[str, Any]) -> Iterator[Extracted]:
    """Each concept's label, and each change named after each subject ("{} growth" → "trade growth")."""
    concepts = yaml.safe_load(fileobj)["concepts"]
    subjects = [c["subject"] for c in concepts if c.get("subject")]
    labels = [c["label"] for c in concepts]
    labels += [c["change"].format(subject) for c in concepts if c.get("change") for subject in subjects]
    for label in dict.fromkeys(labels):
        yield 0, None, label, ["A row label of the key figures table on story pages (a noun phrase)."]
