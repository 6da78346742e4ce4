"""The no-op build, told before anything is read: the sources and the output folder as the last build left them.

A build that would render nothing still reads 10,000 articles from the cache, clusters and plans
them: seconds. So each build stores a stamp of what it read, taken before it read it: the size
and mtime of every file under the site's folders and the builder's own (its code, catalogs,
theme), the installed libraries, the options and the day (future-dated articles wait for theirs).
When the next build finds the same stamp and the same build record (no other build, of another
builder, wrote since), and the output folder holds exactly the files that record says were written
(same sizes and mtimes), nothing can differ: it says so and stops,
having imported neither Jinja nor Markdown. Anything else takes the whole path, which decides by
fingerprints. (Sizes and mtimes are what the build cache trusts for articles already.)
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from builder import codec
from builder.cache import DB_NAME, Record, Store, default_folder, digest
from builder.model import build_day
from builder.output.scan import INDEX_DIR, scan
from builder.parallel import in_background

BUILDER = Path(__file__).resolve().parents[1]
RACY = 0.1  # seconds: coarser than the clock ticks of Linux, macOS and Windows file systems (not FAT's 2 s)
LIBRARIES = ("anyascii", "babel", "jinja2", "markdown", "nh3", "yaml", "pagefind")  # what shapes the output


def options(base_url: str | None, strict: bool, search: bool, drafts: bool) -> tuple[object, ...]:
    """The options of ``build`` that change what it makes."""
    return (base_url, strict, search, drafts)


def stamp(root: Path, out: Path, options: tuple[object, ...]) -> str | None:
    """A hash of every input's size and mtime, of the libraries installed, ``options`` and today's date;
    None when a file changed in the last RACY seconds: a second save within the same tick of the file
    system's clock could leave the same mtime and size, so such a stamp is not kept (as git's "racy" entries)."""
    parts = [repr(options), str(out), build_day().isoformat()]
    newest = [0]
    for folder in (root / "content", root / "templates", root / "static", BUILDER, BUILDER.parent / "templates",
                   BUILDER.parent / "static"):
        parts += _stats(folder, newest)
    site = (root / "site.yaml").stat()
    parts.append(f"site.yaml\0{site.st_mtime_ns}\0{site.st_size}")
    parts += _installed()
    racy = max(newest[0], site.st_mtime_ns) > time.time_ns() - RACY * 1e9
    return None if racy else digest(*map(ascii, parts))  # ascii: a file name that is not UTF-8 still hashes


def _stats(folder: Path, newest: list[int]) -> list[str]:
    """``path\0mtime\0size`` of every file under ``folder``; ``newest[0]`` raised to the newest mtime."""
    found = []
    stack = [str(folder)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:  # gone, not a folder, unreadable: the build's own walk reports what matters
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    stack.append(entry.path)
            else:
                try:
                    stat = entry.stat()
                except OSError:  # a symlink loop or a dangling link: the build's own walk reports it
                    stat = entry.stat(follow_symlinks=False)
                newest[0] = max(newest[0], stat.st_mtime_ns)
                found.append(f"{entry.path}\0{stat.st_mtime_ns}\0{stat.st_size}")
    return sorted(found)


def _installed() -> list[str]:
    """The distributions installed beside the libraries that shape pages (their folder names carry their
    versions): found without importing them."""
    folders = set()
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec and spec.origin:
            folders.add(Path(spec.origin).parents[1])
    return sorted(name for folder in folders for name in os.listdir(folder) if name.endswith(".dist-info"))


FIELDS = ("stamp", "outputs", "pages", "files", "indexed", "warnings")  # what is stored (the cache keeps lists, not dicts)


def _key(out: Path) -> str:
    return f"state:{out}"


def unchanged(root: Path, out: Path, cache_dir: Path | None, options: tuple[object, ...]) -> tuple[dict[str, Any] | None, str | None]:
    """What the last build into ``out`` reported (pages, files, warnings), when nothing changed since (else None),
    and the sources' stamp now: the build that follows keeps it rather than take it again (10,000 stats).
    A folder a build wrote into is scanned on another core while the sources are stamped; no other is scanned."""
    saved, records = _last_build(cache_dir or default_folder(root), out)
    if saved is None:
        return None, stamp(root, out, options)
    with in_background(lambda: scan(out)) as scanning:
        now = stamp(root, out, options)
        if now is None or saved["stamp"] != now:
            return None, now
        existing, links = scanning()
    index = {path for path in existing if path.startswith(INDEX_DIR)}
    if links or bool(index) != saved.get("indexed") or existing.keys() - index != records.keys():
        return None, now
    return (saved if all(existing[path] == record[1:3] for path, record in records.items()) else None), now


def _last_build(folder: Path, out: Path) -> tuple[dict[str, Any] | None, dict[str, Record]]:
    """The report the last build into ``out`` stored and the outputs it left, unless another build (another
    builder's) wrote into ``out`` since."""
    if not (folder / DB_NAME).is_file():
        return None, {}
    store = Store(folder)
    try:
        found = store.get([_key(out)]).get(_key(out))
        if not isinstance(found, list) or len(found) != len(FIELDS):
            return None, {}
        saved, records = dict(zip(FIELDS, found)), store.outputs(out)
    finally:
        store.close()
    return (saved, records) if saved["outputs"] == _summed(records) else (None, {})


def _summed(records: Mapping[str, Record]) -> str:
    return digest(*(f"{path}\0{record}" for path, record in sorted(records.items())))


def remember(store: Store, out: Path, taken: str | None, records: Mapping[str, Record], report: dict[str, Any]) -> None:
    """After a build into ``out`` from the sources of stamp ``taken``, leaving ``records``: ``report`` holds
    its pages, files, warnings (as printed) and whether it made a search index."""
    if taken is None:
        forget(store, out)
        return
    store.keep("state", {_key(out): codec.encode([taken, _summed(records), *(report[name] for name in FIELDS[2:])])})


def forget(store: Store, out: Path) -> None:
    """After ``out`` was changed by other means (the dev server): the next build takes the whole path."""
    store.keep("state", {}, stale=[_key(out)])
