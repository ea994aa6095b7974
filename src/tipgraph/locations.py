"""Where a subject is described in a Turtle file: the line its description starts on.

pyoxigraph's parser gives no positions for what it parsed, so the file is scanned: a subject
is described where a line starts (column 1) with its IRI or a prefixed name of it, as tipgraph's
files are written. A subject found nowhere so (a blank node, an object-only IRI) has no line.
"""

from __future__ import annotations

import re
from pathlib import Path

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_SUBJECT = re.compile(r"^(?:<([^>\s]*)>|([A-Za-z][\w.-]*)?:([^\s;,()\[\]]*))")


class SubjectLines:
    """The line of each subject of each file asked about, each file scanned once."""

    def __init__(self) -> None:
        self._files: dict[Path, dict[str, int]] = {}

    def line_of(self, subject: str, file: Path) -> int | None:
        """The 1-based line where ``file`` starts describing ``subject`` (an IRI), or None."""
        if file not in self._files:
            self._files[file] = subject_lines(file)
        return self._files[file].get(subject)


def subject_lines(file: Path) -> dict[str, int]:
    """Each subject IRI of a Turtle file with the first line that starts describing it."""
    if file.suffix not in (".ttl", ".trig"):
        return {}
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    prefixes: dict[str, str] = {}
    lines: dict[str, int] = {}
    in_long_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        opens_or_closes = bool(line.count('"""') % 2)
        if in_long_string:  # a line inside a long string may look like a subject
            in_long_string = not opens_or_closes
            continue
        in_long_string = opens_or_closes
        declared = _PREFIX.match(line)
        if declared:
            prefixes[declared[1]] = declared[2]
            continue
        subject = _SUBJECT.match(line)
        if subject is None:
            continue
        iri, prefix, local = subject.groups()
        if iri is None:
            if (prefix or "") not in prefixes:
                continue
            iri = prefixes[prefix or ""] + local
        lines.setdefault(iri, number)
    return lines
