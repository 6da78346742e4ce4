"""Problems found in a site, each with the place it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One error or warning, printed as ``path:line[:col]: message``."""

    path: str
    line: int | None
    message: str
    col: int | None = None
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        kind = "warning: " if self.warning else ""
        text = f"{where}: {kind}{self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


class BuildError(Exception):
    """Raised with every problem of a build at once, so the editor fixes them in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))

    def report(self) -> str:
        n = len(self.problems)
        head = f"Build failed with {n} error{'s' if n != 1 else ''}:"
        return "\n".join([head, *map(str, self.problems)])


def rel(path: Path, root: Path) -> str:
    """Return ``path`` relative to the site root when it is inside it, for messages."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
