"""Safe YAML reading that keeps line numbers and refuses what PyYAML lets slip.

PyYAML silently keeps the last of two equal keys, turns ``no`` into ``False``,
parses ``2025-13-01`` into an exception with no position, and expands alias
bombs. Every reader of front matter, ``site.yaml`` and story files goes through
here, so those rules hold everywhere.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import yaml

from .errors import Problem

MAX_ALIASES = 50  # front matter and site.yaml need few, if any; a bomb needs many


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader (libyaml's when installed: ten times faster) without implicit timestamps,
    and with YAML 1.2 booleans only."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class YamlDoc:
    """Parsed data plus the 1-based line of every key, by dotted path (``title.en``)."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, key: str, default: int | None = None) -> int | None:
        return self.lines.get(key, default)


def load_yaml(text: str, path: str, first_line: int = 1) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse ``text`` (which starts at ``first_line`` of ``path``); return the doc or problems."""
    offset = first_line - 1
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return YamlDoc(None), []
            lines: dict[str, int] = {}
            seen: dict[int, int] = {}
            problems = _walk(node, "", path, offset, lines, seen)
            aliases = sum(seen.values())
            if aliases > MAX_ALIASES:
                return None, [Problem(path, first_line, f"too many YAML aliases ({aliases}); refusing to expand")]
            if problems:
                return None, problems
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else first_line
        col = mark.column + 1 if mark else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        hint = "values containing ': ' must be quoted" if "mapping values" in message else ""
        if "\t" in message or "tab" in message:
            hint = "indent YAML with spaces, not tabs"
        return None, [Problem(path, line, f"invalid YAML: {message}", col=col, hint=hint)]
    except yaml.YAMLError as exc:
        return None, [Problem(path, first_line, f"invalid YAML: {exc}")]
    return YamlDoc(data, lines), []


def _walk(node: yaml.Node, prefix: str, path: str, offset: int, lines: dict[str, int],
          seen_nodes: dict[int, int]) -> list[Problem]:
    """Record key lines and report keys given twice, naming both lines.

    An alias points at a node already walked: it is counted, not walked again, which would expand
    an alias bomb."""
    problems: list[Problem] = []
    if id(node) in seen_nodes:
        seen_nodes[id(node)] += 1
        return problems
    seen_nodes[id(node)] = 0
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1 + offset
            dotted = f"{prefix}{key}"
            if key in seen:
                problems.append(Problem(path, line, f"key '{dotted}' is given twice (lines {seen[key]} and {line})"))
            seen[key] = line
            lines[dotted] = line
            problems += _walk(value_node, dotted + ".", path, offset, lines, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[f"{prefix}{i}"] = item.start_mark.line + 1 + offset
            problems += _walk(item, f"{prefix}{i}.", path, offset, lines, seen_nodes)
    return problems


# --- a small schema checker -------------------------------------------------

Check = Callable[[Any], bool]

TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "list of strings": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "mapping of strings": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
    "string or mapping of strings": lambda v: isinstance(v, str)
    or (isinstance(v, dict) and all(isinstance(x, str) for x in v.values())),
    "mapping": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
    "date": lambda v: isinstance(v, (str, int)),
}


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list",
            dict: "mapping", type(None): "nothing"}.get(type(value), type(value).__name__)


def check_mapping(
    doc: YamlDoc,
    schema: dict[str, str],
    path: str,
    *,
    required: tuple[str, ...] = (),
    prefix: str = "",
    unknown_is_error: bool = True,
    where: int | None = None,
) -> list[Problem]:
    """Check a mapping's keys and value types against ``schema`` (key → type name in TYPES)."""
    data = doc.data if not prefix else _get(doc.data, prefix)
    base_line = doc.line(prefix.rstrip("."), where) if prefix else where
    if not isinstance(data, dict):
        what = "front matter" if not prefix else prefix.rstrip(".")
        return [Problem(path, base_line, f"{what} must be a mapping, got {_type_name(data)}")]
    problems = []
    for key in required:
        if data.get(key) in (None, ""):
            problems.append(Problem(path, doc.line(prefix + key, base_line), f"required field '{prefix}{key}' is missing"))
    for key, value in data.items():
        line = doc.line(f"{prefix}{key}", base_line)
        expected = schema.get(str(key))
        if expected is None:
            close = difflib.get_close_matches(str(key), schema, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(schema))}"
            problems.append(Problem(path, line, f"unknown key '{prefix}{key}', {hint}" if close else
                                    f"unknown key '{prefix}{key}'", hint="" if close else hint,
                                    warning=not unknown_is_error))
        elif value is not None and not TYPES[expected](value):
            article = "an" if expected[0] in "aeiou" else "a"
            problems.append(Problem(path, line, f"'{prefix}{key}' must be {article} {expected}, got {_type_name(value)}"))
    return problems


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.rstrip(".").split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data
