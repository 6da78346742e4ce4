"""A tiny HTML scanner for tests: judge output by parsing it, never by regex."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children_text: list[str] = field(default_factory=list)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.texts: list[str] = []
        self.ends: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(el)
        if tag not in {"meta", "link", "br", "img", "hr", "input", "source", "wbr"}:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        self.ends[tag] += 1
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if not any(el.tag in {"script", "style"} for el in self.stack):
            self.texts.append(data)
        for el in self.stack:
            el.children_text.append(data)


@dataclass
class Page:
    elements: list[Element]
    text: str  # visible text: no script or style content
    ends: Counter[str] = field(default_factory=Counter)  # end tags as written, by tag name

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    def text_of(self, el: Element) -> str:
        return "".join(el.children_text).strip()

    def json_ld(self) -> list[dict]:
        return [json.loads(self.text_of(e)) for e in self.all("script", type="application/ld+json")]


def scan(html: str) -> Page:
    s = _Scanner()
    s.feed(html)
    s.close()
    return Page(s.elements, "".join(s.texts), s.ends)
