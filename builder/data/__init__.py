"""The builder's own tables (evidence weights, venue cues, figure words, periods, agency credits).

They ship with the code, so they are trusted and parsed with libyaml's loader when PyYAML has it:
ten times faster than the pure-Python one, which an edit's build would otherwise pay on every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).resolve().parent
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_table(name: str) -> Any:
    """The parsed ``builder/data/<name>.yaml``."""
    return yaml.load((FOLDER / f"{name}.yaml").read_text(encoding="utf-8"), Loader=_Loader)
