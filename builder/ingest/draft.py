"""What an extractor gives: an article's fields as read from a text or a page, before checks and writing."""

from __future__ import annotations

from dataclasses import dataclass, field

from builder.model import Moment


@dataclass
class Draft:
    """Fields read from a source; ``None`` where the source did not say. ``confidence`` is 0..1 per field."""

    title: str
    body: str  # Markdown
    date: Moment | None = None
    source: str | None = None  # the outlet, when the source names it
    author: str | None = None
    url: str | None = None  # canonical URL
    description: str | None = None
    image: str | None = None
    section: str | None = None
    lang: str | None = None  # what the page declares (<html lang>), a hint only
    confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
