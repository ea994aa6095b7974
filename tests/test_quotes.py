"""Honest data: every quote is verbatim at its offsets, every figure stands in its quote.

These checks read the data with SPARQL and the text with Python, independently of the SHACL
shapes that check the same things, so a bug in one is caught by the other. That each figure's
value and qualifier are its words is a rule of `tipgraph validate` (tests/test_fidelity.py).
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from tipgraph.coverage import parse_numeral, stated_value_pattern
from tipgraph.dataset import AssembledDataset
from tipgraph.namespaces import sparql_prologue
from tipgraph.quoting import PassageNotFoundError, locate


def _rows(dataset: AssembledDataset, query: str) -> list[dict[str, str]]:
    solutions = dataset.store.query(sparql_prologue() + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [
        {name: term.value for name in names if (term := row[name]) is not None} for row in solutions
    ]


def test_every_selector_is_verbatim_at_its_offsets(bundled: AssembledDataset) -> None:
    texts = {text.iri: text.text for text in bundled.texts}
    rows = _rows(
        bundled,
        """SELECT ?passage ?source ?exact ?prefix ?suffix ?start ?end WHERE {
             ?passage oa:hasSource ?source ; oa:hasSelector ?q , ?p .
             ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
             ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end . }""",
    )
    assert len(rows) >= 70  # 53 quotes and 17 listed numerals in the 2018 report alone
    for row in rows:
        text = texts[row["source"]]
        start, end = int(row["start"]), int(row["end"])
        assert text[start:end] == row["exact"], row["passage"]
        assert text[:start].endswith(row["prefix"]), row["passage"]
        assert text[end:].startswith(row["suffix"]), row["passage"]


def test_every_observation_has_a_quote_that_states_its_figure(bundled: AssembledDataset) -> None:
    rows = _rows(
        bundled,
        """SELECT ?obs ?stated ?quote WHERE {
             ?obs a qb:Observation ; tip:statedValue ?stated ;
                  prov:wasDerivedFrom/prov:value ?quote }""",
    )
    observations = _rows(bundled, "SELECT ?obs WHERE { ?obs a qb:Observation }")
    assert {r["obs"] for r in rows} == {r["obs"] for r in observations}
    for row in rows:
        matches = stated_value_pattern(row["stated"]).findall(row["quote"])
        assert len(matches) == 1, f"{row['obs']}: {row['stated']!r} not once in its quote"


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("19,210", Decimal(19210)),
        ("3.740", Decimal(3740)),
        ("468.000", Decimal(468000)),
        ("40.3 million", Decimal(40_300_000)),
        ("nearly 60,000", Decimal(60000)),
        ("approximately 70 %", Decimal(70)),
        ("one", Decimal(1)),
        ("each one", None),
        ("Every fourth", None),
    ],
)
def test_parse_numeral(numeral: str, value: Decimal | None) -> None:
    assert parse_numeral(numeral) == value


def test_locate_reproduces_every_quote_selector(bundled: AssembledDataset) -> None:
    """`tipgraph locate` gives curators exactly the selectors the data holds."""
    texts = {text.iri: text.text for text in bundled.texts}
    rows = _rows(
        bundled,
        """SELECT ?source ?exact ?prefix ?suffix ?start ?end WHERE {
             ?quote a tip:Quote ; oa:hasSource ?source ; oa:hasSelector ?q , ?p .
             ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
             ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end . }""",
    )
    assert rows
    for row in rows:
        located = locate(texts[row["source"]], row["exact"])
        assert (located.prefix, located.suffix) == (row["prefix"], row["suffix"])
        assert (located.start, located.end) == (int(row["start"]), int(row["end"]))


def test_locate_refuses_ambiguous_or_missing_passages() -> None:
    with pytest.raises(PassageNotFoundError, match="2 times"):
        locate("35 crimes and 35 crimes", "35 crimes")
    with pytest.raises(PassageNotFoundError, match="not in the text"):
        locate("35 crimes", "36 crimes")
