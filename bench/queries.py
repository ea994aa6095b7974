"""The representative queries of the benchmark, against data made by ``generate.py``.

Every query reads the default graph, which all three targets serve as the union of the named
graphs, so none needs ``GRAPH``. The IRIs they name exist in every generated root, whatever its
size (see ``generate.SAMPLE_OBSERVATION`` and ``generate.SAMPLE_AGENCY``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from generate import FIRST_COUNTRY, FIRST_YEAR, SAMPLE_AGENCY, SAMPLE_OBSERVATION, observation_iri

PREFIXES = """\
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX tip: <https://w3id.org/tipgraph/ontology#>
"""

# (a) Everything said about one observation: what a Linked Data browser asks for. A timed run
# asks about 300 observations in turn (150 of each of the first two reports), as browsing
# would: the same text again and again would measure what a server remembers of it (tipgraph
# keeps the readings of its last 256 query texts).
POINT_LOOKUP = f"SELECT ?p ?o WHERE {{ <{SAMPLE_OBSERVATION}> ?p ?o }}"
POINT_LOOKUPS = tuple(
    f"SELECT ?p ?o WHERE {{ <{observation_iri(FIRST_COUNTRY, year, n)}> ?p ?o }}"
    for n in range(1, 151)
    for year in (FIRST_YEAR, FIRST_YEAR + 1)
)

# (b) Figures per indicator and period: a scan and group over every observation.
AGGREGATION = (
    PREFIXES
    + """\
SELECT ?indicator ?period (COUNT(?obs) AS ?observations) (SUM(?value) AS ?total) WHERE {
  ?obs a qb:Observation ;
       tip:indicator ?indicator ;
       sdmx-dimension:refPeriod ?period ;
       sdmx-measure:obsValue ?value .
}
GROUP BY ?indicator ?period
ORDER BY ?indicator ?period
"""
)

# (c) Search by label, case-insensitive, over every preferred label (en, az, ru).
LABEL_SEARCH = (
    PREFIXES
    + """\
SELECT ?resource ?label WHERE {
  ?resource skos:prefLabel ?label .
  FILTER (CONTAINS(LCASE(?label), "hotline"))
}
"""
)

# (d) An agency with its neighbourhood, both directions: what a "describe" page shows. The
# sample agency (a ministry) is the most frequent actor of observations.
AGENCY_NEIGHBOURS = f"""\
CONSTRUCT {{ <{SAMPLE_AGENCY}> ?p ?o . ?s ?q <{SAMPLE_AGENCY}> . }}
WHERE {{ {{ <{SAMPLE_AGENCY}> ?p ?o }} UNION {{ ?s ?q <{SAMPLE_AGENCY}> }} }}
"""

# (e) A large result: up to 100,000 rows (the 1M-triple data set holds 71,666 observations).
LARGE_RESULT = (
    PREFIXES
    + """\
SELECT ?obs ?value WHERE { ?obs sdmx-measure:obsValue ?value } LIMIT 100000
"""
)

# (f) The size of the whole default graph.
COUNT_ALL = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"


class Form(StrEnum):
    """How a query's result is returned: solutions as SPARQL JSON, graphs as N-Triples."""

    SELECT = "select"
    CONSTRUCT = "construct"

    @property
    def media_type(self) -> str:
        if self is Form.SELECT:
            return "application/sparql-results+json"
        return "application/n-triples"


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    form: Form
    description: str
    variants: tuple[str, ...] = ()  # texts a timed run sends in turn; none: ``text`` only

    @property
    def texts(self) -> tuple[str, ...]:
        return self.variants or (self.text,)


QUERIES: dict[str, Query] = {
    q.name: q
    for q in (
        Query(
            "point",
            POINT_LOOKUP,
            Form.SELECT,
            "(a) point lookup of an observation (300 in turn)",
            POINT_LOOKUPS,
        ),
        Query("aggregate", AGGREGATION, Form.SELECT, "(b) COUNT/SUM by indicator and period"),
        Query("label", LABEL_SEARCH, Form.SELECT, "(c) label search, CONTAINS(LCASE(…))"),
        Query("construct", AGENCY_NEIGHBOURS, Form.CONSTRUCT, "(d) agency and its neighbours"),
        Query("rows100k", LARGE_RESULT, Form.SELECT, "(e) 100,000-row SELECT"),
        Query("count", COUNT_ALL, Form.SELECT, "(f) COUNT(*) of the default graph"),
    )
}
# The query whose single-request time and server memory are measured too.
LARGE_QUERY = "rows100k"
