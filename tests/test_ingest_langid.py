"""Language identification for ``digest add``: accuracy on held-out news paragraphs, and honest refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from builder.ingest.langid import identify

TEXTS = yaml.safe_load((Path(__file__).parent / "fixtures" / "langid" / "texts.yaml").read_text(encoding="utf-8"))


def test_held_out_accuracy_is_reported_and_high(capsys: pytest.CaptureFixture[str]) -> None:
    wrong = {tag: identify(texts["held_out"]).lang for tag, texts in TEXTS.items()
             if identify(texts["held_out"]).lang != tag}
    right = len(TEXTS) - len(wrong)
    with capsys.disabled():
        print(f"\nlanguage ID, held-out paragraphs: {right}/{len(TEXTS)} full tags right; wrong: {wrong}")
    assert len(TEXTS) >= 19 and right >= len(TEXTS) - 1, wrong


@pytest.mark.parametrize("tag", sorted(TEXTS))
def test_every_language_of_the_set_with_its_script(tag: str) -> None:
    guess = identify(TEXTS[tag]["held_out"])
    assert (guess.lang, guess.confidence >= 0.5) == (tag, True)


@pytest.mark.parametrize("pair", [("ky", "kk"), ("uz", "uz-Cyrl"), ("tg", "fa"), ("sr-Latn", "hr"),
                                  ("zh-Hans", "zh-Hant"), ("fa", "ar")])
def test_close_pairs_are_told_apart(pair: tuple[str, str]) -> None:
    assert tuple(identify(TEXTS[tag]["tune"]).lang for tag in pair) == pair


@pytest.mark.parametrize("text,why", [
    ("Putin Bishkek", "too little text"),
    # no word whose spelling tells the two standards apart
    ("Vlada je objavila da je sastanak održan u glavnom gradu, a ministar je najavio nove mjere za sve građane.",
     "Serbian or Croatian"),
    # only characters both Chinese sets share
    ("今天下午，日本首相在大阪和外交大使共同出席了午宴，并且在午宴上表示希望加强合作。", "simplified from traditional"),
])
def test_what_cannot_be_told_is_said(text: str, why: str) -> None:
    guess = identify(text)
    assert guess.lang is None and why in guess.reason
