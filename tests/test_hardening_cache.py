"""Hostile input to the builder's own machinery: Markdown shaped to take Python-Markdown minutes,
and a build cache that was planted, damaged, truncated, of another version, or on a full disk.
Whatever its state, the cache never runs code and never stops a build: the output equals a cold one's."""

from __future__ import annotations

import os
import pickle
import sqlite3
import time
from pathlib import Path
from typing import Any, Self

import pytest
from conftest import REPO, MakeSite
from helpers import tree

from builder import cache as cache_module
from builder.commands.build import build
from builder.cache import DB_NAME, MAC_SIZE, _mac
from builder.read.articles import parse_article, split_front_matter
from builder.read.mdguard import tangle
from builder.model import SiteConfig

SIZE = 100_000
SHAPES = {  # each took Python-Markdown from 2 s to many minutes at this size
    "nested brackets": "[" * (SIZE // 2) + "x" + "]" * (SIZE // 2),
    "open brackets": "[" * SIZE,
    "open images": "![" * (SIZE // 2),
    "open link targets": "[a](" * (SIZE // 4),
    "reference after reference": "[a][" * (SIZE // 4),
    "footnote openers": "[^" * (SIZE // 2),
    "open tags": "<a " * (SIZE // 3),
    "tags never closed": "<a" * (SIZE // 2),
    "headings without blank lines": "# a\n" * (SIZE // 4),
    "setext headings without blank lines": "a\n=\n" * (SIZE // 4),
    "definitions without blank lines": "a\n: b\n" * (SIZE // 6),
    "abbreviations": "*[a]: b\n" * (SIZE // 8),
    "escapes": "\\[" * (SIZE // 2),
    "emphasis": "*a" * (SIZE // 2),
    "attribute lists": "# a {: " * (SIZE // 7),
    "balanced links": "[a] " * (SIZE // 4),
}


def config(root: Path) -> SiteConfig:
    return SiteConfig(root=root, title={"en": "T"}, base_url="https://example.org/", default_language="en",
                      languages=("en",))


def article(body: str) -> bytes:
    return f"---\ntitle: Tangled\ndate: 2025-11-21\nlang: en\nsource: Wire\n---\nFirst words.\n\n{body}\n".encode()


@pytest.mark.parametrize("shape", SHAPES)
def test_no_100_kb_body_takes_markdown_long(shape: str, tmp_path: Path) -> None:
    started = time.perf_counter()
    parsed, problems = parse_article("content/articles/bad.md", article(SHAPES[shape]), config(tmp_path))
    assert time.perf_counter() - started < 5  # the bound is generous; the report has the measured times
    assert parsed is not None and b"First words." in parsed.body  # type: ignore[operator]
    assert not [p for p in problems if not p.warning]


def test_a_tangled_body_is_shown_as_text_with_a_warning_at_its_line(tmp_path: Path) -> None:
    parsed, problems = parse_article("content/articles/bad.md", article("[" * 20_000 + "<script>"), config(tmp_path))
    assert parsed is not None and parsed.body is not None
    assert b"<script>" not in parsed.body and b"&lt;script&gt;" in parsed.body and b"[[[" in parsed.body
    [warning] = problems
    assert warning.warning and (warning.path, warning.line) == ("content/articles/bad.md", 9)
    assert "would take Markdown minutes" in warning.message and "shown as plain text" in warning.message


@pytest.mark.parametrize("path", sorted((REPO / "content").rglob("*.md")), ids=lambda p: p.name)
def test_real_articles_are_not_tangles(path: Path) -> None:
    """The guard never fires on real text: the sample site's articles go to Markdown as they are."""
    split = split_front_matter(path.name, path.read_text(encoding="utf-8"))
    assert tangle(split[1] if isinstance(split, tuple) else path.read_text(encoding="utf-8")) is None


# --- the build cache -------------------------------------------------------------------


class Planted:
    """What a pickle planted in the cache would run on load: it leaves a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return os.system, (f"touch {self.marker}",)


@pytest.fixture
def built(make_site: MakeSite, tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A site built once with its cache in ``tmp/cache``; the site, the cache and a cold build's output."""
    site = make_site()
    build(site, tmp_path / "cold", search=False, use_cache=False)
    build(site, tmp_path / "out", search=False, cache_dir=tmp_path / "cache")
    return site, tmp_path / "cache", tree(tmp_path / "cold")


def rebuild(site: Path, cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> tuple[dict[str, bytes], str]:
    """A build into a fresh folder with ``cache``: its output and what it warned."""
    caplog.clear()
    out = tmp_path / f"out-{len(list(tmp_path.glob('out-*')))}"
    build(site, out, search=False, cache_dir=cache)
    return tree(out), caplog.text


def entries(cache: Path) -> sqlite3.Connection:
    return sqlite3.connect(cache / DB_NAME)


@pytest.mark.parametrize("with_mac", [False, True], ids=["forged", "signed with the cache's key"])
def test_a_planted_pickle_never_runs(built: tuple[Path, Path, dict[str, bytes]], tmp_path: Path, with_mac: bool,
                                     caplog: pytest.LogCaptureFixture) -> None:
    site, cache, cold = built
    marker = tmp_path / "ran"
    payload = pickle.dumps(Planted(marker))
    with entries(cache) as db:
        secret = bytes.fromhex(db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()[0])
        keys = [key for key, in db.execute("SELECT key FROM entries")]
        assert keys
        db.executemany("UPDATE entries SET value = ? WHERE key = ?",
                       (((_mac(secret, "entries", key, payload) if with_mac else b"\0" * MAC_SIZE) + payload, key)
                        for key in keys))
    output, warned = rebuild(site, cache, tmp_path, caplog)
    assert not marker.exists()
    assert output == cold
    assert "build cache" in warned and "starting a new one" in warned
    assert rebuild(site, cache, tmp_path, caplog) == (cold, "")  # the new cache serves the next build quietly


def damage_middle(file: Path) -> None:
    data = bytearray(file.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 4096] = os.urandom(min(4096, len(data) - middle))
    file.write_bytes(bytes(data))


def test_a_body_damaged_in_the_cache_is_parsed_again(built: tuple[Path, Path, dict[str, bytes]],
                                                     tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Bodies are read when a page is rendered, after the cache was opened: one that fails its check
    then is made again from its file, and the next build starts a new cache."""
    site, cache, cold = built
    with entries(cache) as db:
        db.execute("UPDATE bodies SET body = CAST(? || substr(body, 9) AS BLOB)", (b"\0" * 8,))
    assert rebuild(site, cache, tmp_path, caplog)[0] == cold
    output, warned = rebuild(site, cache, tmp_path, caplog)  # the build that found it left word for this one
    assert output == cold and "starting a new one" in warned
    assert rebuild(site, cache, tmp_path, caplog) == (cold, "")


DAMAGES = {
    "inner pages overwritten": damage_middle,
    "truncated": lambda file: file.write_bytes(file.read_bytes()[: os.path.getsize(file) // 3]),
    "not a database": lambda file: file.write_bytes(b"this is not a database" * 100),
    "empty": lambda file: file.write_bytes(b""),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_cache_is_started_anew(built: tuple[Path, Path, dict[str, bytes]], tmp_path: Path, damage: str,
                                         caplog: pytest.LogCaptureFixture) -> None:
    site, cache, cold = built
    assert (cache / DB_NAME).stat().st_size > 3 * 4096  # pages to damage beyond the header
    DAMAGES[damage](cache / DB_NAME)
    output, warned = rebuild(site, cache, tmp_path, caplog)
    assert output == cold
    assert rebuild(site, cache, tmp_path, caplog)[0] == cold
    assert damage == "empty" or "build cache" in warned  # an empty file is a new cache, not damage


def test_a_cache_of_another_version_is_started_anew(built: tuple[Path, Path, dict[str, bytes]], tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    site, cache, cold = built
    with entries(cache) as db:
        db.execute("UPDATE meta SET value = '3' WHERE name = 'format'")
    output, warned = rebuild(site, cache, tmp_path, caplog)
    assert output == cold and "format 3, not" in warned and "starting a new one" in warned


class FullDisk:
    """A connection to the cache whose writes fail as on a full disk."""

    def __init__(self, db: sqlite3.Connection, error: Exception):
        self.db, self.error = db, error

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.__exit__(*exc)

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.lstrip().startswith(("INSERT", "DELETE", "UPDATE")):
            raise self.error
        return self.db.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        raise self.error


@pytest.mark.parametrize("error", [sqlite3.OperationalError("database or disk is full"),
                                   OSError(28, "No space left on device")], ids=["sqlite", "os"])
def test_a_full_disk_builds_without_the_cache(built: tuple[Path, Path, dict[str, bytes]], tmp_path: Path,
                                              error: Exception, caplog: pytest.LogCaptureFixture,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    site, cache, _ = built
    (site / "content/articles/en/new.md").write_bytes(article("A new article, so the build has parses to store."))
    opened = cache_module.Store._open

    def open_full(self: cache_module.Store) -> tuple[Any, bytes]:
        db, key = opened(self)
        return (FullDisk(db, error) if self.folder is not None else db), key

    monkeypatch.setattr(cache_module.Store, "_open", open_full)
    output, warned = rebuild(site, cache, tmp_path, caplog)
    assert "building without it" in warned and str(error) in warned
    monkeypatch.undo()
    build(site, tmp_path / "cold-2", search=False, use_cache=False)
    assert output == tree(tmp_path / "cold-2")


def test_a_cache_folder_that_cannot_be_made_builds_without_it(built: tuple[Path, Path, dict[str, bytes]],
                                                               tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    site, _, cold = built
    mkdir = Path.mkdir

    def full(self: Path, *args: Any, **kwargs: Any) -> None:
        if "new-cache" in self.parts:
            raise OSError(28, "No space left on device")
        mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", full)
    output, warned = rebuild(site, tmp_path / "new-cache", tmp_path, caplog)
    assert output == cold and "building without it" in warned and "No space left" in warned
