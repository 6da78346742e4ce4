"""``digest check``: every problem a build would find, with nothing written.

The site is read and every page rendered in memory, exactly as ``build`` does, and the
internal links of every page are checked (builder/output/links.py; ``build`` checks those
of the pages it renders).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from builder.commands.build import load_site, render
from builder.errors import BuildError, Problem
from builder.output.links import check_links, scan


@dataclass
class CheckReport:
    pages: int
    links: int
    warnings: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return f"checked {self.pages} pages, {self.links} links: no problems"


def check_site(root: Path, base_url: str | None = None, strict: bool = False, drafts: bool = False) -> CheckReport:
    """Read, render and check the links of the site at ``root`` in memory; raise BuildError with every error."""
    site, warnings = load_site(root, base_url, strict=strict, drafts=drafts)
    outputs = render(site)
    pages = {o.path: scan(o.data.decode("utf-8", "replace")) for o in outputs if o.path.endswith(".html")}
    links, problems = check_links(site, pages, {o.path: o.deps for o in outputs}, {o.path for o in outputs})
    if problems:
        raise BuildError(problems)
    return CheckReport(len(pages), links, warnings)
