"""Locate a verbatim passage in a source text and describe it with Web Annotation selectors."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tipgraph.errors import TipgraphError

CONTEXT = 32  # characters of prefix and suffix kept around a passage


class PassageNotFoundError(TipgraphError):
    """The passage is not in the text, or not only once."""


@dataclass(frozen=True)
class Selectors:
    """Where a passage stands: 0-based code-point offsets plus the text around it."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int

    def to_turtle(self) -> str:
        """The two oa:hasSelector values, ready to paste into a quote's description."""
        return "oa:hasSelector " + self.objects(indent=4)

    def objects(self, indent: int) -> str:
        """The two selectors as a Turtle object list, its second line indented by ``indent``
        spaces (the first follows the predicate)."""
        outer, inner = " " * indent, " " * (indent + 4)
        return (
            "[ a oa:TextQuoteSelector ;\n"
            f"{inner}oa:exact {turtle_string(self.exact)} ;\n"
            f"{inner}oa:prefix {turtle_string(self.prefix)} ;\n"
            f"{inner}oa:suffix {turtle_string(self.suffix)} ] ,\n"
            f"{outer}[ a oa:TextPositionSelector ; oa:start {self.start} ; oa:end {self.end} ]"
        )


def locate(text: str, exact: str) -> Selectors:
    """The selectors of ``exact`` in ``text``; it must occur exactly once.

    >>> locate("In 2018, 35 crimes were registered.", "35 crimes").start
    9
    """
    if not exact:
        raise PassageNotFoundError("The passage is empty.")
    start = text.find(exact)
    if start < 0:
        raise PassageNotFoundError(
            "The passage is not in the text: copy it verbatim (same quotes, dashes and spaces)."
        )
    if text.find(exact, start + 1) >= 0:
        raise PassageNotFoundError(
            f"The passage occurs {text.count(exact)} times: quote more of the sentence."
        )
    end = start + len(exact)
    return Selectors(
        exact=exact,
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        start=start,
        end=end,
    )


def locate_span(text: str, start: int, end: int) -> Selectors:
    """The selectors of ``text[start:end]``, a span found by its offsets (it may occur more
    than once: its position says which)."""
    return Selectors(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        start=start,
        end=end,
    )


def turtle_string(value: str) -> str:
    """A Turtle string literal of ``value`` (JSON escaping is valid Turtle escaping here)."""
    return json.dumps(value, ensure_ascii=False)
