"""Read and validate ``site.yaml``: a misspelt key or a wrong type is an error with its line."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from . import i18n
from .errors import Problem
from .model import SiteConfig
from .yamlio import check_mapping, load_yaml

CONFIG_FILE = "site.yaml"
SCHEMA = {
    "title": "string or mapping of strings",
    "description": "string or mapping of strings",
    "base_url": "string",
    "default_language": "string",
    "languages": "list of strings",
    "summary_languages": "list of strings",
    "words_per_minute": "integer",
    "latest_count": "integer",
    "max_file_bytes": "integer",
    "allow_future": "boolean",
    "feeds": "boolean",
    "sitemap": "boolean",
    "search": "boolean",
    "cname": "string",
}
REQUIRED = ("title", "base_url", "default_language")
_URL = re.compile(r"^https?://[^/\s]+(/[^\s?#]*)?$")


def load_config(root: Path, base_url: str | None = None) -> tuple[SiteConfig | None, list[Problem]]:
    """Parse ``root/site.yaml``; ``base_url`` (from the command line) overrides the file's."""
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(CONFIG_FILE, None, f"no {CONFIG_FILE} in {root} (run from the site folder or pass --site)")]
    except UnicodeDecodeError as exc:
        return None, [Problem(CONFIG_FILE, None, f"not valid UTF-8 ({exc.reason}); save it as UTF-8")]
    doc, problems = load_yaml(text, CONFIG_FILE)
    if doc is None:
        return None, problems
    problems = check_mapping(doc, SCHEMA, CONFIG_FILE, required=REQUIRED, where=1)
    if problems:
        return None, problems
    data = doc.data

    def where(key: str) -> int | None:
        return doc.line(key, 1)

    def lang_list(key: str, values: list[str]) -> list[str]:
        out = []
        for value in values:
            try:
                out.append(i18n.language(i18n.normalize_code(value)).code)
            except ValueError as exc:
                problems.append(Problem(CONFIG_FILE, where(key), f"{key}: {exc}"))
        return out

    default = lang_list("default_language", [data["default_language"]])
    languages = lang_list("languages", data.get("languages") or [data["default_language"]])
    summary = lang_list("summary_languages", data.get("summary_languages") or ["en", "ru"])
    url = base_url or data["base_url"]
    if not _URL.match(url):
        problems.append(Problem(CONFIG_FILE if not base_url else "--base-url", where("base_url") if not base_url else None,
                                f"base_url '{url}' must be an absolute http(s) URL, e.g. https://user.github.io/repo/"))
    for key in ("words_per_minute", "latest_count", "max_file_bytes"):
        if key in data and data[key] <= 0:
            problems.append(Problem(CONFIG_FILE, where(key), f"{key} must be a positive integer"))
    for code in languages:
        if not i18n.has_catalog(code):
            problems.append(Problem(CONFIG_FILE, where("languages"), f"languages: no interface catalog for '{code}'; "
                                    f"its pages will use English interface strings", warning=True))
    if any(not p.warning for p in problems):
        return None, problems

    def per_language(value: str | dict[str, str] | None) -> dict[str, str]:
        if value is None:
            return {}
        return {default[0]: value} if isinstance(value, str) else {i18n.normalize_code(k): v for k, v in value.items()}

    title = per_language(data["title"])
    if default[0] not in title:
        return None, [Problem(CONFIG_FILE, where("title"), f"title has no entry for the default language '{default[0]}'")]
    known = {f.name for f in fields(SiteConfig)}
    options = {k: v for k, v in data.items() if k in known and k not in {"title", "description", "languages",
                                                                       "summary_languages", "base_url", "default_language"}}
    return SiteConfig(
        root=root,
        title=title,
        description=per_language(data.get("description")),
        base_url=url.rstrip("/") + "/",
        default_language=default[0],
        languages=tuple(languages),
        summary_languages=tuple(summary),
        **options,
    ), problems
