"""A small parsing-expression-grammar interpreter, with rust-peg's semantics.

Oxigraph parses SPARQL with rust-peg: ordered choice that commits to the first alternative that
matches, greedy repetition that never gives back what it took, keywords matched without a word
boundary. A grammar written with these nodes therefore reads a text exactly as Oxigraph does,
provided each rule is written as Oxigraph's is (see :mod:`tipgraph.sparql_grammar.rules`).

Every node's ``parse`` returns the position after what it matched, or ``FAIL``. A node that
fails leaves no trace: the marks it made are dropped, so :attr:`State.marks` holds the marks of
the one derivation that matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

FAIL = -1


class TooComplex(Exception):
    """The text took more parsing steps than its length allows (a pathological input)."""


class TooDeep(Exception):
    """Brackets or groups nest deeper than allowed; ``position`` is where the limit was hit."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


@dataclass(frozen=True)
class Mark:
    """A named span of the derivation (a SERVICE pattern, a FROM clause …)."""

    kind: str
    start: int
    end: int


@dataclass
class State:
    """One parse: the text, the marks so far, and what the farthest failure expected."""

    text: str
    budget: int
    max_depth: int
    prefixes: set[str] = field(default_factory=set)
    has_base: bool = False
    marks: list[Mark] = field(default_factory=list)
    farthest: int = 0
    expected: set[str] = field(default_factory=set)
    memo: dict[tuple[int, int], tuple[int, tuple[Mark, ...]]] = field(default_factory=dict)
    depth: int = 0
    steps: int = 0

    def expect(self, position: int, what: str) -> None:
        """Remember that ``what`` was expected at ``position``, for the error message."""
        if position > self.farthest:
            self.farthest, self.expected = position, {what}
        elif position == self.farthest:
            self.expected.add(what)

    def step(self) -> None:
        self.steps += 1
        if self.steps > self.budget:
            raise TooComplex


class Node:
    """A parsing expression."""

    def parse(self, state: State, position: int) -> int:
        raise NotImplementedError


class Literal(Node):
    """Exactly ``text`` (case-sensitive), as rust-peg's ``"text"``."""

    def __init__(self, text: str) -> None:
        self.text = text

    def parse(self, state: State, position: int) -> int:
        if state.text.startswith(self.text, position):
            return position + len(self.text)
        state.expect(position, f'"{self.text}"')
        return FAIL


class Keyword(Node):
    """Oxigraph's ``i("WORD")``: the next ``len(WORD)`` characters, ASCII case ignored.

    No word boundary follows: ``ASKWHERE{}`` is ``ASK WHERE {}`` to Oxigraph, and so here.
    Only ASCII letters fold (Rust's ``eq_ignore_ascii_case``), unlike ``str.lower``.
    """

    def __init__(self, word: str) -> None:
        self.word = word.lower()
        self.size = len(word)

    def parse(self, state: State, position: int) -> int:
        chunk = state.text[position : position + self.size]
        if chunk.isascii() and chunk.lower() == self.word:
            return position + self.size
        state.expect(position, self.word.upper())
        return FAIL


class Pattern(Node):
    """A terminal, as a regular expression whose quantifiers are possessive (PEG never gives
    back), with an optional check of the matched text (rust-peg's ``{? … }`` actions)."""

    def __init__(
        self, name: str, pattern: str, check: Callable[[State, str], bool] | None = None
    ) -> None:
        self.name = name
        self.regex = re.compile(pattern)
        self.check = check

    def parse(self, state: State, position: int) -> int:
        match = self.regex.match(state.text, position)
        if match is None or (self.check is not None and not self.check(state, match[0])):
            state.expect(position, self.name)
            return FAIL
        return match.end()


class Sequence(Node):
    def __init__(self, *parts: Node) -> None:
        self.parts = parts

    def parse(self, state: State, position: int) -> int:
        state.step()
        marks = len(state.marks)
        for part in self.parts:
            position = part.parse(state, position)
            if position == FAIL:
                del state.marks[marks:]
                return FAIL
        return position


class Choice(Node):
    """Ordered choice: the first alternative that matches, never another after it."""

    def __init__(self, *alternatives: Node) -> None:
        self.alternatives = alternatives

    def parse(self, state: State, position: int) -> int:
        state.step()
        for alternative in self.alternatives:
            end = alternative.parse(state, position)
            if end != FAIL:
                return end
        return FAIL


class Optional(Node):
    def __init__(self, node: Node) -> None:
        self.node = node

    def parse(self, state: State, position: int) -> int:
        end = self.node.parse(state, position)
        return position if end == FAIL else end


class Repeat(Node):
    """``node*`` (``minimum`` 0) or ``node+`` (1), greedy; with ``separator``, rust-peg's
    ``node ** separator`` (a separator not followed by a node is not consumed)."""

    def __init__(self, node: Node, minimum: int = 0, separator: Node | None = None) -> None:
        self.node, self.minimum, self.separator = node, minimum, separator

    def parse(self, state: State, position: int) -> int:
        state.step()
        count = 0
        marks = len(state.marks)
        while True:
            start = position
            if count and self.separator is not None:
                start = self.separator.parse(state, position)
                if start == FAIL:
                    break
            end = self.node.parse(state, start)
            if end in (FAIL, position):  # no progress: stop rather than loop for ever
                break
            position, count = end, count + 1
        if count < self.minimum:
            del state.marks[marks:]
            return FAIL
        return position


class NotAhead(Node):
    """``!node``: matches nothing, and only where ``node`` does not match."""

    def __init__(self, node: Node) -> None:
        self.node = node

    def parse(self, state: State, position: int) -> int:
        marks = len(state.marks)
        end = self.node.parse(state, position)
        del state.marks[marks:]
        return position if end == FAIL else FAIL


class Marked(Node):
    """``node``, recording its span as a :class:`Mark` of ``kind`` when it matches."""

    def __init__(self, kind: str, node: Node) -> None:
        self.kind, self.node = kind, node

    def parse(self, state: State, position: int) -> int:
        end = self.node.parse(state, position)
        if end != FAIL:
            state.marks.append(Mark(self.kind, position, end))
        return end


class Action(Node):
    """``node``, then ``action(state, start, end)``, which may refuse the match (``{? … }``)."""

    def __init__(self, node: Node, action: Callable[[State, int, int], bool]) -> None:
        self.node, self.action = node, action

    def parse(self, state: State, position: int) -> int:
        end = self.node.parse(state, position)
        if end != FAIL and not self.action(state, position, end):
            return FAIL
        return end


class Rule(Node):
    """A named rule, defined after it is referred to. ``memo`` keeps its result per position
    (packrat), so alternatives that share a long prefix do not parse it again; ``nests`` counts
    it towards the depth limit."""

    def __init__(self, name: str, *, memo: bool = False, nests: bool = False) -> None:
        self.name, self.memo, self.nests = name, memo, nests
        self.body: Node | None = None

    def parse(self, state: State, position: int) -> int:
        assert self.body is not None, f"rule {self.name} has no body"
        if self.nests:
            state.depth += 1
            if state.depth > state.max_depth:
                raise TooDeep(position)
        try:
            if not self.memo:
                return self.body.parse(state, position)
            key = (id(self), position)
            if (known := state.memo.get(key)) is not None:
                state.marks += known[1]
                return known[0]
            marks = len(state.marks)
            end = self.body.parse(state, position)
            state.memo[key] = (end, tuple(state.marks[marks:]))
            return end
        finally:
            if self.nests:
                state.depth -= 1
