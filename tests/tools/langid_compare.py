"""Measure the two candidate language identifiers on tests/fixtures/langid/texts.yaml (run by hand, once per
change of library: ``python tests/tools/langid_compare.py``). Prints accuracy on the held-out paragraphs for
py3langid and lingua-language-detector as they come, and for builder.ingest.langid (py3langid + letter rules).
lingua is needed only here (``pip install lingua-language-detector``), not by digest.

Measured 2026-12-03 (19 languages, one held-out paragraph each): py3langid 18/19 languages, 15/19 full tags;
lingua 14/19 and 12/19 (it has no Kyrgyz, Uzbek or Tajik), 9.7 s and 490 MB with its models loaded;
builder.ingest.langid 19/19 full tags (uz-Cyrl, sr-Latn/hr, zh-Hans/zh-Hant told by letters)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from builder.ingest.langid import identify, rank

TEXTS = yaml.safe_load((Path(__file__).parents[1] / "fixtures" / "langid" / "texts.yaml").read_text(encoding="utf-8"))


def base(tag: str) -> str:
    return tag.split("-")[0]


def lingua_guess():  # type: ignore[no-untyped-def]
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().build()

    def guess(text: str) -> str:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else "?"

    return guess


def main() -> None:
    contenders = {"py3langid": lambda t: rank(t)[0][0], "lingua": lingua_guess(),
                  "builder.ingest.langid": lambda t: identify(t).lang or "?"}
    for name, guess in contenders.items():
        started = time.perf_counter()
        for part in ("tune", "held_out"):
            right_base = right_tag = 0
            wrong = []
            for tag, texts in TEXTS.items():
                got = guess(texts[part])
                right_base += base(got) == base(tag)
                right_tag += got == tag
                if got != tag:
                    wrong.append(f"{tag}→{got}")
            n = len(TEXTS)
            print(f"{name:22} {part:8} language {right_base}/{n}  full tag {right_tag}/{n}  wrong: {' '.join(wrong)}")
        print(f"{'':22} {time.perf_counter() - started:.2f} s for {2 * len(TEXTS)} texts (model load included)")


if __name__ == "__main__":
    main()
