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
        return (
            "oa:hasSelector [ a oa:TextQuoteSelector ;\n"
            f"        oa:exact {_literal(self.exact)} ;\n"
            f"        oa:prefix {_literal(self.prefix)} ;\n"
            f"        oa:suffix {_literal(self.suffix)} ] ,\n"
            f"    [ a oa:TextPositionSelector ; oa:start {self.start} ; oa:end {self.end} ]"
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


def _literal(value: str) -> str:
    # JSON string escaping is valid Turtle string escaping for these characters.
    return json.dumps(value, ensure_ascii=False)
