"""The example SPARQL queries shipped with tipgraph, each answering competency questions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

HEADER = re.compile(r"#\s*(title|description|answers):\s*(.*)")
QUESTION = re.compile(r"(?:CQ\s*)?(\d+)")


@dataclass(frozen=True)
class Example:
    """One example query: ``slug`` is its file name without ``.rq``; ``answers`` are CQ numbers."""

    slug: str
    title: str
    description: str
    answers: tuple[int, ...]
    query: str


def parse_example(slug: str, text: str) -> Example:
    """The example in ``text``: leading ``# title:``, ``# description:``, ``# answers:`` lines,
    then the query (which keeps its own PREFIX lines)."""
    fields: dict[str, str] = {}
    lines = text.splitlines()
    while lines and (match := HEADER.fullmatch(lines[0].strip())):
        fields[match[1]] = match[2].strip()
        lines.pop(0)
    missing = {"title", "description", "answers"} - fields.keys()
    if missing:
        raise ValueError(f"example {slug} lacks the header line(s) {', '.join(sorted(missing))}")
    answers = tuple(int(n) for n in QUESTION.findall(fields["answers"]))
    query = "\n".join(lines).strip() + "\n"
    return Example(slug, fields["title"], fields["description"], answers, query)


def load_examples() -> list[Example]:
    """Every example shipped in ``tipgraph/examples/*.rq``, in the order of the competency
    questions they answer."""
    folder = files("tipgraph") / "examples"
    examples = [
        parse_example(entry.name.removesuffix(".rq"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".rq")
    ]
    return sorted(examples, key=lambda example: (example.answers, example.slug))
