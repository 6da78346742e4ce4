"""Story decisions told: in words for the editor (``digest clusters``), as data for ``api/clusters.json``."""

from __future__ import annotations

from collections.abc import Sequence

from builder.lang import i18n
from builder.model import Article, Decision, Fact, Mention, Story


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
                lines += [f"      {e.weight:+.2f} {e.kind}: {e.detail}" for e in d.evidence]
        lines.append(f"  out ({len(story.left_out) + story.unnamed}):")
        lines += [f"    {d.article}: {d.reason} [{_mentions_text(d.mentions)}]" for d in story.left_out]
        if story.unnamed:
            lines.append(f"    {story.unnamed} article{'s' if story.unnamed != 1 else ''} out: no entity mentioned")
        lines.append(f"  facts ({len(story.facts)}):")
        for f in story.facts:
            extra = f"  CONFLICT: {_who_gave(f, by_path)}" if f.conflict else ""
            period = f" ({f.period})" if f.period else ""
            lines.append(f"    {f.label}{period}: {_number_text(f.value)} {f.unit} from {len(f.mentions)} mention(s){extra}")
        lines.append("")
    return "\n".join(lines) if lines else "No stories under content/clusters/.\n"


def _who_gave(fact: Fact, by_path: dict[str, Article]) -> str:
    """"1800 by Reuters, 24.kg; 1700 by TRT": which outlet gave which value."""
    given: dict[float, list[str]] = {}
    for m in fact.mentions:
        a = by_path.get(m.article)
        given.setdefault(m.value if m.value is not None else fact.value, []).append((a.source if a else "") or m.article)
    return "; ".join(f"{_number_text(v)} by {', '.join(dict.fromkeys(names))}" for v, names in sorted(given.items()))


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
                         "dates": [x.isoformat() for x in d.dates], "reason": d.reason,
                         "pieces": [{"kind": e.kind, "weight": e.weight, "detail": e.detail} for e in d.evidence]},
        }

    return {"stories": [{
        "id": s.spec.id, "title": dict(s.spec.title),
        "window": {"start": s.spec.start.isoformat(), "end": s.spec.end.isoformat()},
        "members": [item(d) for d in s.members], "background": [item(d) for d in s.background],
        "facts": [{"label": f.label, "period": f.period, "value": _plain(f.value), "unit": f.unit,
                   "mentions": [{"path": m.article, "text": m.text, "source": by_path[m.article].source,
                                 "value": None if m.value is None else _plain(m.value)} for m in f.mentions],
                   "conflict": f.conflict, "alternatives": [_plain(x) for x in f.alternatives]} for f in s.facts],
    } for s in stories]}
