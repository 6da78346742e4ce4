"""The theme: where templates and static files come from, the Jinja environment, and template errors
turned into problems with the template's file and line."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from builder.errors import Problem, rel, with_source

DEFAULT_THEME = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE_INCLUDES = ("base.html", "macros.html")
# The templates a page is rendered from; every other file of the theme (base.html, macros, a partial a
# site adds) is a dependency of every page, under PARTIALS: an include no job names is never missed.
PAGE_TEMPLATES = frozenset({"404.html", "archive.html", "article.html", "home.html", "language.html", "search.html",
                            "stories.html", "story.html", "story_list.html"})
PARTIALS = "templates/*"


def theme_dirs(root: Path) -> tuple[Path, ...]:
    """Where templates are found, first match wins: the site's ``templates/`` overrides the builder's theme
    file by file (as Hugo's ``layouts/`` or MkDocs's ``custom_dir``), so a site changes one template without
    copying the others, and still gets the theme's fixes for the rest."""
    return _overlay(root / "templates", DEFAULT_THEME)


def static_dirs(root: Path) -> tuple[Path, ...]:
    """Where static files are found, first match wins: the site's ``static/``, then the theme's."""
    return _overlay(root / "static", DEFAULT_THEME.parent / "static")


def _overlay(own: Path, theme: Path) -> tuple[Path, ...]:
    """``own`` (when it is a folder) before ``theme``; once when they are one folder (the sample site's)."""
    return (theme,) if not own.is_dir() or own.resolve() == theme else (own, theme)


def layered_files(folders: tuple[Path, ...]) -> dict[str, Path]:
    """Every file under ``folders`` by its path relative to its folder, the first folder's winning;
    hidden files and folders (``.git``, ``.DS_Store``) are not part of a theme."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            parts = path.relative_to(folder).parts
            if not any(part.startswith(".") for part in parts) and (path.is_file() or path.is_symlink()):
                found.setdefault("/".join(parts), path)
    return found


def layered_file(folders: tuple[Path, ...], name: str) -> Path:
    """The file ``name`` resolves to: in the first folder that has it (the last folder's path when none)."""
    return next((folder / name for folder in folders if (folder / name).is_file()), folders[-1] / name)


def make_env(root: Path) -> jinja2.Environment:
    """A strict Jinja environment: an undefined variable is an error, never an empty string. One per set of
    winning template files: a template added to or removed from the site's folder (the dev server) makes
    a new one, since Jinja would keep using the file it first found."""
    dirs = theme_dirs(root)
    return _env(dirs, tuple(layered_files(dirs).items()))


@lru_cache(maxsize=8)
def _env(dirs: tuple[Path, ...], files: tuple[tuple[str, Path], ...]) -> jinja2.Environment:
    """One per theme and process: the dev server then compiles only templates that changed
    (Jinja checks each template's modification time when it is used)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(dirs)),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["tojson_ld"] = json_ld
    return env


class Fields(Mapping[str, Any]):
    """Read-only template data whose keys are attributes too: Jinja reads ``{{ o.url }}`` by ``getattr``
    first, which on a dict raises (and catches) an AttributeError every time, and a loop over a story's
    200 members makes 2,000 such reads per page: half the time it takes to render. Keys must not be
    the names of Mapping methods (``items``, ``get`` …), which a dict would show instead."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def __len__(self) -> int:
        return len(self.__dict__)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError("template data is read-only: it is shared by the pages showing it")

    def __repr__(self) -> str:
        return f"Fields({self.__dict__!r})"


def json_ld(data: dict[str, Any]) -> str:
    """JSON for a <script> block: no "</script>" or "<!--" can close or confuse it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def template_line(exc: BaseException) -> int | None:
    """The template line an exception was raised on (Jinja rewrites tracebacks to template lines)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml")):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _template_file(exc: BaseException) -> str | None:
    name = getattr(exc, "filename", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml")):
            name = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return name


def merge_repeats(problems: list[Problem]) -> list[Problem]:
    """One problem per template mistake: a broken base.html fails every page, and 10,000 copies of
    one message hide the rest. The first page is named, with how many others failed the same way."""
    pages: dict[tuple[str, int | None, str], list[Problem]] = {}
    for problem in problems:
        head, _, page = problem.message.rpartition(" (while rendering ")
        pages.setdefault((problem.path, problem.line, head if page else problem.message), []).append(problem)
    merged = []
    for (_, _, head), same in pages.items():
        first = same[0]
        if len(same) > 1:
            page = first.message.rpartition(" (while rendering ")[2].rstrip(")")
            first = dataclasses.replace(first, message=f"{head} (while rendering {page} and {len(same) - 1:,} "
                                        f"other page{'s' if len(same) > 2 else ''})")
        merged.append(first)
    return merged


def template_problem(exc: BaseException, root: Path, line: int | None, page: str) -> Problem:
    name = _template_file(exc) or "templates"
    path = rel(Path(name), root) if name.startswith("/") else name
    message = getattr(exc, "message", None) or str(exc)
    problem = Problem(path, line, f"{message} (while rendering /{page})")
    try:  # the template's line as the editor sees it; a theme file that cannot be read shows none
        text = Path(name).read_bytes().decode("utf-8", "replace") if name.startswith("/") else ""
    except OSError:
        text = ""
    return with_source([problem], path, text)[0]
