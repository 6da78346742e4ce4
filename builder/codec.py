"""Plain values ⇄ bytes for the build cache: JSON, which cannot run code when it is read.

Only what cached results are made of is written: None, booleans, numbers, strings, lists,
tuples, dates, date-times and frozen dataclasses. Reading builds a dataclass only when the
caller names its class (``types``), so an entry can at worst describe a wrong value of an
allowed type, never make an object of any other (pickle, which this replaces, could call
any function while loading).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

# the tags cannot be field names (not identifiers), so a tagged object never looks like a dataclass's fields
CLASS, TUPLE, DATE, DATETIME = "@", "()", "@d", "@t"


class Undecodable(ValueError):
    """An entry that is not what ``encode`` writes for the allowed types."""


def encode(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON; raise TypeError for a type the cache does not keep."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return {TUPLE: [_plain(v) for v in value]}
    if isinstance(value, datetime):  # before date: a datetime is a date
        return {DATETIME: value.isoformat()}
    if isinstance(value, date):
        return {DATE: value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {CLASS: type(value).__name__, **fields}
    raise TypeError(f"the build cache does not keep {type(value).__name__} values")


def decode(data: bytes, types: Iterable[type]) -> Any:
    """The value ``encode`` wrote; raise Undecodable for anything else, including a class not in ``types``."""
    allowed = {cls.__name__: cls for cls in types}

    def hook(obj: dict[str, Any]) -> Any:
        if TUPLE in obj:
            return tuple(obj[TUPLE])
        if DATE in obj:
            return date.fromisoformat(obj[DATE])
        if DATETIME in obj:
            return datetime.fromisoformat(obj[DATETIME])
        cls = allowed.get(obj.pop(CLASS, None))
        if cls is None:
            raise Undecodable("an object of a class the cache does not keep")
        return cls(**obj)

    try:
        return json.loads(data, object_hook=hook)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise Undecodable(f"undecodable entry ({exc})") from None
