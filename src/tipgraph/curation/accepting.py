"""``tipgraph accept``: move the finished items of a report's draft into its curated files.

The curator completes items in ``draft.ttl`` itself: a draft figure becomes ``a qb:Observation``
with its indicator, unit, area and form, its ``tip:todo`` and ``tip:guess`` lines deleted; a
non-statistical numeral loses its ``tip:guess``. An item is finished when nothing of the
checklist is left in it. Finished observations go to ``statistics.ttl``; finished numerals, and
the quotes finished items cite, to ``report.ttl``; the prefixes they use come along. The rest
stays in the draft, which is deleted once empty. Every file is checked to parse before any is
written, so a failed move changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tipgraph.dataset import DRAFT_FILE
from tipgraph.errors import TipgraphError
from tipgraph.namespaces import TIP

OBSERVATION = "http://purl.org/linked-data/cube#Observation"
UNFINISHED = (f"{TIP}todo", f"{TIP}guess")
_PREFIX = re.compile(r"^@prefix\s+([\w-]*):\s*<([^>]*)>\s*\.\s*$", re.MULTILINE)
_NAME = re.compile(r"(?<![\w<\"/#-])([A-Za-z][\w-]*):(?=[\w-])")


class AcceptError(TipgraphError):
    """A draft whose items cannot be moved; the message says why."""


@dataclass(frozen=True)
class Accepted:
    """What one run moved, and what is left."""

    figures: int
    others: int  # numerals, interpretations …
    quotes: int
    left: int


@dataclass(frozen=True)
class _Block:
    text: str
    start: int  # its offset in draft.ttl
    subject: str
    types: frozenset[str]
    finished: bool
    cites: frozenset[str]  # the quotes it is derived from


def accept_draft(folder: Path) -> Accepted:
    """Move the finished items of ``folder``'s draft into its curated files."""
    draft = folder / DRAFT_FILE
    if not draft.is_file():
        raise AcceptError(f"{draft}: no draft (write one with tipgraph draft)")
    text = draft.read_text(encoding="utf-8")
    _check_parses(draft, text, "does not parse")
    prefixes = dict(_PREFIX.findall(text))
    blocks = _blocks(text, prefixes, draft)
    finished = [b for b in blocks if b.finished and not _is_quote(b)]
    cited = {quote for b in finished for quote in b.cites}
    moving = [*finished, *(b for b in blocks if _is_quote(b) and b.subject in cited)]
    to_statistics = [b for b in moving if OBSERVATION in b.types]
    to_report = [b for b in moving if OBSERVATION not in b.types]
    staying = [b for b in blocks if b not in moving]
    changes = {
        folder / "statistics.ttl": _appended(folder / "statistics.ttl", to_statistics, prefixes),
        folder / "report.ttl": _appended(folder / "report.ttl", to_report, prefixes),
    }
    if staying:
        changes[draft] = text[: blocks[0].start] + "\n".join(b.text for b in staying)
    for path, content in changes.items():
        _check_parses(path, content, "would not parse after the move; nothing was moved")
    for path, content in changes.items():
        path.write_text(content, encoding="utf-8")
    if not staying:
        draft.unlink()
    return Accepted(
        figures=len(to_statistics),
        others=len(finished) - len(to_statistics),
        quotes=len(moving) - len(finished),
        left=sum(1 for b in staying if not _is_quote(b)),
    )


def _is_quote(block: _Block) -> bool:
    return f"{TIP}Quote" in block.types


def _blocks(text: str, prefixes: dict[str, str], draft: Path) -> list[_Block]:
    """The draft's statements, one per blank-line-separated block after the prefixes."""
    declarations = "".join(f"@prefix {n}: <{iri}> .\n" for n, iri in prefixes.items())
    found = []
    offset = 0
    for chunk in re.split(r"\n\s*\n", text):
        start = text.index(chunk, offset)
        offset = start + len(chunk)
        body = "\n".join(
            line for line in chunk.splitlines() if not line.startswith(("#", "@prefix"))
        ).strip()
        if not body:
            continue
        line = text.count("\n", 0, start) + 1
        try:
            triples = list(ox.parse(declarations + body, format=ox.RdfFormat.TURTLE))
        except SyntaxError as error:  # the whole parses: a block cut where it should not be
            raise AcceptError(f"{draft}:{line}: keep each item in one block ({error})") from None
        subjects = {t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}
        if len(subjects) != 1:
            raise AcceptError(
                f"{draft}:{line}: an item describes one resource, not {len(subjects)}"
            )
        subject = subjects.pop()
        own = [t for t in triples if t.subject == subject]
        types = frozenset(t.object.value for t in own if t.predicate.value.endswith("#type"))
        unfinished = any(t.predicate.value in UNFINISHED for t in own)
        cites = frozenset(
            t.object.value for t in own if t.predicate.value.endswith("#wasDerivedFrom")
        )
        found.append(
            _Block(
                text=body + "\n",
                start=start,
                subject=subject.value,
                types=types,
                finished=not unfinished and f"{TIP}DraftFigure" not in types,
                cites=cites,
            )
        )
    return found


def _appended(path: Path, blocks: Sequence[_Block], prefixes: dict[str, str]) -> str:
    """``path``'s text with ``blocks`` at its end and the draft's prefixes they use declared."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if not blocks:
        return text
    declared = dict(_PREFIX.findall(text))
    used = {name for b in blocks for name in _NAME.findall(b.text)}
    missing = "".join(
        f"@prefix {name}: <{prefixes[name]}> .\n"
        for name in sorted(used)
        if name in prefixes and name not in declared
    )
    if missing:
        last = list(_PREFIX.finditer(text))
        at = last[-1].end() + 1 if last else 0
        text = text[:at] + missing + text[at:]
    return text.rstrip("\n") + "\n\n" + "\n".join(b.text for b in blocks)


def _check_parses(path: Path, content: str, failure: str) -> None:
    try:
        for _ in ox.parse(content, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
            pass
    except SyntaxError as error:
        raise AcceptError(f"{path}: {failure}: {error}") from None
