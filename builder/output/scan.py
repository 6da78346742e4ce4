"""What an output folder holds, by size and mtime: how a build tells the files it wrote from changed ones.

Apart from output.write (which renders) so that the no-op check (output.state) can scan a folder
without loading the renderer.
"""

from __future__ import annotations

import os
from pathlib import Path

INDEX_DIR = "pagefind/"  # made by the search indexer, not by a job: kept while the pages it indexed are
Scan = tuple[dict[str, tuple[int, int]], set[str]]  # every file's (size, mtime in ns), and the symlinks


def scan(folder: Path) -> Scan:
    """Every file under ``folder`` (symlinks included, as files to remove) → (size, mtime in ns),
    and the symlinks among them."""
    found: dict[str, tuple[int, int]] = {}
    links: set[str] = set()
    stack = [(str(folder), "")]
    while stack:
        path, prefix = stack.pop()
        try:
            entries = list(os.scandir(path))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                stat = entry.stat(follow_symlinks=False)
                found[prefix + entry.name] = (stat.st_size, stat.st_mtime_ns)
                if entry.is_symlink():
                    links.add(prefix + entry.name)
    return found, links
