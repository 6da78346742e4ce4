"""Names and dates across languages and scripts: folding, matching, near misses, the entity table."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from builder.lang.dates import event_dates
from builder.lang.text import fold
from builder.read.entities import Place, cldr_names, read_entities
from builder.stories.match import matcher

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def table():
    table, problems = read_entities(REPO)
    assert not [p for p in problems if not p.warning], problems
    return table


def found(table, text: str) -> dict[str, set[str]]:
    """Entity → spellings found in ``text``, against the whole real table."""
    out: dict[str, set[str]] = {}
    for m in matcher(tuple(table.values())).find(text):
        out.setdefault(m.entity, set()).add(m.spelling)
    return out


@pytest.mark.parametrize(("text", "folded"), [
    ("Bishkek", "bishkek"),
    ("Bişkek’te", "biskekte"),  # Turkish, typographic apostrophe
    ("Bişkek'te", "biskekte"),
    ("Жапаров", "zhaparov"),  # Cyrillic
    ("Qirg‘iziston", "qirgiziston"),  # Uzbek ‘ (U+2018) and ʻ (U+02BB) fold alike
    ("Qirgʻiziston", "qirgiziston"),
    ("İSTANBUL", "istanbul"),  # Turkish dotted capital I
    ("ＣＳＴＯ", "csto"),  # full-width Latin (NFKC)
    ("KGAÖ", "kgao"),
    ("Tổ chức", "tochuc"),  # Vietnamese stacked diacritics
    ("بوتين", "bwtyn"),  # Arabic
    ("普京", "pujing"),  # Chinese
    ("Πούτιν", "poytin"),  # Greek
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(("script", "text", "entity", "spelling"), [
    ("en", "Russian President Vladimir Putin arrived", "Vladimir Putin", "Vladimir Putin"),
    ("en possessive", "Putin’s arrival in the Kyrgyz capital", "Vladimir Putin", "Putin"),
    ("uz genitive", "Putinning Bishkekka tashrifi", "Vladimir Putin", "Putin"),
    ("uz dative", "Putinning Bishkekka tashrifi", "Bishkek", "Bishkek"),
    ("uz acronym + suffix", "KXShTning sammiti", "CSTO", "KXShT"),
    ("uz long name", "Kollektiv Xavfsizlik Shartnomasi Tashkilotining", "CSTO", "Kollektiv Xavfsizlik Shartnomasi Tashkiloti"),
    ("ky genitive", "Путиндин сапары", "Vladimir Putin", "Путин"),
    ("ky locative", "Бишкекте өттү", "Bishkek", "Бишкек"),
    ("ky acronym + suffix", "ЖККУнун саммити", "CSTO", "ЖККУ"),
    ("ky Japarov", "Жапаровдун администрациясы", "Sadyr Japarov", "Жапаров"),
    ("tr apostrophe", "Bişkek’teki Sarayda", "Bishkek", "Bişkek"),
    ("tr Caparov", "Putin, Caparov'a hitaben", "Sadyr Japarov", "Caparov"),
    ("tr full name", "Sadır Caparov başkent", "Sadyr Japarov", "Sadır Caparov"),
    ("tr org", "Kolektif Güvenlik Anlaşması Örgütü Konseyi", "CSTO", "Kolektif Güvenlik Anlaşması Örgütü"),
    ("tr acronym", "KGAÖ zirvesi", "CSTO", "KGAÖ"),
    ("ru declined", "переговоры с Садыром Жапаровым", "Sadyr Japarov", "Садыр Жапаров"),
    ("ru declined org", "саммит Организации Договора о коллективной безопасности", "CSTO",
     "Организации Договора о коллективной безопасности"),
    ("ru acronym", "саммит ОДКБ в Бишкеке", "CSTO", "ОДКБ"),
    ("ru Bishkek", "саммит ОДКБ в Бишкеке", "Bishkek", "Бишкек"),
    ("Latin ODKB", "ODKB sammiti", "CSTO", "ODKB"),
    ("kk CLDR city", "Бішкекте өтті", "Bishkek", "Бішкек"),
    ("kk acronym", "ҰҚШҰ саммиті", "CSTO", "ҰҚШҰ"),
    ("vi", "Tổ chức An ninh Tập thể (CSTO)", "CSTO", "Tổ chức An ninh Tập thể"),
    ("de CLDR city", "Staatsbesuch in Bischkek", "Bishkek", "Bischkek"),
    ("fr", "Vladimir Poutine à Bichkek", "Vladimir Putin", "Poutine"),
    ("ar", "وصل بوتين إلى بيشكيك", "Vladimir Putin", "بوتين"),
    ("ar proclitic", "والتقى بجباروف", "Sadyr Japarov", "جباروف"),
    ("ar article + proclitic", "ولبوتين", "Vladimir Putin", "بوتين"),
    ("zh no spaces", "普京抵达比什凯克", "Bishkek", "比什凯克"),
    ("zh person", "普京抵达比什凯克", "Vladimir Putin", "普京"),
    ("ja", "プーチン大統領はビシュケクに到着", "Bishkek", "ビシュケク"),
    ("ko particle", "푸틴은 비슈케크에서", "Vladimir Putin", "푸틴"),
    ("ko CLDR city", "푸틴은 비슈케크에서", "Bishkek", "비슈케크"),
    ("hyphenated pair", "the Putin-Japarov talks", "Sadyr Japarov", "Japarov"),
    ("headline capitals", "BISHKEK — Russian President", "Bishkek", "BISHKEK"),
    ("vi CLDR city with hyphens", "tại Mát-xcơ-va", "Moscow", "Mát xcơ va"),
])
def test_names_match_across_scripts(table, script: str, text: str, entity: str, spelling: str) -> None:
    assert spelling in found(table, text).get(entity, set()), f"{script}: {found(table, text)}"


@pytest.mark.parametrize(("why", "text", "entity"), [
    ("a derivation, not a case form", "three decades of Putinism", "Vladimir Putin"),
    ("a derivation in Cyrillic", "эпоха путинизма", "Vladimir Putin"),
    ("a surname made from the city", "the Bishkekov family", "Bishkek"),
    ("the name inside another word", "Rasputin's story", "Vladimir Putin"),
    ("acronym starting a longer capitalised word", "a CSTORM of letters", "CSTO"),
    ("acronym in lowercase", "csto", "CSTO"),
    ("acronym at the end of a word", "the POSTCSTO era", "CSTO"),
    ("a first name alone", "Sadyr Bekov", "Sadyr Japarov"),
    ("an inflection longer than 8 letters", "Putinkollektivnost", "Vladimir Putin"),
])
def test_near_misses_do_not_match(table, why: str, text: str, entity: str) -> None:
    assert entity not in found(table, text), why


def test_mentions_are_counted_per_spelling(table) -> None:
    text = "Putin met Japarov. Putin’s visit; Путин и Жапаров; Putinning tashrifi."
    mentions = {(m.entity, m.spelling): m.count for m in matcher(tuple(table.values())).find(text)}
    assert mentions[("Vladimir Putin", "Putin")] == 3
    assert mentions[("Vladimir Putin", "Путин")] == 1
    assert mentions[("Sadyr Japarov", "Japarov")] == 1


def test_longest_alias_wins_and_is_counted_once(table) -> None:
    mentions = matcher(tuple(table.values())).find("Vladimir Putin spoke.")
    assert [(m.entity, m.spelling, m.count) for m in mentions] == [("Vladimir Putin", "Vladimir Putin", 1)]


@pytest.mark.parametrize(("lang", "text", "day", "expected"), [
    ("uz", "Bugun (26.11.2025) poytaxt", date(2025, 11, 26), [date(2025, 11, 26)]),
    ("uz", "27 - noyabr kuni Bishkekda", date(2025, 11, 26), [date(2025, 11, 27)]),
    ("vi", "ký kết các thỏa thuận hôm 26/11", date(2025, 11, 27), [date(2025, 11, 26)]),
    ("vi", "ngày 26 tháng 11 năm 2024", date(2025, 11, 27), [date(2024, 11, 26)]),
    ("en", "the CSTO summit on Nov. 27", date(2025, 11, 26), [date(2025, 11, 27)]),
    ("en", "on November 27, 2024", date(2025, 11, 26), [date(2024, 11, 27)]),
    ("en", "dated 2025-11-29 in ISO", date(2025, 11, 26), [date(2025, 11, 29)]),
    ("ky", "16-майда Москвада", date(2022, 5, 16), [date(2022, 5, 16)]),
    ("ky", "2022-жылдын 9-марттагы жыйынында", date(2022, 5, 16), [date(2022, 3, 9)]),
    ("ky", "13-апрелде", date(2022, 5, 16), [date(2022, 4, 13)]),
    ("tr", "26 Kasım'da Bişkek'te", date(2025, 11, 20), [date(2025, 11, 26)]),
    ("ru", "прибыл 25 ноября", date(2025, 11, 25), [date(2025, 11, 25)]),
    ("ru", "подписано 25.11", date(2025, 11, 26), [date(2025, 11, 25)]),
    ("de", "am 27. November in Bischkek", date(2025, 11, 25), [date(2025, 11, 27)]),
    ("kk", "25 қарашада", date(2025, 11, 25), [date(2025, 11, 25)]),
    ("ar", "يوم 25 نوفمبر", date(2025, 11, 25), [date(2025, 11, 25)]),
    ("zh-Hans", "2025年11月26日在比什凯克", date(2025, 11, 30), [date(2025, 11, 26)]),
    ("ja", "11月25日、ビシュケクに到着", date(2025, 11, 26), [date(2025, 11, 25)]),
    ("en", "a yearless 30 December read in January", date(2026, 1, 2), [date(2025, 12, 30)]),
])
def test_event_dates(lang: str, text: str, day: date, expected: list[date]) -> None:
    assert list(event_dates(text, lang, day)) == expected


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "trade of $4.1 billion, up 13.6%"),  # decimals in a language whose decimal sign is "."
    ("tr", "yüzde 13,6 artarak"),
    ("vi", "đã tăng lên 1.800 vào năm ngoái"),  # a thousands separator
    ("en", "a third, 1/3, of payments"),  # a fraction
    ("en", "open 24/7"),  # no 24th month in the US order
    ("uz", "yana 17 foizlik o‘sish"),  # "yana" is not "yan(var)"
    ("en", "27 mayors signed"),  # "May" must stand alone in English
    ("tr", "Yayın saati 14:41"),
    ("vi", "từ tháng 1 đến tháng 9"),  # months without days
])
def test_numbers_that_are_not_dates(lang: str, text: str) -> None:
    assert event_dates(text, lang, date(2025, 11, 26)) == ()


def test_places_get_cldr_names_and_cities_compete(table) -> None:
    bishkek = table["Bishkek"]
    assert {"Бишкек", "Bişkek", "比什凯克", "Bischkek", "비슈케크"} <= set(bishkek.aliases)
    assert isinstance(bishkek, Place) and bishkek.city
    assert {"Moscow", "Astana", "Dushanbe"} <= {r.name for r in bishkek.rivals}
    assert "Bishkek" not in {r.name for r in bishkek.rivals}
    assert not table["Kyrgyzstan"].city  # a country contains cities: it never competes
    assert "Kırgızistan" in table["Kyrgyzstan"].aliases
    assert "Qirgʻiziston" in cldr_names("territory", "KG")


def write_table(tmp_path: Path, text: str) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "entities.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("yaml_text", "line", "message"), [
    ("Putin:\n  kind: persn\n", 2, "unknown kind 'persn', did you mean 'person'?"),
    ("Putin:\n  kind: person\n  alias: [Путин]\n", 3, "unknown key 'alias', did you mean 'aliases'?"),
    ("Putin:\n  kind: person\n  territory: RU\n", 3, "'territory' is only for places"),
    ("Oz:\n  kind: place\n  territory: XX\n", 3, "unknown territory code 'XX'"),
    ("Oz:\n  kind: place\n  timezone: Asia/Nowhere\n", 3, "unknown time zone 'Asia/Nowhere'"),
    ("Putin:\n  kind: person\n  aliases: Путин\n", 3, "'aliases' must be a list of strings"),
    ("Putin: person\n", 1, "entity 'Putin' must be a mapping"),
    ("Putin:\n  aliases: [Путин]\n", 1, "required field 'kind' is missing"),
])
def test_entity_table_errors(tmp_path: Path, yaml_text: str, line: int, message: str) -> None:
    table, problems = read_entities(write_table(tmp_path, yaml_text))
    errors = [p for p in problems if not p.warning]
    assert errors and errors[0].line == line and message in errors[0].message, errors
    assert errors[0].path == "content/entities.yaml"


def test_names_with_dots_and_alias_collisions(tmp_path: Path) -> None:
    table, problems = read_entities(write_table(tmp_path, """\
        St. Petersburg:
          kind: place
          city: true
          aliases: [Санкт-Петербург, Питер]
        Peter Pan:
          kind: person
          aliases: [Питер]
        """))
    assert table["St. Petersburg"].city
    assert [p.message for p in problems if p.warning] == ["alias 'Питер' of 'Peter Pan' also names 'St. Petersburg'"]


def test_missing_table(tmp_path: Path) -> None:
    table, problems = read_entities(tmp_path)
    assert table == {} and problems[0].path == "content/entities.yaml" and "missing" in problems[0].message


@pytest.mark.parametrize(("aliases", "short"), [
    ("[a]", ["a"]),
    ("[A., Bishkek]", ["A."]),
    ("[Б, Бишкек]", ["Б"]),
    ("[ب]", ["ب"]),  # Arabic letters spell words: one alone is a letter
    ("[北, の, カ, 한]", []),  # Han, Hiragana, Katakana, Hangul: one character is a word
    ("[AB, 北京]", []),
])
def test_aliases_shorter_than_two_letters_are_warned(tmp_path: Path, aliases: str, short: list[str]) -> None:
    """A one-letter alias matches that letter in every article: a warning at its line, unless its script
    writes a word with one character."""
    table, problems = read_entities(write_table(tmp_path, f"Oz:\n  kind: place\n  aliases: {aliases}\n"))
    assert "Oz" in table
    warned = [p for p in problems if "shorter than two letters" in p.message]
    assert [p.message.split("'")[1] for p in warned] == short
    assert all(p.warning and p.line == 3 and p.col for p in warned)


def test_a_one_letter_entity_name_is_warned_at_its_line(tmp_path: Path) -> None:
    _, problems = read_entities(write_table(tmp_path, "Oz:\n  kind: place\nX:\n  kind: organisation\n"))
    assert [(p.line, p.warning) for p in problems if "'X' is shorter" in p.message] == [(3, True)]


def test_a_weekday_in_capitals_that_folds_otherwise_is_no_crash() -> None:
    """Turkish "SALI" matches "Salı" without case but casefolds to "sali": it is skipped, not a KeyError."""
    assert event_dates("Putin SALI günü Bişkek'e geldi", "tr", date(2025, 11, 26)) == ()
    assert event_dates("Putin salı günü Bişkek'e geldi", "tr", date(2025, 11, 26)) == (date(2025, 11, 25),)
