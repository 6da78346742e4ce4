"""The build cache on disk: parsed articles by content hash, and what each output was last made from.

It lives in the user's cache folder, one per site (``~/.cache/digest/<site>-<hash>``,
or under ``$XDG_CACHE_HOME``), so a build adds nothing to the site's folder or its
git repository; ``--cache-dir`` puts it elsewhere, ``--no-cache`` keeps none.
Deleting it at any time is safe: the next build is a cold one. Entries are keyed by a hash of everything that decides them — the
input's bytes, the settings that change its parse, and the builder's own code —
so a stale entry is never read, only left unused and pruned.

One SQLite file: writes are transactions, so a build killed half-way leaves the
cache as it was, and a build and a dev server can share it.

Nothing read from it can run code: entries are JSON (see codec), each stored with an
HMAC-SHA256 under a random key kept in the file, so a damaged or swapped entry is found
before it is decoded. A damaged file, a bad entry, a file of another format: the cache is
started anew with a warning and the build is a cold one. A full disk: the build goes on
without saving.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from builder import codec
from builder.parallel import fork_map

log = logging.getLogger(__name__)

FORMAT = "5"  # changes with the tables' shape or the entries' encoding
DB_NAME = f"cache-{FORMAT}.sqlite"
MAC_SIZE = 32  # HMAC-SHA256, before each entry's bytes
DAMAGED = "damaged"  # left in the folder by a build that found a body damaged: the next one starts anew
# ``bodies``: each parsed article's HTML, apart from the rest of the parse (in ``entries``), so a build that
# renders a few pages reads a few bodies, and the rest of 10,000 parses lies in a few megabytes
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, mtime INTEGER NOT NULL, size INTEGER NOT NULL, key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (
    out TEXT NOT NULL, path TEXT NOT NULL, fingerprint TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
    hash TEXT NOT NULL, PRIMARY KEY (out, path));
"""
T = TypeVar("T")
R = TypeVar("R")
# an output's fingerprint, the size and mtime (ns) it was written with, and the hash of its bytes
Record = tuple[str, int, int, str]


def digest(*parts: bytes | str) -> str:
    """A short content hash; collisions of 128-bit BLAKE2 are not a practical concern."""
    h = hashlib.blake2b(digest_size=16)
    if all(isinstance(part, str) for part in parts):  # one update for thousands of parts, the same bytes
        h.update(("\x00".join(parts) + "\x00").encode("utf-8"))  # type: ignore[arg-type]
        return h.hexdigest()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the builder's code and data and of the versions of the libraries whose output lands
    in pages: an upgrade of any of them invalidates every entry."""
    import anyascii
    import babel
    import jinja2
    import markdown
    import nh3
    import yaml

    package = Path(__file__).resolve().parent
    files = sorted(p for p in package.rglob("*") if p.suffix in {".py", ".yaml", ".po"} and p.is_file())
    versions = [f"{m.__name__}={m.__version__}" for m in (anyascii, babel, jinja2, markdown, nh3, yaml)]
    return digest(*versions, *(p.relative_to(package).as_posix().encode() + b"\x00" + p.read_bytes() for p in files))


class Damaged(Exception):
    """A cache of another format, or an entry whose MAC does not match its bytes."""


class Store:
    """The cache of one site. ``folder=None`` keeps it in memory only (``--no-cache``).

    With ``lazy_bodies``, articles are loaded without their bodies, and this process and
    its forks read each from the file when a page shows it (see ``article_body``): an edit
    of a 10,000-article site then reads one body, not 75 MB of them.
    """

    def __init__(self, folder: Path | None, lazy_bodies: bool = False):
        global _bodies_file
        self.folder = folder
        self.db, self.key = self._open()
        self.lazy_bodies = lazy_bodies and folder is not None
        if self.lazy_bodies:
            _bodies_file = folder / DB_NAME  # type: ignore[operator]

    def _open(self) -> tuple[sqlite3.Connection, bytes]:
        if self.folder is None:
            # the dev server keeps its in-memory store across rebuilds, each on whichever worker thread is
            # free (one rebuild at a time): a connection bound to the first thread fails every later save
            return _created(sqlite3.connect(":memory:", check_same_thread=False))
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "CACHEDIR.TAG").write_text(  # backup tools skip folders tagged so
            "Signature: 8a477f597d28d172789f06886806bc55\n# digest's build cache: safe to delete\n",
            encoding="ascii")
        for old in self.folder.glob("cache-*.sqlite*"):  # an older shape of the tables: never read again
            if not old.name.startswith(DB_NAME):
                old.unlink(missing_ok=True)
        if (self.folder / DAMAGED).exists():
            self._discard(Damaged("a build found an article's body damaged"))
            (self.folder / DAMAGED).unlink()
        db = sqlite3.connect(self.folder / DB_NAME, timeout=30)
        try:
            # a cache: a commit need not wait for the disk; a crash loses at most the last build's entries
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            if not db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                return _created(db)
            return db, _mac_key(db)
        except (sqlite3.DatabaseError, Damaged) as exc:
            db.close()
            if isinstance(exc, sqlite3.OperationalError):  # locked, unreadable, a full disk: not for deleting
                raise
            self._discard(exc)
            return self._open()

    def _discard(self, reason: Exception) -> None:
        """Delete a damaged cache file (and its write-ahead log), saying so."""
        log.warning("build cache %s is damaged (%s); starting a new one: this build is a cold one", self.folder, reason)
        for suffix in ("", "-wal", "-shm"):
            (self.folder / (DB_NAME + suffix)).unlink(missing_ok=True)  # type: ignore[operator]

    def _safely(self, act: Callable[[], T], fallback: T) -> T:
        """``act()``; on damage, ``fallback`` and a new cache, and on a cache that cannot be read or
        written (a full disk, a lock held too long) ``fallback`` and an empty one in memory for the rest
        of the build: whatever the cache's state, the build goes on."""
        try:
            return act()
        except (sqlite3.DatabaseError, OSError, Damaged, codec.Undecodable) as exc:
            self.db.close()
            if isinstance(exc, (sqlite3.OperationalError, OSError)) or self.folder is None:
                log.warning("cannot use the build cache %s (%s); building without it", self.folder, exc)
                self.folder = None
            else:
                self._discard(exc)
            try:
                self.db, self.key = self._open()
            except (OSError, sqlite3.Error) as again:
                log.warning("cannot start a new build cache (%s); building without it", again)
                self.folder = None
                self.db, self.key = self._open()
            self.lazy_bodies = self.lazy_bodies and self.folder is not None  # bodies made from now on stay in memory
            return fallback

    def _seal(self, table: str, key: str, value: bytes) -> bytes:
        return _mac(self.key, table, key, value) + value

    def _unseal(self, table: str, key: str, sealed: bytes) -> bytes:
        return _unsealed(self.key, table, key, sealed)

    def close(self) -> None:
        """Close this process's connections, its body reader's first: the last one to close folds the
        write-ahead log into the file, so the cache is one file again (and a damaged one is noticed)."""
        if self.lazy_bodies:
            reader = _readers.pop((os.getpid(), _bodies_file), None)  # type: ignore[arg-type]
            if reader is not None:
                reader[0].close()
        self.db.close()

    def get(self, keys: Iterable[str], types: Iterable[type] = ()) -> dict[str, Any]:
        """The stored entries among ``keys``, decoded (dataclasses of ``types`` only)."""
        types, wanted = tuple(types), list(keys)

        def read() -> dict[str, Any]:
            found: dict[str, Any] = {}
            for start in range(0, len(wanted), 900):  # SQLite's limit on bound parameters
                chunk = wanted[start:start + 900]
                query = f"SELECT key, value FROM entries WHERE key IN ({','.join('?' * len(chunk))})"
                found.update((key, codec.decode(self._unseal("entries", key, value), types))
                             for key, value in self.db.execute(query, chunk))
            return found
        return self._safely(read, {})

    def articles(self, types: Iterable[type]) -> dict[str, tuple[Any, bytes | None]]:
        """Every stored parse, decoded, each with its article's body (None with ``lazy_bodies``): in one
        scan, as a build wants nearly all of them."""
        types = tuple(types)

        def read() -> dict[str, tuple[Any, bytes | None]]:
            rows = self.db.execute("SELECT key, value, NULL FROM entries WHERE key > 'parse:' AND key < 'parse;'"
                                   if self.lazy_bodies else "SELECT key, value, body FROM entries LEFT JOIN bodies "
                                   "USING (key) WHERE key > 'parse:' AND key < 'parse;'")
            return {key: (codec.decode(self._unseal("entries", key, value), types),
                          body and self._unseal("bodies", key, body)) for key, value, body in rows}
        return self._safely(read, {})

    def keep(self, kind: str, new: Mapping[str, bytes], used: Iterable[str] | None = None,
             stale: Iterable[str] = (), bodies: Mapping[str, bytes | None] | None = None) -> None:
        """Store ``new`` entries (keys start with ``kind:``; ``codec.encode``d), with the article ``bodies``
        of parses, and forget ``stale`` ones; with ``used``, forget every other entry of that kind, so the
        cache stays the size of the site."""
        stale = list(stale)

        def write() -> None:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)",
                                    ((key, self._seal("entries", key, value)) for key, value in new.items()))
                self.db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)",
                                    ((key, self._seal("bodies", key, body))
                                     for key, body in (bodies or {}).items() if body is not None))
                if used is not None:
                    self.db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                    self.db.execute("DELETE FROM used")
                    self.db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in used))
                for table in ("entries", "bodies"):  # a parse's body goes with it
                    self.db.executemany(f"DELETE FROM {table} WHERE key = ?", ((k,) for k in stale))
                    if used is not None:
                        self.db.execute(f"DELETE FROM {table} WHERE key > ? AND key < ? AND key NOT IN (SELECT key FROM used)",
                                        (f"{kind}:", f"{kind};"))  # ';' sorts right after ':'
        self._safely(write, None)

    def count(self, kind: str) -> int:
        return self._safely(lambda: self.db.execute("SELECT count(*) FROM entries WHERE key > ? AND key < ?",
                                                    (f"{kind}:", f"{kind};")).fetchone()[0], 0)

    def files(self) -> dict[str, tuple[tuple[int, int], str]]:
        """Each source file's (mtime in ns, size) when it was last hashed, and its key then: a file
        that still has both is not read again (10,000 articles hash in a third of a second)."""
        return self._safely(lambda: {path: ((mtime, size), key)
                                     for path, mtime, size, key in self.db.execute("SELECT * FROM files")}, {})

    def save_files(self, files: Mapping[str, tuple[tuple[int, int], str]],
                   before: Mapping[str, tuple[tuple[int, int], str]]) -> None:
        """Record ``files``, writing only the rows that differ from ``before``."""
        def write() -> None:
            with self.db:
                self.db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in before.keys() - files.keys()))
                self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                                    ((path, *stat, key) for path, (stat, key) in files.items() if before.get(path) != (stat, key)))
        self._safely(write, None)

    def outputs(self, out: Path) -> dict[str, Record]:
        """What the last build into ``out`` wrote, by output path."""
        def read() -> dict[str, Record]:
            rows = self.db.execute("SELECT path, fingerprint, size, mtime, hash FROM outputs WHERE out = ?", (str(out),))
            return {path: tuple(record) for path, *record in rows}  # type: ignore[misc]
        return self._safely(read, {})

    def save_outputs(self, out: Path, records: Mapping[str, Record], before: Mapping[str, Record]) -> None:
        """Record what is in ``out`` now, writing only the rows that differ from ``before``."""
        def write() -> None:
            with self.db:
                self.db.executemany("DELETE FROM outputs WHERE out = ? AND path = ?",
                                    ((str(out), p) for p in before.keys() - records.keys()))
                self.db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?)",
                                    ((str(out), path, *record) for path, record in records.items() if before.get(path) != record))
        self._safely(write, None)


def _created(db: sqlite3.Connection) -> tuple[sqlite3.Connection, bytes]:
    """A new cache's tables and MAC key, made in one transaction (a build and a server may race to it)."""
    db.execute("BEGIN IMMEDIATE")
    for statement in SCHEMA.split(";"):
        db.execute(statement)
    db.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", (("format", FORMAT), ("key", secrets.token_hex(32))))
    db.commit()
    return db, _mac_key(db)


def _mac_key(db: sqlite3.Connection) -> bytes:
    """The cache's MAC key; raise Damaged for a cache of another format."""
    meta = dict(db.execute("SELECT name, value FROM meta")) \
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() else {}
    if meta.get("format") != FORMAT:
        raise Damaged(f"format {meta.get('format', 'unknown')}, not {FORMAT}")
    try:
        secret = bytes.fromhex(meta.get("key", ""))
    except ValueError:
        secret = b""
    if len(secret) != MAC_SIZE:
        raise Damaged("its key is not a key")
    return secret


def _mac(secret: bytes, table: str, key: str, value: bytes) -> bytes:
    """The MAC of an entry under its table and key: an entry moved to another key no longer matches."""
    return hmac.new(secret, f"{table}\x00{key}\x00".encode() + value, hashlib.sha256).digest()


def _unsealed(secret: bytes, table: str, key: str, sealed: bytes) -> bytes:
    """A stored entry's bytes, or Damaged when they do not match their MAC."""
    value = sealed[MAC_SIZE:]
    if not hmac.compare_digest(bytes(sealed[:MAC_SIZE]), _mac(secret, table, key, value)):
        raise Damaged(f"the entry {key} fails its integrity check")
    return value


def default_folder(root: Path) -> Path:
    """The site's cache folder under the user's cache folder (XDG), named so a person can tell whose it is."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    site = root.resolve()
    return base / "digest" / f"{site.name}-{digest(str(site))[:12]}"


def open_store(root: Path, folder: Path | None = None, enabled: bool = True, lazy_bodies: bool = False) -> Store:
    """The site's cache: ``folder`` or ``default_folder(root)``; in memory when not ``enabled``.
    ``lazy_bodies``: for one build; a long-lived process (the dev server) keeps what it loaded."""
    if not enabled:
        return Store(None)
    try:
        return Store(folder or default_folder(root), lazy_bodies)
    except (OSError, sqlite3.Error) as exc:  # a read-only site folder: build without a cache
        log.warning("cannot use the build cache (%s); building without it", exc)
        return Store(None)


_bodies_file: Path | None = None  # the cache that this process (and its forks) loaded bodiless articles from
# by process, a connection and the cache's MAC key: a connection is never used across a fork
_readers: dict[tuple[int, Path], tuple[sqlite3.Connection, bytes]] = {}
_reparse: Callable[[str], bytes] | None = None  # a body the cache lost, made again from its source


def on_lost_body(reparse: Callable[[str], bytes] | None) -> None:
    """Have ``article_body`` make a body the cache lost or damaged with ``reparse(key)`` (the reader of
    the sources sets it: the cache does not know where they are)."""
    global _reparse
    _reparse = reparse


def article_body(key: str) -> bytes:
    """The body of the article parsed as ``key``, from the build cache it was loaded from without it:
    a lookup by the process rendering its page, so a build that renders every page shares the
    lookups among its workers, and no process holds every body. A body lost or damaged since the
    build began is parsed again, with a warning."""
    if _bodies_file is None:
        raise LookupError(f"no build cache holds the body of {key}")
    try:
        db, secret = _reader()
        row = db.execute("SELECT body FROM bodies WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise Damaged(f"the body of {key} is gone")
        return _unsealed(secret, "bodies", key, row[0])
    except (sqlite3.DatabaseError, Damaged) as exc:
        if _reparse is None:
            raise LookupError(f"the build cache {_bodies_file} lost the body of {key} while building; build again") from None
        log.warning("build cache %s: %s; the article is parsed again", _bodies_file, exc)
        try:
            (_bodies_file.parent / DAMAGED).touch()
        except OSError:  # a read-only cache: the next build finds the damage again
            pass
        return _reparse(key)


def _reader() -> tuple[sqlite3.Connection, bytes]:
    assert _bodies_file is not None
    reader = _readers.get((os.getpid(), _bodies_file))
    if reader is None:
        db = sqlite3.connect(f"file:{_bodies_file}?mode=ro", uri=True, timeout=30)
        try:
            reader = _readers[os.getpid(), _bodies_file] = (db, _mac_key(db))
        except (sqlite3.DatabaseError, Damaged):
            db.close()
            raise
    return reader


def memo(store: Store | None, kind: str, salt: str, items: Mapping[str, T], compute: Callable[[T], R],
         label: str, types: Iterable[type] = ()) -> dict[str, R]:
    """``compute(item)`` for every item, on every core, unless ``store`` has it from an earlier build.
    ``items`` are keyed by a content hash; ``salt`` names everything else the result depends on;
    ``types``: the dataclasses results are made of (what the cache may decode)."""
    types = tuple(types)
    # the builder's code is in every key: what another version left (an older CI cache) is never read, only pruned
    prefix = f"{kind}:{code_version()[:16]}:{salt}:"  # once: the dev server names 10,000 items per call
    keys = {key: prefix + key for key in items}
    recent = _recent.get(kind, {}) if store else {}  # with a store, keys are content hashes (not paths)
    held = {key: recent[full] for key, full in keys.items() if full in recent}
    wanted = [full for key, full in keys.items() if key not in held]
    stored = store.get(wanted, types) if store and wanted else {}
    todo = [key for key in items if key not in held and keys[key] not in stored]
    made = dict(zip(todo, fork_map(lambda key: with_entry(compute(items[key])), todo, label)))
    if store and made:
        store.keep(kind, {keys[key]: made[key][0] for key in todo})
    if store and store.count(kind) > len(keys):  # entries no item has now: the cache stays the size of the site
        store.keep(kind, {}, keys.values())  # only then: naming 10,000 keys to keep costs 0.1 s
    found = {key: held[key] if key in held else made[key][1] if key in made else stored[keys[key]] for key in items}
    if store and not store.lazy_bodies:  # a long-lived process; one build would hold them to its end, for nothing
        _recent[kind] = {keys[key]: value for key, value in found.items()}
    return found


def with_entry(value: R) -> tuple[bytes, R]:
    """A result with its cache entry, both made where the result is (on a worker): the parent takes the result
    as the pool hands it over (a pickle between this build's own processes), rather than decode the entry
    again, which costs a cold 10,000-article build a second on one core. The entry decodes to an equal value."""
    return codec.encode(value), value


# kind → {key: result} of this process's last ``memo`` call with a store: the dev server's next call (an
# edit away) reuses them rather than decode them again; a build's single call has nothing to reuse, and keeps none
_recent: dict[str, dict[str, Any]] = {}
