"""The ontology documented from the store: its classes, properties, SKOS schemes and shapes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from tipgraph.describe import choose, labels
from tipgraph.namespaces import ONTOLOGY, ONTOLOGY_GRAPH, SHAPES_GRAPH, compact_iri
from tipgraph.store.reader import Node, StoreReader

METADATA = """
SELECT ?p ?o WHERE {
  ?ontology a owl:Ontology ; ?p ?o .
  VALUES ?p { dcterms:title dcterms:description owl:versionInfo owl:versionIRI dcterms:license
              dcterms:issued dcterms:modified dcterms:creator }
}"""
TERMS = """
SELECT ?term ?kind ?label ?comment ?parent ?domain ?range WHERE {
  ?term a ?kind .
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
                 rdf:Property rdfs:Datatype }
  FILTER(STRSTARTS(STR(?term), STR(tip:)))
  OPTIONAL { ?term rdfs:label ?label }
  OPTIONAL { ?term rdfs:comment ?comment }
  OPTIONAL { ?term rdfs:subClassOf|rdfs:subPropertyOf ?parent FILTER(isIRI(?parent)) }
  OPTIONAL { ?term rdfs:domain ?domain FILTER(isIRI(?domain)) }
  OPTIONAL { ?term rdfs:range ?range FILTER(isIRI(?range)) }
}"""
SCHEMES = """
SELECT ?scheme ?title ?description ?concept ?label ?notation ?definition WHERE {
  ?scheme a skos:ConceptScheme .
  OPTIONAL { ?scheme dcterms:title|skos:prefLabel|rdfs:label ?title }
  OPTIONAL { ?scheme dcterms:description|skos:definition ?description }
  OPTIONAL { ?concept skos:inScheme ?scheme
             OPTIONAL { ?concept skos:prefLabel ?label }
             OPTIONAL { ?concept skos:notation ?notation }
             OPTIONAL { ?concept skos:definition ?definition } }
}"""
SHAPES = """
SELECT ?shape ?target ?message ?property ?path ?min ?max ?class ?datatype ?pattern ?value
       ?nested ?choices ?pmessage WHERE {
  ?shape a sh:NodeShape . FILTER(isIRI(?shape))
  OPTIONAL { ?shape sh:targetClass|sh:targetSubjectsOf|sh:targetObjectsOf|sh:targetNode ?target }
  OPTIONAL { ?shape sh:message ?message }
  OPTIONAL { ?shape sh:property|sh:sparql ?property
             OPTIONAL { ?property sh:path ?path }
             OPTIONAL { ?property sh:minCount ?min }
             OPTIONAL { ?property sh:maxCount ?max }
             OPTIONAL { ?property sh:class ?class }
             OPTIONAL { ?property sh:datatype ?datatype }
             OPTIONAL { ?property sh:pattern ?pattern }
             OPTIONAL { ?property sh:hasValue ?value }
             OPTIONAL { ?property sh:node|sh:or|sh:and ?nested }
             OPTIONAL { ?property sh:in ?choices }
             OPTIONAL { ?property sh:message ?pmessage } }
}"""


@dataclass
class TermDoc:
    """A class or property of the tipgraph namespace."""

    iri: str
    kind: str
    label: str
    comment: str
    parents: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)
    ranges: set[str] = field(default_factory=set)

    @property
    def anchor(self) -> str:
        return self.iri.rpartition("#")[2]


@dataclass(frozen=True)
class ConceptDoc:
    iri: str
    label: str
    notation: str
    definition: str


@dataclass
class SchemeDoc:
    iri: str
    title: str
    description: str
    concepts: list[ConceptDoc]


@dataclass(frozen=True)
class ConstraintDoc:
    """One property shape (or SPARQL constraint) in words."""

    path: str
    cardinality: str
    value: str
    message: str


@dataclass
class ShapeDoc:
    iri: str
    targets: list[str]
    message: str
    constraints: list[ConstraintDoc]

    @property
    def anchor(self) -> str:
        return "shape-" + self.iri.rpartition("#")[2]


@dataclass
class OntologyDoc:
    iri: str
    metadata: dict[str, str]
    classes: list[TermDoc]
    properties: list[TermDoc]
    datatypes: list[TermDoc]
    schemes: list[SchemeDoc]
    shapes: list[ShapeDoc]


def document_ontology(reader: StoreReader, languages: Sequence[str]) -> OntologyDoc:
    """Everything /ontology shows, read from the ontology and shapes graphs of the store."""
    metadata: dict[str, list[Node]] = defaultdict(list)
    for row in reader.select(METADATA, graph=ONTOLOGY_GRAPH):
        metadata[compact_iri(row["p"].value)].append(row["o"])
    chosen = {key: choose(values, languages) for key, values in metadata.items()}
    terms = _terms(reader.select(TERMS, graph=ONTOLOGY_GRAPH), languages)
    return OntologyDoc(
        iri=ONTOLOGY,
        metadata={k: v.value for k, v in chosen.items() if v is not None},
        classes=[t for t in terms if t.kind == "owl:Class"],
        properties=[t for t in terms if t.kind not in {"owl:Class", "rdfs:Datatype"}],
        datatypes=[t for t in terms if t.kind == "rdfs:Datatype"],
        schemes=_schemes(reader.select(SCHEMES, graph=ONTOLOGY_GRAPH), languages),
        shapes=_shapes(reader.select(SHAPES, graph=SHAPES_GRAPH))
        if reader.has_graph(SHAPES_GRAPH)
        else [],
    )


def _terms(rows: list[dict[str, Node]], languages: Sequence[str]) -> list[TermDoc]:
    names = labels(rows, "term", languages)
    comments = labels(
        [{"term": r["term"], "label": r["comment"]} for r in rows if "comment" in r],
        "term",
        languages,
    )
    terms: dict[str, TermDoc] = {}
    for row in rows:
        iri = row["term"].value
        term = terms.setdefault(
            iri,
            TermDoc(
                iri,
                compact_iri(row["kind"].value),
                names.get(iri, iri.rpartition("#")[2]),
                comments.get(iri, ""),
            ),
        )
        for key, target in (
            ("parent", term.parents),
            ("domain", term.domains),
            ("range", term.ranges),
        ):
            if key in row:
                target.add(row[key].value)
    return sorted(terms.values(), key=lambda t: t.anchor.lower())


def _schemes(rows: list[dict[str, Node]], languages: Sequence[str]) -> list[SchemeDoc]:
    titles = labels(
        [{"s": r["scheme"], "label": r["title"]} for r in rows if "title" in r], "s", languages
    )
    descriptions = labels(
        [{"s": r["scheme"], "label": r["description"]} for r in rows if "description" in r],
        "s",
        languages,
    )
    concept_labels = labels(rows, "concept", languages)
    definitions = labels(
        [{"c": r["concept"], "label": r["definition"]} for r in rows if "definition" in r],
        "c",
        languages,
    )
    concepts: dict[str, dict[str, ConceptDoc]] = defaultdict(dict)
    for row in rows:
        scheme = row["scheme"].value
        concepts.setdefault(scheme, {})
        if "concept" in row:
            iri = row["concept"].value
            concepts[scheme][iri] = ConceptDoc(
                iri,
                concept_labels.get(iri, iri),
                row["notation"].value if "notation" in row else "",
                definitions.get(iri, ""),
            )
    return sorted(
        (
            SchemeDoc(
                iri,
                titles.get(iri, compact_iri(iri)),
                descriptions.get(iri, ""),
                sorted(members.values(), key=lambda c: c.label.lower()),
            )
            for iri, members in concepts.items()
        ),
        key=lambda s: s.title.lower(),
    )


def _shapes(rows: list[dict[str, Node]]) -> list[ShapeDoc]:
    shapes: dict[str, ShapeDoc] = {}
    seen: set[tuple[str, str]] = set()
    for row in rows:
        iri = row["shape"].value
        shape = shapes.setdefault(
            iri, ShapeDoc(iri, [], row["message"].value if "message" in row else "", [])
        )
        if "target" in row and compact_iri(row["target"].value) not in shape.targets:
            shape.targets.append(compact_iri(row["target"].value))
        if "property" not in row or (iri, row["property"].value) in seen:
            continue
        seen.add((iri, row["property"].value))
        path = row.get("path")
        low, high = row.get("min"), row.get("max")
        cardinality = f"{low.value if low else 0}..{high.value if high else '*'}"
        shape.constraints.append(
            ConstraintDoc(
                path=(
                    compact_iri(path.value)
                    if path and path.is_iri
                    else "(a path)"
                    if path
                    else "(a SPARQL check)"
                ),
                cardinality=cardinality if path else "",
                value=_values(row),
                message=row["pmessage"].value if "pmessage" in row else "",
            )
        )
    for shape in shapes.values():
        shape.constraints.sort(key=lambda c: (c.path.startswith("("), c.path, c.message))
    return sorted(shapes.values(), key=lambda s: s.iri)


def _values(row: dict[str, Node]) -> str:
    """What a property shape asks of its values, in words."""
    parts = []
    for key, words in (("class", "a {}"), ("datatype", "{}"), ("value", "exactly {}")):
        if key in row:
            term = row[key]
            parts.append(words.format(compact_iri(term.value) if term.is_iri else term.value))
    if "pattern" in row:
        parts.append(f"matching /{row['pattern'].value}/")
    if "choices" in row:
        parts.append("one of a listed set")
    if "nested" in row:
        parts.append("conforming to a nested shape")
    return "; ".join(parts)
