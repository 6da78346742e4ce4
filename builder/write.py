"""Write outputs: stage the whole build beside the output folder, then swap it in.

A failed or interrupted build leaves the previous output exactly as it was,
and no path — whatever a slug or template says — can land outside the output
folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from .errors import BuildError, Problem
from .model import Output


class UnsafeOutput(ValueError):
    pass


def check_out_dir(out: Path, root: Path) -> None:
    """Refuse output folders whose replacement would destroy sources: the site, content, /, home."""
    out, root = out.resolve(), root.resolve()
    forbidden = {Path("/"), Path.home().resolve(), root, root / "content", root / "templates", root / "static", root / "builder"}
    if out in forbidden or root.is_relative_to(out) or (root / "content") in out.parents or (root / "templates") in out.parents:
        raise BuildError([Problem(str(out), None, "refusing to use this folder as output: it holds or is the site's sources")])


def safe_target(base: Path, rel: str) -> Path:
    """``base / rel`` if it stays inside ``base``; raise UnsafeOutput otherwise."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or "\\" in rel or "\x00" in rel or not pure.parts:
        raise UnsafeOutput(f"output path '{rel}' would leave the output folder")
    target = base.joinpath(*pure.parts)
    if not target.resolve().is_relative_to(base.resolve()):
        raise UnsafeOutput(f"output path '{rel}' would leave the output folder")
    return target


def write_outputs(outputs: Iterable[Output], out: Path, root: Path,
                  before_swap: Callable[[Path], None] | None = None) -> int:
    """Write every output into a staging folder, run ``before_swap`` on it, then replace ``out``."""
    check_out_dir(out, root)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    count = 0
    try:
        staging.mkdir()
        seen: set[str] = set()
        for output in outputs:
            if output.path in seen:
                raise BuildError([Problem(output.path, None, "two outputs would be written to the same path")])
            seen.add(output.path)
            target = safe_target(staging, output.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(output.data)
            count += 1
        if before_swap:
            before_swap(staging)
        if out.exists():
            os.replace(out, old)
        os.replace(staging, out)
    except UnsafeOutput as exc:
        raise BuildError([Problem("output", None, str(exc))]) from None
    except OSError as exc:  # disk full, permissions: the previous output stays as it was
        raise BuildError([Problem(str(exc.filename or out), None, f"could not write the output: {exc.strerror or exc}")]) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return count


def update_outputs(changed: Iterable[Output], removed: Iterable[str], out: Path) -> int:
    """Rewrite some files of an existing output in place, each atomically (for the dev server)."""
    count = 0
    for output in changed:
        target = safe_target(out, output.path)
        if target.is_file() and target.read_bytes() == output.data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        tmp.write_bytes(output.data)
        os.replace(tmp, target)
        count += 1
    for path in removed:
        target = safe_target(out, path)
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return count
