"""Read and validate ``site.yaml``: a misspelt key or a wrong type is an error with its line."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from builder.lang import i18n
from builder.errors import Problem, read_source, with_source
from builder.model import SiteConfig
from builder.read.yamlio import TYPES, check_mapping, load_yaml

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
FALLBACK_LANGUAGE, FALLBACK_URL = "en", "https://example.invalid/"  # stand-ins while site.yaml has errors
# a host (and port), then a path of characters a page can quote as they are: no user:pass@, no "<>\\`{|}^
_URL = re.compile(r"^https?://[\w.-]+(:\d{1,5})?(/[^\s?#\"<>\\`{|}^]*)?$")


def load_config(root: Path, base_url: str | None = None) -> tuple[SiteConfig | None, list[Problem]]:
    """Parse ``root/site.yaml``; None with the problems when it has errors."""
    config, problems = read_config(root, base_url)
    return (None if any(not p.warning for p in problems) else config), problems


def read_config(root: Path, base_url: str | None = None) -> tuple[SiteConfig | None, list[Problem]]:
    """Parse ``root/site.yaml``; ``base_url`` (from the command line) overrides the file's.

    A key in error is reported and its default used, so that the content can still be read and every
    problem of the site reported at once; None only when the file cannot be read as a mapping."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return None, [Problem(CONFIG_FILE, None, f"no {CONFIG_FILE} in {root} (run from the site folder or pass --site)")]
    text, problems = read_source(path, CONFIG_FILE)
    if text is None:
        return None, problems
    doc, problems = load_yaml(text, CONFIG_FILE)
    if doc is None:
        return None, problems
    problems = check_mapping(doc, SCHEMA, CONFIG_FILE, required=REQUIRED, where=1)
    if not isinstance(doc.data, dict):
        return None, with_source(problems, CONFIG_FILE, text)
    data = {key: value for key, value in doc.data.items()
            if key in SCHEMA and value is not None and TYPES[SCHEMA[key]](value)}

    def at(key: str) -> dict[str, int | None]:
        return {"line": doc.line(key, 1), "col": doc.col(key)}

    def lang_list(key: str, values: list[str]) -> list[str]:
        out = []
        for value in values:
            try:
                out.append(i18n.language(i18n.normalize_code(value)).code)
            except ValueError as exc:
                problems.append(Problem(CONFIG_FILE, message=f"{key}: {exc}", **at(key)))
        return out

    default = lang_list("default_language", [data["default_language"]] if "default_language" in data else [])
    default = default or [FALLBACK_LANGUAGE]
    languages = lang_list("languages", data.get("languages") or default) or default
    summary = lang_list("summary_languages", data.get("summary_languages") or ["en", "ru"])
    url = base_url or data.get("base_url", FALLBACK_URL)
    why = _url_problem(url)
    if why:
        problems.append(Problem(CONFIG_FILE, message=f"base_url '{url}' {why}", **at("base_url")) if not base_url
                        else Problem("--base-url", None, f"'{url}' {why}"))
        url = FALLBACK_URL
    for key in ("words_per_minute", "latest_count", "max_file_bytes"):
        if key in data and data[key] <= 0:
            problems.append(Problem(CONFIG_FILE, message=f"{key} must be a positive integer", **at(key)))
            del data[key]
    for code in languages:
        if not i18n.has_catalog(code):
            problems.append(Problem(CONFIG_FILE, message=f"languages: no interface catalog for '{code}'; its pages "
                                    "will use English interface strings", warning=True, **at("languages")))

    def per_language(key: str) -> dict[str, str]:
        """A text given once, or per language: the codes checked as the languages' are (``{1: x}`` too)."""
        value = data.get(key)
        if value is None or isinstance(value, str):
            return {} if value is None else {default[0]: value}
        out = {}
        for code, text in value.items():
            try:
                out[i18n.language(i18n.normalize_code(str(code))).code] = text
            except ValueError as exc:
                problems.append(Problem(CONFIG_FILE, message=f"{key}.{code}: {exc}", **at(f"{key}.{code}")))
        return out

    title = per_language("title")
    if "title" in data and default[0] not in title:
        problems.append(Problem(CONFIG_FILE, message=f"title has no entry for the default language '{default[0]}'",
                                **at("title")))
    known = {f.name for f in fields(SiteConfig)}
    options = {k: v for k, v in data.items() if k in known and k not in {"title", "description", "languages",
                                                                       "summary_languages", "base_url", "default_language"}}
    return SiteConfig(
        root=root,
        title={default[0]: "", **title},
        description=per_language("description"),
        base_url=url.rstrip("/") + "/",
        default_language=default[0],
        languages=tuple(languages),
        summary_languages=tuple(summary),
        **options,
    ), with_source(problems, CONFIG_FILE, text)


def _url_problem(url: str) -> str | None:
    """What is wrong with a base URL, which every page and feed quotes, or None."""
    if _URL.match(url):
        return None
    if "@" in url.partition("://")[2].split("/", 1)[0]:
        return "must not carry a user name or password (user:pass@): every page would publish them"
    return "must be an absolute http(s) URL with no spaces or \"<>\\`{|}^, e.g. https://user.github.io/repo/"
