"""``digest add`` options and refusals: pasted text, --lang, --date, --source, --dry-run, and nothing written on
any error."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import pytest

from builder.cli import main

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
LANGID = Path(__file__).parent / "fixtures" / "langid" / "texts.yaml"
PASTED = """Parliament approves new budget after long debate

Lawmakers approved the state budget for next year on 3 March 2025 after a debate that lasted eleven hours, with
spending on schools and hospitals rising by a fifth and defence spending held flat, the speaker said.

The opposition voted against the bill, saying the forecast for growth was too optimistic and that the deficit
would be larger than the finance ministry expects once energy subsidies are counted in full next winter.
"""


def _add(site: Path, *args: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["add", "--site", str(site), *args])
    return code, out.getvalue(), err.getvalue()


def _files(site: Path) -> list[Path]:
    return sorted((site / "content/articles").rglob("*.md"))


def test_pasted_text_becomes_an_article_and_the_story_line_is_printed(make_site, monkeypatch) -> None:
    site = make_site(sample=False)
    code, out, err = _add(site, "-", stdin=PASTED, monkeypatch=monkeypatch)
    assert code == 0, err
    (written,) = _files(site)
    assert written.relative_to(site).as_posix() == "content/articles/en/parliament-approves-new-budget-after-long-debate.md"
    text = written.read_text(encoding="utf-8")
    assert 'title: "Parliament approves new budget after long debate"' in text and "date: 2025-03-03" in text
    assert out.startswith("Added content/articles/en/") and "in no story" in out


def test_dry_run_prints_the_file_and_writes_nothing(make_site, monkeypatch) -> None:
    site = make_site(sample=False)
    code, out, _ = _add(site, "--dry-run", "-", stdin=PASTED, monkeypatch=monkeypatch)
    assert code == 0 and out.startswith("Would write content/articles/en/") and "\n---\ntitle: " in out
    assert _files(site) == []


def test_the_same_headline_twice_gets_a_second_name_never_an_overwrite(make_site, monkeypatch) -> None:
    site = make_site(sample=False)
    assert _add(site, "-", stdin=PASTED, monkeypatch=monkeypatch)[0] == 0
    other = PASTED.replace("eleven hours", "nine hours").split("\n\n")[0] + "\n\n" + \
        "A different report of the same vote, written by another outlet with other words and other figures, " \
        "said the budget passed late on Monday by 81 votes to 40 after amendments on pensions.\n"
    code, _, err = _add(site, "--source", "Daily Post", "--date", "2025-03-04", "-", stdin=other, monkeypatch=monkeypatch)
    assert code == 0, err
    assert [p.name for p in _files(site)] == ["parliament-approves-new-budget-after-long-debate-daily-post.md",
                                              "parliament-approves-new-budget-after-long-debate.md"]
    assert main(["build", "--site", str(site), "--no-search", "--quiet", "--no-cache"]) == 0  # both build


def test_near_identical_text_is_a_duplicate(make_site, monkeypatch) -> None:
    site = make_site(sample=False)
    assert _add(site, "-", stdin=PASTED, monkeypatch=monkeypatch)[0] == 0
    code, _, err = _add(site, "--source", "Copycat", "-", stdin=PASTED.replace("Parliament", "The parliament"),
                        monkeypatch=monkeypatch)
    assert code == 1 and "has nearly the same text; not added" in err and len(_files(site)) == 1


def test_when_the_language_cannot_be_told_it_asks_for_lang(make_site, monkeypatch) -> None:
    site = make_site(sample=False)
    text = ("Sastanak u glavnom gradu\n\nVlada je objavila da je sastanak održan 3.3.2025. u glavnom gradu, "
            "a ministar je najavio nove mjere za sve građane i poduzeća u zemlji.\n")
    code, _, err = _add(site, "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 1 and "-: cannot tell the language: Serbian or Croatian" in err and "pass --lang" in err
    assert _files(site) == []
    code, _, err = _add(site, "--lang", "hr", "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 0, err
    assert [p.parent.name for p in _files(site)] == ["hr"]


def test_uzbek_in_cyrillic_is_written_as_uz_cyrl(make_site, monkeypatch) -> None:
    import yaml

    paragraph = yaml.safe_load(LANGID.read_text(encoding="utf-8"))["uz-Cyrl"]["held_out"]
    site = make_site(sample=False)
    code, out, err = _add(site, "--json", "--date", "2025-11-26", "-", stdin=f"Қутқарувчилар тун бўйи ишлади\n\n{paragraph}\n",
                          monkeypatch=monkeypatch)
    assert code == 0, err
    report = json.loads(out)
    assert report["front_matter"]["lang"] == "uz-Cyrl" and report["path"].startswith("content/articles/uz-Cyrl/")
    assert report["confidence"]["lang"] >= 0.8 and report["confidence"]["date"] == 1.0


@pytest.mark.parametrize("args,message", [
    (["--date", "26.11.2025"], "--date: '26.11.2025' is not an ISO date"),
    (["--lang", "xx-Yyyy"], "--lang: unknown language code"),
])
def test_bad_options_are_one_line_each(make_site, monkeypatch, args: list[str], message: str) -> None:
    site = make_site(sample=False)
    code, _, err = _add(site, *args, "-", stdin=PASTED, monkeypatch=monkeypatch)
    assert code == 1 and err.startswith("-: ") and message in err and _files(site) == []


def test_a_text_without_any_date_asks_for_one(make_site, monkeypatch) -> None:
    site = make_site(sample=False)
    undated = PASTED.replace(" on 3 March 2025", "")
    code, _, err = _add(site, "-", stdin=undated, monkeypatch=monkeypatch)
    assert code == 1 and "no publication date found in it; pass --date" in err


def test_a_missing_file_and_the_others_still_added(make_site, tmp_path: Path) -> None:
    site = make_site(sample=False)
    code, _, err = _add(site, str(tmp_path / "nope.txt"), str(SEEDS / "001_c5f6014710eb27af.txt"))
    assert code == 1 and f"{tmp_path / 'nope.txt'}: cannot read: No such file or directory" in err
    assert [p.parent.name for p in _files(site)] == ["tr"]


def test_empty_and_oversized_input_are_refused(make_site, monkeypatch) -> None:
    site = make_site(sample=False, config=(Path(__file__).parent.parent / "site.yaml").read_text(encoding="utf-8")
                     + "\nmax_file_bytes: 2000\n")
    code, _, err = _add(site, "-", stdin="  \n\n", monkeypatch=monkeypatch)
    assert code == 1 and err == "-: it is empty\n"
    code, _, err = _add(site, "-", stdin=PASTED * 10, monkeypatch=monkeypatch)
    assert code == 1 and "larger than max_file_bytes (2,000 bytes" in err and _files(site) == []


def test_an_article_naming_a_story_too_little_says_which_and_why(make_site, monkeypatch) -> None:
    site = make_site()
    text = ("Putin visits a factory near Moscow\n\nVladimir Putin toured a tractor factory outside Moscow on "
            "12 March 2025 and spoke to workers about wages, exports and the harvest expected later in the year.\n")
    code, out, err = _add(site, "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 0, err
    assert ("in no story; nearest putin-bishkek-2025-11: score 2.0, but it names 1 of the story's 4 entities, "
            "members need 3") in out


# --- the outlet a wire lead credits ------------------------------------------------------------

CREDITED = {  # leads as agencies and the papers that run their copy write them
    "BISHKEK, Nov 25 (Reuters) - Russian President Vladimir Putin arrived in Kyrgyzstan": "Reuters",
    "WASHINGTON (AP) — President Joe Biden said on Tuesday": "AP",
    "Berlin (dpa) – Bundeskanzler Friedrich Merz hat am Dienstag": "dpa",
    "PARIS, 26 nov (AFP) - Le président russe est arrivé mardi": "AFP",
    "Madrid, 26 nov (EFE).- El presidente ruso llegó el martes": "EFE",
    "Warszawa, 26 listopada (PAP) - Prezydent Rosji przybył we wtorek": "PAP",
    "ANKARA (AA) - Cumhurbaşkanı Erdoğan salı günü": "AA",
    "Bishkek (ANTARA) - Presiden Rusia Vladimir Putin tiba di Bishkek": "ANTARA",
    "बिश्केक, 25 नवंबर (भाषा) रूस के राष्ट्रपति व्लादिमीर पुतिन मंगलवार को": "भाषा",
    "МОСКВА, 25 ноября. /ТАСС/. Президент России Владимир Путин прибыл": "ТАСС",
    "МОСКВА, 25 ноя — РИА Новости. Президент России Владимир Путин прибыл": "РИА Новости",
    "TOKYO (Kyodo) -- Japan's government said on Wednesday": "Kyodo",
    "(서울=연합뉴스) 김철수 기자 = 블라디미르 푸틴 러시아 대통령이 25일": "연합뉴스",
    "(TTXVN) - Tổng thống Nga Vladimir Putin đã tới Bishkek": "TTXVN",
}
UNCREDITED = [  # brackets and dashes in leads that credit nobody
    "Russian President Vladimir Putin (pictured) arrived in Bishkek on Tuesday.",
    "In 2024 (the latest year) trade between the two countries rose by a fifth.",
    "Prime Minister Narendra Modi (BJP) said on Tuesday that the talks went well.",
    "BISHKEK — Putin arrived in Kyrgyzstan on Tuesday for a state visit.",
    "The Collective Security Treaty Organisation (CSTO) holds its summit on Thursday.",
    "Putin, 73, arrived on Tuesday (local time) and was met by Japarov.",
    "新华社北京11月26日电（记者王明）国家主席习近平26日在北京会见",
    "(CSTO) summit opens in Bishkek on Thursday with six leaders.",
]


@pytest.mark.parametrize("lead", sorted(CREDITED))
def test_a_dateline_credit_names_the_agency(lead: str) -> None:
    from builder.ingest.extract_text import wire_credit

    assert wire_credit(lead) == CREDITED[lead]


@pytest.mark.parametrize("lead", UNCREDITED)
def test_brackets_that_credit_nobody_are_no_outlet(lead: str) -> None:
    from builder.ingest.extract_text import wire_credit

    assert wire_credit(lead) is None


def test_a_pasted_wire_story_takes_its_outlet_from_the_dateline_as_the_registry_spells_it(make_site, monkeypatch) -> None:
    site = make_site()  # the sample's registry lists TASS with the alias ТАСС
    text = ("Путин прибыл в Бишкек с государственным визитом\n\nБИШКЕК, 25 ноября 2025. /ТАСС/. Президент России "
            "Владимир Путин прибыл в Бишкек с государственным визитом, сообщили в Кремле.\n\nВ аэропорту его встретил "
            "президент Киргизии Садыр Жапаров. Переговоры пройдут в среду.\n")
    code, out, err = _add(site, "--dry-run", "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 0, err
    assert 'source: "TASS"' in out and "source 0.60" in out and "the dateline credits 'ТАСС'" in err
    code, out, _ = _add(site, "--dry-run", "--source", "Kabar", "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 0 and 'source: "Kabar"' in out and "source 0.60" not in out


# --- what a copied page puts before its headline -------------------------------------------------

CAPTIONED = {  # a page copied from its top: the lead photo's caption and credit, the headline, a byline, a dateline
    "en": ("Russian President Vladimir Putin and Kyrgyz President Sadyr Japarov attend a welcoming ceremony in Bishkek, "
           "Kyrgyzstan, November 25, 2025. Sputnik/Alexander Kazakov/Pool via REUTERS\n"
           "Putin hails 'strategic' ties on Kyrgyzstan visit\nBy Olzhas Auyezov\nNovember 25, 2025 3:14 PM GMT+6\n"
           "BISHKEK, Nov 25 (Reuters) - Russian President Vladimir Putin praised what he called a strategic alliance "
           "with Kyrgyzstan on Tuesday as he began a state visit to the Central Asian nation.\n"
           "Putin, speaking alongside President Sadyr Japarov, said bilateral trade had grown by 13.6% last year.\n",
           "Putin hails 'strategic' ties on Kyrgyzstan visit", "Olzhas Auyezov"),
    "ru": ("Владимир Путин и Садыр Жапаров во время церемонии официальной встречи в Бишкеке. "
           "Фото: Александр Казаков/POOL/ТАСС\nПутин назвал Киргизию стратегическим союзником\nАвтор: Иван Петров\n"
           "25 ноября 2025, 15:40\nПрезидент России Владимир Путин прибыл в Бишкек с государственным визитом. Его "
           "встретил президент Киргизии Садыр Жапаров.\nПо словам Путина, товарооборот двух стран вырос на 13,6%.\n",
           "Путин назвал Киргизию стратегическим союзником", "Иван Петров"),
    "de": ("Wladimir Putin und Sadyr Dschaparow bei der Begrüßungszeremonie in Bischkek. (AP Photo/Vladimir Voronin)\n"
           "Putin wirbt in Kirgistan um enge Partnerschaft\nVon Anna Müller\n25. November 2025\n"
           "Der russische Präsident Wladimir Putin ist zu einem Staatsbesuch in Kirgistan eingetroffen. Am Flughafen "
           "empfing ihn Präsident Sadyr Dschaparow.\nDer Handel zwischen beiden Ländern sei im vergangenen Jahr um "
           "13,6 Prozent gewachsen, sagte Putin.\n",
           "Putin wirbt in Kirgistan um enge Partnerschaft", "Anna Müller"),
}


@pytest.mark.parametrize("lang", sorted(CAPTIONED))
def test_a_caption_before_the_headline_is_left_out_and_a_byline_names_the_author(make_site, monkeypatch, lang: str) -> None:
    text, title, author = CAPTIONED[lang]
    code, out, err = _add(make_site(sample=False), "--dry-run", "--json", "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 0, err
    report = json.loads(out)
    front = report["front_matter"]
    assert (front["title"], front.get("author"), str(front["date"])[:10]) == (title, author, "2025-11-25")
    assert "description" not in front  # neither the byline nor the caption
    assert "a photo caption before the headline was left out" in report["warnings"]


def test_a_standfirst_sentence_is_the_description_not_a_byline_or_a_caption(make_site, monkeypatch) -> None:
    text = ("Kyrgyzstan rolls out red carpet for Putin\nRussian leader's visit underlines Moscow's grip on a region.\n"
            "Nov. 25, 2025\nBISHKEK, Kyrgyzstan (AP) — Kyrgyzstan gave Russian President Vladimir Putin a lavish "
            "welcome on Tuesday as he arrived for a state visit.\nPutin and Sadyr Japarov signed a declaration.\n")
    code, out, err = _add(make_site(sample=False), "--dry-run", "--json", "-", stdin=text, monkeypatch=monkeypatch)
    front = json.loads(out)["front_matter"]
    assert code == 0 and front["title"] == "Kyrgyzstan rolls out red carpet for Putin" and "author" not in front
    assert front["description"] == "Russian leader's visit underlines Moscow's grip on a region." and front["source"] == "AP"


def test_a_wire_story_ends_without_its_staff_credits_and_standards_line(make_site, monkeypatch) -> None:
    text = CAPTIONED["en"][0] + ("Reporting by Olzhas Auyezov; Additional reporting by Guy Faulconbridge; Editing by Mark "
                                 "Trevelyan\nOur Standards: The Thomson Reuters Trust Principles.\n")
    code, out, err = _add(make_site(sample=False), "--dry-run", "-", stdin=text, monkeypatch=monkeypatch)
    assert code == 0, err
    body = out.split("\n---\n", 1)[1].split("\n  in no story")[0]  # the file, without the story line after it
    assert body.rstrip().endswith("had grown by 13.6% last year.") and "Trust Principles" not in body
