"""Safe YAML reading that keeps line numbers and refuses what PyYAML lets slip.

PyYAML silently keeps the last of two equal keys, turns ``no`` into ``False``,
parses ``2025-13-01`` into an exception with no position, and expands alias
bombs. Every reader of front matter, ``site.yaml`` and story files goes through
here, so those rules hold everywhere.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from builder.errors import UNSAFE, Problem, describe, unsafe_characters, with_source

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
    """Parsed data plus where every key is, by dotted path (``title.en``): its 1-based line, and the
    1-based columns of the key and of its value (None when the value starts on a later line)."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    cols: dict[str, tuple[int, int | None]] = field(default_factory=dict)

    def line(self, key: str, default: int | None = None) -> int | None:
        return self.lines.get(key, default)

    def col(self, key: str, of_value: bool = True) -> int | None:
        """The column a problem with ``key``'s value (or with the key itself) points at."""
        key_col, value_col = self.cols.get(key, (None, None))
        return value_col if of_value and value_col is not None else key_col

    def sub(self, prefix: str, data: Any) -> YamlDoc:
        """``data``, the value under ``prefix`` (ending with a dot), as a document of its own, positions kept."""
        n = len(prefix)
        return YamlDoc(data, {k[n:]: v for k, v in self.lines.items() if k.startswith(prefix)},
                       {k[n:]: v for k, v in self.cols.items() if k.startswith(prefix)})


def load_yaml(text: str, path: str, first_line: int = 1) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse ``text`` (which starts at ``first_line`` of ``path``); return the doc or problems.

    Problems carry their line and column in ``path`` and the offending line of ``text``. A value may not
    carry a C1 control or a noncharacter: libyaml rejects some with no line, takes U+0085 for a line break
    and lets the others through to pages and feeds."""
    unsafe = unsafe_characters(path, text, first_line)
    if unsafe:
        return None, with_source(unsafe, path, text, first_line)
    place = _placer(text, first_line)
    doc = YamlDoc(None)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return doc, []
            seen: dict[int, int] = {}
            problems = _walk(node, "", path, place, doc, seen)
            aliases = sum(seen.values())
            if aliases > MAX_ALIASES:
                problems = [Problem(path, first_line, f"too many YAML aliases ({aliases}); refusing to expand",
                                    hint=f"a file may use at most {MAX_ALIASES} aliases (*name)")]
            if not problems:
                doc.data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        problems = [_syntax_problem(exc, text, path, place, first_line)]
    except yaml.YAMLError as exc:
        problems = [Problem(path, first_line, f"invalid YAML: {exc}")]
    if problems:
        return None, with_source(problems, path, text, first_line)
    return doc, []


Place = Callable[[yaml.Mark], tuple[int, int]]
_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]|\r(?!\n)")


def _placer(text: str, first_line: int) -> Place:
    """(line in the file, column) of a libyaml mark, both 1-based. libyaml also breaks lines at U+0085,
    U+2028, U+2029 and a lone CR (YAML 1.1); editors, and every other message here, count only LF."""
    if not _OTHER_BREAKS.search(text):
        return lambda mark: (mark.line + first_line, mark.column + 1)

    def place(mark: yaml.Mark) -> tuple[int, int]:
        start = text.rfind("\n", 0, mark.index) + 1
        return text.count("\n", 0, mark.index) + first_line, mark.index - start + 1

    return place


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, path: str, place: Place, first_line: int) -> Problem:
    """libyaml's error, worded for an editor and placed where the mistake is (an unclosed quote or
    bracket: where it opens, not where the parser gave up)."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return Problem(path, first_line, f"invalid YAML: {exc.problem or exc}")
    line, col = place(mark)
    lines = text.split("\n")
    source = lines[line - first_line] if line - first_line < len(lines) else ""
    problem, context = exc.problem or "", exc.context or ""
    opened = exc.context_mark
    message, hint = f"{problem} ({context})" if context else problem, ""
    if "tab" in problem or source[col - 1 : col] == "\t":
        message, hint = "a tab character in the indentation", "indent YAML with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        message = "mapping values are not allowed here"
        key, _, value = source.partition(": ")
        hint = (f"quote the value: {key.strip()}: {json.dumps(value.strip(), ensure_ascii=False)}"
                if re.fullmatch(r"\s*[\w.-]+", key) and value.strip() else "values containing ': ' must be quoted")
    elif opened is not None and place(opened)[0] != line and ("quoted scalar" in context or "flow" in context):
        line, col = place(opened)
        what = {"quoted scalar": "the quote", "flow sequence": "'['", "flow mapping": "'{'"}
        message = next(f"{name} opened here is never closed" for key, name in what.items() if key in context)
        hint = ("close it on the same line, or quote the whole value" if "flow" in context
                else "close the quote, or escape a quote inside the text ('' in single quotes, \\\" in double)")
    elif "constructor for the tag" in problem:
        tag = re.search(r"'([^']*)'", problem)
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!") if tag else "this tag"
        message = f"the tag {name} is not allowed"
        hint = "only plain data is read (text, numbers, true/false, lists, mappings): remove the tag"
    return Problem(path, line, message, col=col, hint=hint)


def _walk(node: yaml.Node, prefix: str, path: str, place: Place, doc: YamlDoc,
          seen_nodes: dict[int, int]) -> list[Problem]:
    """Record where every key is and report keys given twice, naming both lines.

    An alias points at a node already walked: it is counted, not walked again, which would expand
    an alias bomb."""
    problems: list[Problem] = []
    if id(node) in seen_nodes:
        seen_nodes[id(node)] += 1
        return problems
    seen_nodes[id(node)] = 0
    if isinstance(node, yaml.ScalarNode):
        return _controls(node, path, place)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            problems += _controls(key_node, path, place)
            key = str(key_node.value)
            (line, col), (value_line, value_col) = place(key_node.start_mark), place(value_node.start_mark)
            dotted = f"{prefix}{key}"
            if key in seen:
                problems.append(Problem(path, line, f"key '{dotted}' is given twice (lines {seen[key]} and {line})",
                                        col=col, hint="keep one of them: YAML would silently use the last"))
            seen[key] = line
            doc.lines[dotted] = line
            doc.cols[dotted] = (col, value_col if value_line == line else None)
            problems += _walk(value_node, dotted + ".", path, place, doc, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            line, col = place(item.start_mark)
            doc.lines[f"{prefix}{i}"] = line
            doc.cols[f"{prefix}{i}"] = (col, col)
            problems += _walk(item, f"{prefix}{i}.", path, place, doc, seen_nodes)
    return problems


def _controls(node: yaml.Node, path: str, place: Place) -> list[Problem]:
    """A control character or noncharacter written as an escape ("\\0", "\\e", "\\uFFFF"): the file's text
    has none, but the value would carry it into pages, feeds and terminals."""
    bad = UNSAFE.search(node.value) if isinstance(node, yaml.ScalarNode) else None
    if bad is None:
        return []
    line, col = place(node.start_mark)
    return [Problem(path, line, f"{describe(bad.group())} written as an escape", col=col,
                    hint="remove it: pages and feeds must not carry it")]


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
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):  # blank in any script, too
            problems.append(Problem(path, doc.line(prefix + key, base_line), f"required field '{prefix}{key}' is missing",
                                    col=doc.col(prefix + key, of_value=False)))
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        line = doc.line(dotted, base_line)
        expected = schema.get(str(key))
        if expected is None:
            close = difflib.get_close_matches(str(key), schema, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(schema))}"
            problems.append(Problem(path, line, f"unknown key '{dotted}', {hint}" if close else
                                    f"unknown key '{dotted}'", col=doc.col(dotted, of_value=False),
                                    hint="" if close else hint, warning=not unknown_is_error))
        elif value is not None and not TYPES[expected](value):
            article = "an" if expected[0] in "aeiou" else "a"
            problems.append(Problem(path, line, f"'{dotted}' must be {article} {expected}, got {_type_name(value)}",
                                    col=doc.col(dotted), hint=_type_hint(str(key), expected, value)))
    return problems


def _type_hint(key: str, expected: str, value: Any) -> str:
    """How to write a value of the expected type, from the value given where that helps."""
    if expected.startswith("list"):
        return f"write a list: {key}: [{value}]" if isinstance(value, str) else f"write a list: {key}: [a, b]"
    if expected.startswith("string"):
        return "put the value in double quotes, or write one per language (en: …)" if "mapping" in expected \
            else "put the whole value in double quotes"
    return {"boolean": "write true or false", "integer": "write a whole number, without quotes",
            "date": "write an ISO date, e.g. 2025-11-26"}.get(expected, "")


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.rstrip(".").split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data
