"""The build record of an output folder, as the dev server keeps it: the same one ``build`` keeps.

``build`` and ``serve`` decide what to re-render the same way: a job runs when its
fingerprint (output.fingerprint) differs from the one recorded for its path. The server
keeps the record in memory between saves and stores it after each rebuild, so the build
after a preview renders nothing that the preview already made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from builder.cache import Record, digest
from builder.model import Output
from builder.output.write import safe_target
from builder.render.jobs import Job


def stale(jobs: Iterable[Job], prints: Mapping[str, str], records: Mapping[str, Record]) -> list[Job]:
    """The jobs to run: new, or made from other inputs than the recorded output."""
    return [job for job in jobs if (record := records.get(job.path)) is None or record[0] != prints[job.path]]


def updated(records: Mapping[str, Record], prints: Mapping[str, str], outputs: Iterable[Output],
            out: Path) -> dict[str, Record]:
    """The record after ``outputs`` were rendered (written where their bytes changed) into ``out``:
    every output of ``prints``, with the size and mtime a build's scan will find."""
    new = {path: (fp, *records[path][1:]) for path, fp in prints.items() if path in records}
    for output in outputs:
        stat = safe_target(out, output.path).stat()
        new[output.path] = (prints[output.path], stat.st_size, stat.st_mtime_ns, digest(output.data))
    return new
