"""Turtle as the curated files are written: prefixes aligned, one statement per line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tipgraph.namespaces import ID, PREFIXES, compact_iri
from tipgraph.quoting import Selectors, turtle_string

# The prefixes of a report's own resources, after the shared ones.
REPORT_PREFIXES = ("quote", "interpretation", "numeral", "obs")


def literal(value: str, language: str | None = None) -> str:
    """A Turtle string literal, with its language tag when given."""
    text = turtle_string(value)
    return f"{text}@{language}" if language else text


def prefix_block(slug: str, names: Iterable[str]) -> str:
    """``@prefix`` lines for ``names``: shared vocabularies from tipgraph's list, the report's
    own (``quote:``, ``interpretation:``, ``numeral:``, ``obs:``), and kinds of resources
    (``agency:``, ``period:`` …)."""
    own = {
        "quote": f"{ID}report/{slug}/quote/",
        "interpretation": f"{ID}report/{slug}/interpretation/",
        "numeral": f"{ID}report/{slug}/numeral/",
        "obs": f"{ID}observation/{slug}/",
    }
    known = {**PREFIXES, **own}
    chosen = list(dict.fromkeys(names))
    width = max(len(name) for name in chosen) + 2
    # Any other name is a kind of tipgraph resource: agency: is …/id/agency/.
    return "".join(
        f"@prefix {name + ':':<{width}}<{known.get(name, f'{ID}{name}/')}> .\n" for name in chosen
    )


def curie(iri: str) -> tuple[str, str]:
    """How a Turtle file of a report names ``iri``, and the prefix it needs ("" for none):
    ``agency:mia`` for tipgraph's …/id/agency/mia, else a prefixed name or ``<IRI>``."""
    local = iri.removeprefix(ID)
    kind, slash, name = local.partition("/")
    if iri.startswith(ID) and slash and re.fullmatch(r"[A-Za-z0-9][\w-]*", name):
        return f"{kind}:{name}", kind
    compact = compact_iri(iri)
    return compact, "" if compact.startswith("<") else compact.split(":", 1)[0]


def statement(subject: str, types: str, lines: Sequence[tuple[str, str]]) -> str:
    """``subject a types`` with its predicate–object lines, one per line."""
    body = " ;\n".join(f"    {predicate} {value}" for predicate, value in lines)
    return f"{subject} a {types} ;\n{body} .\n"


def quote_block(name: str, found: Selectors, slug: str, text_iri: str) -> str:
    """A whole ``tip:Quote`` of the report ``slug``: label, value, report, text, selectors."""
    shown = " ".join(found.exact.split())
    short = shown if len(shown) <= 70 else shown[:70].rstrip() + "…"
    return statement(
        f"quote:{name}",
        "tip:Quote",
        [
            ("rdfs:label", literal(f"Quote: “{short}”", "en")),
            ("prov:value", literal(found.exact)),
            ("prov:wasQuotedFrom", f"report:{slug}"),
            ("oa:hasSource", f"<{text_iri}>"),
            ("oa:hasSelector", found.objects(indent=8)),
        ],
    )
