"""Find credentials in files about to be published, with detect-secrets' rule set rather than our own guesses.

detect-secrets (Yelp) keeps one detector per credential format, maintained as providers change them. We
take its detectors' patterns and run them over each whole file at once: its own scanner goes line by line
through every detector and filter (about 4 s a megabyte, 5 s for the sample site alone) and skips any file
that is not valid UTF-8, where one stray byte would hide a key. A match counts when the detector itself
accepts it (the JWT detector, for one, decodes the token). Nothing is verified online.

Its heuristic detectors are left out: the keyword and entropy ones flag prose about passwords and the
hashes in asset names, and a public IP address in a news article is not a secret. A few formats it has no
detector for are added below, each saying which.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.filters.heuristic import is_non_text_file
from detect_secrets.plugins.base import RegexBasedDetector

HEURISTIC_PLUGINS = {"KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}

# detect-secrets 1.5 has no detector for these: its PrivateKeyDetector knows PuTTY's version 2 only, its
# AWS detector finds a secret access key only in quotes, its GitHub one misses fine-grained tokens, and it
# has no Google detector.
MISSED = {
    "Private Key": r"PuTTY-User-Key-File-\d+:",
    "GitHub Token": r"\bgithub_pat_[A-Za-z0-9_]{82}\b",
    "AWS Secret Access Key": r"(?i)aws_?secret_?access_?key[\"']?[ \t]*[:=][ \t]*[\"']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])",
    "Google API Key": r"\bAIza[0-9A-Za-z_-]{35}\b",
}


@dataclass(frozen=True)
class Finding:
    line: int
    kind: str  # detect-secrets' name for the format, e.g. "GitHub Token"; never the secret itself


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]  # the detector's own, with ^ and $ at each line as in its line-by-line scan
    accepts: Callable[[str], bool]


@cache
def rules() -> list[Rule]:
    """detect-secrets' format detectors as rules over a whole file, then the formats it misses."""
    found: list[Rule] = []
    for cls in get_mapping_from_secret_type_to_class().values():
        if cls.__name__ in HEURISTIC_PLUGINS or not issubclass(cls, RegexBasedDetector):
            continue
        detector = cls()
        for regex in detector.denylist:
            found.append(Rule(detector.secret_type, re.compile(regex.pattern, regex.flags | re.MULTILINE),
                              lambda text, d=detector: any(d.analyze_string(text))))
    found += [Rule(kind, re.compile(pattern), bool) for kind, pattern in MISSED.items()]
    return found


def find_secret(path: Path) -> Finding | None:
    """The first credential in the file at ``path`` (by line), or None; images, fonts and archives, which
    detect-secrets does not read either, are None (a photo would cost seconds a megabyte)."""
    if is_non_text_file(path.name):
        return None
    text = path.read_bytes().decode("utf-8", "replace")
    first: tuple[int, str] | None = None
    for rule in rules():
        for match in rule.pattern.finditer(text):
            if first is not None and match.start() >= first[0]:
                break
            if rule.accepts(match.group(0)):
                first = (match.start(), rule.kind)
                break
    return Finding(text.count("\n", 0, first[0]) + 1, first[1]) if first else None
