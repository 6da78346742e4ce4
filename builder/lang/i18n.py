"""Everything about languages, in one place.

One table maps each language between its forms: the site's BCP 47 code
(``uz-Latn``, ``zh-Hans``), Babel's locale id (``uz_Latn``), ``og:locale``
(``ky_KG``) and direction. Only Babel's CLDR data is used, never the
operating system's locales, so a build gives the same text on every machine.
"""

from __future__ import annotations

import gettext
import io
import logging
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import babel
import babel.dates
import babel.numbers
import babel.units
from babel.core import get_global
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from builder.model import Moment, day_of

log = logging.getLogger(__name__)

CATALOGS = Path(__file__).parents[1] / "locales"
DOMAIN = "messages"
# language, optional script, optional region; nothing else may reach a locale lookup
_BCP47 = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$")


@dataclass(frozen=True)
class Language:
    code: str  # BCP 47, as written in front matter: "uz", "zh-Hans"
    babel_id: str  # "zh_Hans"
    og_locale: str  # "zh_CN"
    script: str  # ISO 15924, given or CLDR's likely one: "Hans", "Latn", "Cyrl"
    direction: str  # "ltr" | "rtl"
    endonym: str  # the language's name for itself: "кыргызча"


def normalize_code(code: str) -> str:
    """Canonical BCP 47 casing (``zh-hans`` → ``zh-Hans``, ``EN-us`` → ``en-US``)."""
    parts = code.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(part.title() if len(part) == 4 else part.upper())
    return "-".join(out)


@lru_cache(maxsize=None)
def language(code: str) -> Language:
    """Return the language for a BCP 47 code; raise ValueError if it is malformed or unknown to Babel."""
    if not _BCP47.match(code):
        raise ValueError(f"'{code}' is not a BCP 47 language code such as 'en', 'uz-Latn' or 'zh-Hans'")
    try:
        loc = babel.Locale.parse(code.replace("-", "_"))
    except (babel.UnknownLocaleError, ValueError):
        raise ValueError(f"unknown language code '{code}' (Babel has no locale for it)") from None
    likely = get_global("likely_subtags")
    full = (
        likely.get(str(loc))
        or (loc.script and likely.get(f"{loc.language}_{loc.script}"))
        or likely.get(loc.language)
        or str(loc)
    )
    territory = loc.territory or full.split("_")[-1]
    return Language(
        code=code,
        babel_id=str(loc),
        og_locale=f"{loc.language}_{territory}",
        script=loc.script or next((part for part in full.split("_") if len(part) == 4), ""),
        direction="rtl" if loc.character_order == "right-to-left" else "ltr",
        endonym=loc.get_display_name(loc) or code,
    )


def locale(code: str) -> babel.Locale:
    return babel.Locale.parse(language(code).babel_id)


# --- interface strings --------------------------------------------------------


def catalog_languages() -> tuple[str, ...]:
    """Languages that have a gettext catalog shipped with the builder."""
    return tuple(sorted(p.parent.parent.name.replace("_", "-") for p in CATALOGS.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))


def catalog_file(code: str) -> Path | None:
    """The ``.po`` that translates ``code``'s interface: its own, its language-and-script's (``zh-TW`` →
    ``zh_Hant``, ``zh`` → ``zh_Hans``), or its base language's when written in the same script (``uz-Latn`` →
    ``uz``, but never ``uz-Cyrl`` → ``uz``, which is Latin); None when there is none."""
    base, script = code.split("-")[0], language(code).script
    candidates = [code, f"{base}-{script}"] + ([base] if language(base).script == script else [])
    for candidate in candidates:
        po = CATALOGS / candidate.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            return po
    return None


@lru_cache(maxsize=None)
def translations(code: str) -> gettext.NullTranslations:
    """Interface strings for a language, compiled from its ``.po`` in memory; English when none exists."""
    po = catalog_file(code)
    if po is None:
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language(po.parent.parent.name.replace("_", "-")).babel_id)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def has_catalog(code: str) -> bool:
    return not type(translations(code)) is gettext.NullTranslations


# --- dates and numbers ----------------------------------------------------------


def iso(moment: Moment) -> str:
    """Machine-readable form: a date stays a date, a date-time keeps its offset."""
    return moment.isoformat()


# The digits of CLDR's numbering systems that are a locale's default somewhere (CLDR numberingSystems.xml,
# which Babel does not ship): Babel formats with the system's symbols but always writes ASCII digits.
_ZERO = {"arab": "\u0660", "arabext": "\u06f0", "beng": "\u09e6", "deva": "\u0966", "mymr": "\u1040",
         "tibt": "\u0f20", "olck": "\u1c50", "nkoo": "\u07c0", "mtei": "\uabf0", "cakm": "\U00011136",
         "adlm": "\U0001e950", "hmnp": "\U0001e140"}


@lru_cache(maxsize=None)
def _digits(code: str) -> dict[int, str]:
    zero = _ZERO.get(locale(code).default_numbering_system)
    return {} if zero is None else {ord("0") + n: chr(ord(zero) + n) for n in range(10)}


def native_digits(text: str, code: str) -> str:
    """``text`` with ASCII digits in the locale's default numbering system ("۲۶ نوامبر ۲۰۲۵" in Persian)."""
    return text.translate(_digits(code))


def format_day(moment: Moment, code: str, form: str = "long") -> str:
    """The article's calendar day as its readers write it ("26 Kasım 2025")."""
    return _format_day(day_of(moment), code, form)


@lru_cache(maxsize=65536)
def _format_day(day: date, code: str, form: str) -> str:  # indexes list thousands of articles, on few days
    return native_digits(babel.dates.format_date(day, format=form, locale=locale(code)), code)


def format_time(moment: Moment, code: str) -> str:
    """Local time with its UTC offset, or "" for a date-only value."""
    if not isinstance(moment, datetime):
        return ""
    offset = moment.strftime("%z")
    text = babel.dates.format_time(moment, format="short", locale=locale(code)) + f" {offset[:3]}:{offset[3:]}"
    return native_digits(text, code)


def format_number(value: float, code: str) -> str:
    return native_digits(babel.numbers.format_decimal(value, locale=locale(code), numbering_system="default"), code)


def reading_minutes(words: int, cjk_chars: int, words_per_minute: int) -> int:
    """Minutes to read: words at ``words_per_minute``, CJK characters at twice that per minute."""
    return max(1, math.ceil(words / words_per_minute + cjk_chars / (2 * words_per_minute)))


def format_minutes(minutes: int, code: str) -> str:
    """"3 dakika" from CLDR; from the catalog where CLDR lacks the unit for this locale."""
    text = _cldr_minutes(minutes, code)
    if text is not None:
        return text
    return translations(code).ngettext("%(num)s minute", "%(num)s minutes", minutes) % {
        "num": format_number(minutes, code)
    }


@lru_cache(maxsize=4096)
def _cldr_minutes(minutes: int, code: str) -> str | None:  # every article page shows one: a few hundred distinct
    for length in ("long", "short"):
        text = babel.units.format_unit(minutes, "duration-minute", length=length, locale=locale(code))
        if "duration" not in text:
            return native_digits(text, code)
    return None


def format_quantity(value: float, unit: str, code: str) -> str:
    """A figure in the reader's conventions: "4,1 milyar $", "%13,6", "1.800"."""
    loc, system = locale(code), "default"
    if unit == "%":
        text = babel.numbers.format_percent(value / 100, locale=loc, decimal_quantization=False, numbering_system=system)
    elif unit == "count":
        text = babel.numbers.format_decimal(value, locale=loc, numbering_system=system)
    elif value >= 1_000_000:
        text = babel.numbers.format_compact_currency(value, unit, format_type="short", fraction_digits=2, locale=loc,
                                                     numbering_system=system)
    else:
        text = babel.numbers.format_currency(value, unit, locale=loc, numbering_system=system)
    return native_digits(text, code)
