"""Find credentials in files about to be published, with detect-secrets' rule set rather than our own guesses.

detect-secrets (Yelp) keeps one detector per credential format, maintained as providers change them; it
runs offline (it verifies nothing unless asked). Its heuristic detectors are left out: the keyword and
entropy ones flag prose about passwords and the hashes in asset names, and a public IP address in a news
article is not a secret. A few formats it has no detector for are added below, each saying which.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.scan import scan_file
from detect_secrets.settings import transient_settings

HEURISTIC_PLUGINS = {"KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}

# detect-secrets 1.5 has no detector for these (its PrivateKeyDetector knows PuTTY's version 2 only, its
# AWS detector finds a secret access key only in quotes or in files it parses as configuration).
MISSED = {
    "Private Key": re.compile(rb"PuTTY-User-Key-File-\d+:"),
    "AWS Secret Access Key": re.compile(rb"(?i)aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"),
    "Google API Key": re.compile(rb"\bAIza[0-9A-Za-z_-]{35}\b"),
}


@dataclass(frozen=True)
class Finding:
    line: int
    kind: str  # detect-secrets' name for the format, e.g. "GitHub Token"; never the secret itself


@contextmanager
def secret_scanner() -> Iterator[None]:
    """Enable detect-secrets' format detectors for the scans made inside (its settings are process-global)."""
    names = sorted(cls.__name__ for cls in get_mapping_from_secret_type_to_class().values())
    with transient_settings({"plugins_used": [{"name": n} for n in names if n not in HEURISTIC_PLUGINS]}):
        yield


def find_secret(path: Path) -> Finding | None:
    """The first credential in the file at ``path``, or None; call inside ``secret_scanner()``."""
    data = path.read_bytes()
    found = [Finding(m.line_number, m.type) for m in scan_file(str(path))]
    for kind, pattern in MISSED.items():
        match = pattern.search(data)
        if match:
            found.append(Finding(data.count(b"\n", 0, match.start()) + 1, kind))
    return min(found, key=lambda f: f.line, default=None)
