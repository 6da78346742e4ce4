"""The story export: ``api/clusters.json`` listing the stories, ``api/stories/<id>.json`` per story.

A story's file holds its facts and its strongest members and background articles, each with
the evidence that placed it, and counts of all; when a list is longer, its complete list is
cut into numbered files (``api/stories/<id>/members/<n>.json``, ``.../background/<n>.json``,
in date order) that the story's file names. Every file stays bounded however many articles a
story gathers (about 1.5 KB per listed article: under 200 KB, the story's file adding 70 bytes
per 100 articles to name its numbered files), and an edit rewrites the story's file and the one
numbered file listing the article.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from builder.model import Decision, Story
from builder.read.entities import ENTITIES_FILE
from builder.render.jobs import ALL, LINKS, Job, sort_key
from builder.render.pages import Renderer, story_path, strongest
from builder.stories.report import stories_json

API_SHOWN = 40  # members, and background articles, in a story's file: the strongest, with a count of all
API_PAGE = 100  # articles per numbered file of a complete list


def api_jobs(r: Renderer) -> list[Job]:
    """Each story's file and the numbered files of its long lists, and ``api/clusters.json`` listing the stories."""
    site = r.site
    base = site.config.base_path
    jobs = []
    for story in site.stories:
        lists = {role: _numbered(r, story, role, decisions)
                 for role, decisions in (("members", story.members), ("background", story.background))}

        def run(story: Story = story, lists: dict[str, list[tuple[str, Sequence[Decision]]]] = lists) -> bytes:
            shown = dataclasses.replace(story, members=_best(story.members), background=_best(story.background))
            (data,) = stories_json([shown], site.articles, base)["stories"]
            data["member_count"], data["background_count"] = len(story.members), len(story.background)
            data["member_pages"] = [base + path for path, _ in lists["members"]]
            data["background_pages"] = [base + path for path, _ in lists["background"]]
            return _json(data)

        deps = {ALL, ENTITIES_FILE, story.spec.path, *(d.article for d in (*story.members, *story.background))}
        jobs.append(Job(api_story_path(story), frozenset(deps), run))
        for role, cut in lists.items():
            for n, (path, decisions) in enumerate(cut, 1):
                def page(story: Story = story, role: str = role, n: int = n, count: int = len(cut),
                         decisions: Sequence[Decision] = decisions) -> bytes:
                    (data,) = stories_json([dataclasses.replace(story, members=tuple(decisions), background=())],
                                           site.articles, base)["stories"]
                    return _json({"id": story.spec.id, "page": n, "pages": count, role: data["members"]})

                # the articles it lists are named among its inputs, so a change of which ones it lists changes
                # them; their evidence follows from the entities and the story file: an edit reaches one file
                jobs.append(Job(path, frozenset({ENTITIES_FILE, story.spec.path, LINKS + path + "\0" + str(len(cut)),
                                                 *(d.article for d in decisions)}), page))

    def index() -> bytes:
        return _json({"stories": [{
            "id": s.spec.id, "title": dict(s.spec.title),
            "window": {"start": s.spec.start.isoformat(), "end": s.spec.end.isoformat()},
            "url": base + story_path(s, site.config.default_language, site.config.default_language),
            "api": base + api_story_path(s), "members": len(s.members), "background": len(s.background),
        } for s in site.stories]})

    deps = {"site.yaml", ALL, ENTITIES_FILE, *(s.spec.path for s in site.stories),
            *(d.article for s in site.stories for d in (*s.members, *s.background))}
    return [*jobs, Job("api/clusters.json", frozenset(deps), index)]


def _best(decisions: Sequence[Decision]) -> tuple[Decision, ...]:
    """The API_SHOWN best-scored, in the story's order (one kind: no spreading over outlets or languages)."""
    return tuple(strongest(decisions, API_SHOWN, lambda d: d.score, lambda d: None))


def _numbered(r: Renderer, story: Story, role: str, decisions: Sequence[Decision]) -> list[tuple[str, Sequence[Decision]]]:
    """A list longer than the story's file shows, in date order, as (path, decisions) per numbered file."""
    if len(decisions) <= API_SHOWN:
        return []
    ordered = sorted(decisions, key=lambda d: sort_key(r.by_path[d.article]))
    return [(f"api/stories/{story.spec.id}/{role}/{n}.json", ordered[start:start + API_PAGE])
            for n, start in enumerate(range(0, len(ordered), API_PAGE), 1)]


def api_story_path(story: Story) -> str:
    return f"api/stories/{story.spec.id}.json"


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")  # compact: C encoder, 10x faster
