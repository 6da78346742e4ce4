"""The entity table (``content/entities.yaml``): canonical names, kinds and aliases, with the names CLDR
gives places in every language (Babel), so the table is the only place spellings live."""

from __future__ import annotations

import dataclasses
import difflib
import logging
import pickle
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import babel
from babel.core import get_global
from babel.localedata import locale_identifiers, resolve_locale_filename

from builder.cache import Store, digest, memo
from builder.errors import Problem, Snippet, read_source, with_source
from builder.lang.text import UNSPACED, fold
from builder.model import Entity
from builder.read.yamlio import YamlDoc, check_mapping, load_yaml

log = logging.getLogger(__name__)

ENTITIES_FILE = "content/entities.yaml"
KINDS = ("person", "place", "organisation")
ENTITY_KEYS = {"kind": "string", "aliases": "list of strings", "territory": "string", "timezone": "string",
               "city": "boolean"}


@dataclass(frozen=True)
class Place(Entity):
    """A place; a city (``city``) competes with other cities: an article mostly about Astana is set there."""

    city: bool = False
    territory: str | None = None  # ISO 3166 code of its country: "visit to Kyrgyzstan" places an event in Bishkek
    rivals: tuple[Entity, ...] = field(default=(), compare=False)  # the table's other cities
    country_names: tuple[str, ...] = ()  # a city's country in every CLDR locale, read with the table (see read_entities)


def read_entities(root: Path, store: Store | None = None) -> tuple[dict[str, Entity], list[Problem]]:
    """Read ``content/entities.yaml``: canonical name → kind, aliases, and CLDR keys for places.

    A place's names come from every CLDR locale's file (a third of a second to read), so the
    resolved table is kept in ``store`` by the file's hash: an article edit does not read them again."""
    path = root / ENTITIES_FILE
    if not path.is_file():
        return {}, [Problem(ENTITIES_FILE, None, "the entity table is missing", hint="stories name entities from it")]
    text, problems = read_source(path, ENTITIES_FILE)
    if text is None:
        return {}, problems
    key = digest(text)
    entities, problems = memo(store, "entity table", "", {key: text}, _read_table, "reading entities",
                              types=(Entity, Place, Problem, Snippet))[key]
    return {e.name: e for e in entities}, with_source(problems, ENTITIES_FILE, text)


def _read_table(text: str) -> tuple[tuple[Entity, ...], list[Problem]]:
    doc, problems = load_yaml(text, ENTITIES_FILE)
    if doc is None:
        return (), problems
    if not isinstance(doc.data, dict):
        return (), [Problem(ENTITIES_FILE, 1, "the entity table must map canonical names to entries")]
    table: dict[str, Entity] = {}
    for name, body in doc.data.items():
        line = doc.line(str(name))
        if not isinstance(body, dict):
            problems.append(Problem(ENTITIES_FILE, line, f"entity '{name}' must be a mapping with 'kind' and "
                                    "'aliases'"))
            continue
        prefix = f"{name}."  # not check_mapping's prefix: names may contain dots ("St. Petersburg")
        sub = doc.sub(prefix, body)
        found = check_mapping(sub, ENTITY_KEYS, ENTITIES_FILE, required=("kind",), where=line)
        if found:
            problems += found
            continue
        entity, found = _entity(str(name), body, lambda key: {"line": sub.line(key, line), "col": sub.col(key)})
        problems += found + _short_aliases(str(name), body.get("aliases") or [], line, sub)
        if entity:
            table[entity.name] = entity
    return tuple(_with_rivals(table).values()), problems + _collisions(table)


# scripts where one character is a word (山, の, カ, 한): a one-character alias in them is a name
_WORD_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL SYLLABLE",
                 "YI SYLLABLE")


def _short_aliases(name: str, aliases: list[str], line: int | None, sub: YamlDoc) -> list[Problem]:
    """A warning per name or alias of fewer than two letters ('a', 'A.'), which matches that letter in every
    article, unless its one character is a word of its script."""
    def short(alias: str) -> bool:
        letters = [ch for ch in alias if ch.isalnum()]
        return len(letters) < 2 and not any(unicodedata.name(ch, "").startswith(_WORD_SCRIPTS) for ch in letters)

    named = [(name, line, None), *((alias, sub.line(f"aliases.{i}", line), sub.col(f"aliases.{i}"))
                                   for i, alias in enumerate(aliases))]
    return [Problem(ENTITIES_FILE, where, f"'{alias}' is shorter than two letters: it matches every '{alias}' "
                    "in every article", col=col, warning=True, hint="write the name out, or a longer alias")
            for alias, where, col in named if short(alias)]


def _entity(name: str, body: dict, at: Callable[[str], dict[str, Any]]) -> tuple[Entity | None, list[Problem]]:
    """One entry of the table; ``at(key)`` is where a key's value is, for problems."""
    kind = body["kind"]
    if kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"one of {', '.join(KINDS)}"
        return None, [Problem(ENTITIES_FILE, message=f"unknown kind '{kind}', {hint}", **at("kind"))]
    aliases = list(body.get("aliases") or [])
    if kind != "place":
        extra = [key for key in ("territory", "timezone", "city") if key in body]
        if extra:
            return None, [Problem(ENTITIES_FILE, message=f"'{extra[0]}' is only for places (CLDR has no names of "
                                  "people or organisations)", **at(extra[0]))]
        return Entity(name, kind, tuple(aliases)), []
    problems = []
    if territory := body.get("territory"):
        if territory not in babel.Locale("en").territories:
            problems.append(Problem(ENTITIES_FILE, message=f"unknown territory code '{territory}' (use ISO 3166, "
                                    "e.g. KG)", **at("territory")))
        else:
            aliases += cldr_names("territory", territory)
    if zone := body.get("timezone"):
        if zone not in get_global("zone_territories"):
            problems.append(Problem(ENTITIES_FILE, message=f"unknown time zone '{zone}' (use an IANA name, "
                                    "e.g. Asia/Bishkek)", **at("timezone")))
        else:
            aliases += cldr_names("timezone", zone)
    city = body.get("city", bool(zone))
    country = territory or (zone and get_global("zone_territories").get(zone))
    names = cldr_names("territory", country) if city and country else ()
    return Place(name, kind, tuple(dict.fromkeys(aliases)), city=city, territory=country or None,
                 country_names=names), problems


@lru_cache(maxsize=1)
def _cldr() -> tuple[tuple[dict[str, str], dict[str, str]], ...]:
    """Territory names and exemplar cities of every CLDR language, read once from Babel's own files.

    Reading each file without merging its parents (which Babel's ``Locale`` does)
    keeps this to about a second; regional variants repeat their language's names.
    """
    out = []
    for ident in locale_identifiers():
        if ident.count("_") > 1 or ("_" in ident and len(ident.split("_")[1]) != 4):
            continue
        with open(resolve_locale_filename(ident), "rb") as fh:
            # Babel's packaged CLDR data, not user input. Not babel.localedata.load(merge_inherited=False):
            # it caches the unmerged data under the locale's name, breaking later Locale lookups.
            data = pickle.load(fh)
        cities = {zone: v["city"] for zone, v in data.get("time_zones", {}).items() if "city" in v}
        out.append((dict(data.get("territories", {})), cities))
    log.debug("read place names from %d CLDR locales", len(out))
    return tuple(out)


@lru_cache(maxsize=None)
def cldr_names(key: str, code: str) -> tuple[str, ...]:
    """A territory's (``key="territory"``) or time-zone city's name in every CLDR locale."""
    names = [code.rsplit("/", 1)[-1].replace("_", " ")] if key == "timezone" else []
    for territories, cities in _cldr():
        name = territories.get(code) if key == "territory" else cities.get(code)
        if name and (len(fold(name)) >= 5 or UNSPACED.search(name)):  # short names collide across languages
            names.append(name)
    return tuple(dict.fromkeys(names))


def _with_rivals(table: dict[str, Entity]) -> dict[str, Entity]:
    cities = [e for e in table.values() if isinstance(e, Place) and e.city]
    return {
        name: dataclasses.replace(e, rivals=tuple(c for c in cities if c.name != name))
        if e in cities else e
        for name, e in table.items()
    }


def _collisions(table: dict[str, Entity]) -> list[Problem]:
    """Warn when one spelling names two entities: its mentions would count for both."""
    owner: dict[str, str] = {}
    problems = []
    for entity in table.values():
        for alias in (entity.name, *entity.aliases):
            key = fold(alias)
            if key and owner.setdefault(key, entity.name) != entity.name:
                problems.append(Problem(ENTITIES_FILE, None, f"alias '{alias}' of '{entity.name}' also names "
                                        f"'{owner[key]}'", warning=True))
    return problems
