"""A query's syntax error in words: the common mistakes (an undeclared prefix, Turtle's
``@prefix``, a stray character, unbalanced braces or parentheses, no WHERE body) recognised
from the query's text, for a sentence put before the parser's position and message."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tipgraph.namespaces import ID, PREFIXES

# Prefixes a query writer may expect to be declared that the dataset does not use: proposed
# with their namespace when a query uses one undeclared.
WELL_KNOWN: dict[str, str] = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "wikibase": "http://wikiba.se/ontology#",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "dbo": "http://dbpedia.org/ontology/",
    "adms": "http://www.w3.org/ns/adms#",
}
# tipgraph's own IRIs of one kind (``agency:mia``), not predeclared: see tipgraph.namespaces.
ID_KINDS = (
    "agency",
    "organization",
    "country",
    "period",
    "indicator",
    "unit",
    "qualifier",
    "scheme",
    "concept",
    "policy-area",
    "exploitation",
    "legal-act",
    "act-type",
    "action-plan",
    "activity",
    "agreement",
    "post",
    "person",
    "publication",
    "programme",
    "org-type",
    "area",
    "report",
)
KNOWN: dict[str, str] = {**WELL_KNOWN, **{kind: f"{ID}{kind}/" for kind in ID_KINDS}}

# What the parser does not read as syntax: comments, strings and IRIs (blanked out first).
_OPAQUE = re.compile(
    r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*(?:\'\'\'|$)'
    r'|"(?:[^"\\\n]|\\.)*"?|\'(?:[^\'\\\n]|\\.)*\'?|<[^<>"{}|^`\\\s]*>',
    re.DOTALL,
)
_NAME = r"[^\W\d_](?:[\w.-]*[\w-])?"
_DECLARED = re.compile(rf"\bPREFIX\s+({_NAME})?:", re.IGNORECASE)
_USED = re.compile(rf"(?<![\w.:?$-])({_NAME})?:")
_TURTLE_PREFIX = re.compile(r"@(prefix|base)\b", re.IGNORECASE)
# Characters SPARQL has no use for outside strings, IRIs and comments.
_STRAY = re.compile(r"[^\w\s?$:.,;(){}\[\]<>=!&|+\-*/^\"'@#%\\~]")
_CURLY_QUOTES = "\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb"  # typographic quotes
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
# The parser's character classes, listed range by range (``['A' ..= 'Z' | '\u{00C0}' …]``).
_CHARACTER_CLASS = re.compile(r"\[[^\[\]]*\\u\{[^\[\]]*\]")


def explained(query: str, message: str, prefixes: Iterable[str] = PREFIXES) -> str:
    """The parser's ``message`` about ``query``, led by a sentence naming the mistake when it
    is a common one; its character classes shortened."""
    short = _CHARACTER_CLASS.sub("[name characters]", message)
    sentence = explanation(query, prefixes)
    return short if sentence is None else f"{sentence} ({short})"


def explanation(query: str, prefixes: Iterable[str] = PREFIXES) -> str | None:
    """A sentence naming the mistake that makes ``query`` fail to parse, or None."""
    code = blanked(query)
    return (
        _undeclared_prefix(query, code, set(prefixes))
        or _turtle_directive(query, code)
        or _stray_character(query, code)
        or _unbalanced(query, code, "{", "}")
        or _unbalanced(query, code, "(", ")")
        or _missing_body(code)
    )


def blanked(query: str) -> str:
    """``query`` with comments, strings and IRIs replaced by spaces (positions kept)."""
    return _OPAQUE.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), query)


def where(query: str, offset: int) -> str:
    """``line L, column C`` of a character offset, both counted from 1."""
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _undeclared_prefix(query: str, code: str, predeclared: set[str]) -> str | None:
    declared = predeclared | {match.group(1) or "" for match in _DECLARED.finditer(code)}
    for match in _USED.finditer(code):
        name = match.group(1) or ""
        if name not in declared and not code[match.end() :].startswith(":"):
            return _prefix_advice(name, where(query, match.start()), KNOWN)
    return None


def _prefix_advice(name: str, position: str, known: Mapping[str, str]) -> str:
    if name in known:
        return (
            f"unknown prefix `{name}:` at {position} — add "
            f"`PREFIX {name}: <{known[name]}>` at the top of the query."
        )
    return (
        f"unknown prefix `{name}:` at {position} — declare it at the top of the query with "
        f"`PREFIX {name}: <…>`, the namespace IRI it stands for."
    )


def _turtle_directive(query: str, code: str) -> str | None:
    match = _TURTLE_PREFIX.search(code)
    if match is None or (match.start() > 0 and query[match.start() - 1] in "\"'"):
        return None
    keyword = match.group(1).upper()
    return (
        f"`@{match.group(1)}` at {where(query, match.start())} is Turtle — in SPARQL write "
        f"`{keyword} …` without the `@` and without the final `.`."
    )


def _stray_character(query: str, code: str) -> str | None:
    match = _STRAY.search(code)
    if match is not None:
        character = match.group()
        if character in _CURLY_QUOTES:
            return (
                f"typographic quote `{character}` at {where(query, match.start())} — "
                "SPARQL strings take straight quotes (\" or ')."
            )
        return f"unexpected character `{character}` at {where(query, match.start())} — remove it."
    for at in (m.start() for m in re.finditer("@", code)):
        if at == 0 or query[at - 1] not in "\"'":  # a language tag follows a string
            return f"unexpected character `@` at {where(query, at)} — remove it."
    return None


def _unbalanced(query: str, code: str, opening: str, closing: str) -> str | None:
    kind = "braces" if opening == "{" else "parentheses"
    open_at: list[int] = []
    for index, character in enumerate(code):
        if character == opening:
            open_at.append(index)
        elif character == closing:
            if not open_at:
                return (
                    f"unbalanced {kind}: the `{closing}` at {where(query, index)} closes no "
                    f"`{opening}` — remove it or add the missing `{opening}`."
                )
            open_at.pop()
    if open_at:
        count = "one" if len(open_at) == 1 else str(len(open_at))
        return (
            f"unbalanced {kind}: {count} `{opening}` never closed (the last opened at "
            f"{where(query, open_at[-1])}) — add the missing `{closing}`."
        )
    return None


def _missing_body(code: str) -> str | None:
    form = _FORM.search(code)
    if form is None or form.group(1).upper() == "DESCRIBE" or "{" in code[form.end() :]:
        return None
    return "the query has no WHERE body — add `WHERE { … }` with the patterns to match."
