"""Pagefind's filter files in a fixed order, so an unchanged site gives an identical index (and no deploy).

Pagefind writes a filter's values, and the filters in its metadata file, in the order of a
Rust hash map, which changes from run to run: with a ``language`` filter, every build gave
new file names. This sorts both and renames the files after their new content, reading and
writing the small part of CBOR (RFC 8949) those files use: integers, strings, arrays.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

MAGIC = b"pagefind_dcd"


class FormatError(ValueError):
    """A Pagefind file this module does not understand (a newer Pagefind): the index is left as it is."""


def _decode(buf: bytes, i: int) -> tuple[Any, int]:
    head, i = buf[i], i + 1
    major, info = head >> 5, head & 31
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        arg, i = int.from_bytes(buf[i:i + size], "big"), i + size
    else:
        raise FormatError(f"CBOR item {head:#x} is not used by Pagefind's filter files")
    if major == 0:
        return arg, i
    if major in (2, 3):
        raw = buf[i:i + arg]
        return (raw if major == 2 else raw.decode("utf-8")), i + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, i = _decode(buf, i)
            items.append(item)
        return items, i
    raise FormatError(f"CBOR major type {major} is not used by Pagefind's filter files")


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    size = next(s for s in (1, 2, 4, 8) if n < 1 << (8 * s))
    return bytes([major << 5 | (24 + size.bit_length() - 1)]) + n.to_bytes(size, "big")


def _encode(value: Any) -> bytes:
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    return _head(4, len(value)) + b"".join(map(_encode, value))


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MAGIC):
        raise FormatError(f"{path.name} does not start with {MAGIC!r}")
    value, end = _decode(data, len(MAGIC))
    if end != len(data):
        raise FormatError(f"{path.name} has data after its CBOR item")
    return value


def _write(folder: Path, lang: str, digits: int, suffix: str, value: Any) -> str:
    """Write ``value`` under a name made from its content; return that name's hash part."""
    data = gzip.compress(MAGIC + _encode(value), mtime=0)
    name = f"{lang}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(data)
    return name


def sort_filters(bundle: Path) -> None:
    """Sort every filter's values and the metadata's filter list; rename the files and update the entry."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for lang, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = next((part for part in meta if isinstance(part, list) and part and all(
            isinstance(f, list) and len(f) == 2 and (bundle / "filter" / f"{f[1]}.pf_filter").is_file()
            for f in part)), None)
        if filters is None:
            continue
        for pair in filters:
            old = bundle / "filter" / f"{pair[1]}.pf_filter"
            name, values = _read(old)
            old.unlink()
            pair[1] = _write(bundle / "filter", lang, 7, ".pf_filter", [name, sorted(values, key=lambda v: v[0])])
        filters.sort(key=lambda pair: pair[0])
        meta_path.unlink()
        info["hash"] = _write(bundle, f"pagefind.{lang}", 10, ".pf_meta", meta).removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry), encoding="utf-8")
