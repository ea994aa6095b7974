"""IRI → what the graph says about it: labels in the reader's language, properties, backlinks."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from tipgraph.namespaces import (
    DCTERMS,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SCHEMA,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SKOS,
    compact_iri,
)
from tipgraph.store.reader import Node, StoreReader, is_iri

FALLBACK_LANGUAGES = ("en", "az", "ru")
LABEL = "(skos:prefLabel|rdfs:label|dcterms:title|schema:name)"
DESCRIPTION = "(skos:definition|dcterms:description|rdfs:comment|schema:description)"
BACKLINKS_SHOWN = 25  # per property; the count says how many there are in all

EXISTS = "ASK { { $s ?p ?o } UNION { ?x ?p $s } }"
OUTGOING = f"""
SELECT DISTINCT $s ?p ?o ?label WHERE {{
  $s ?p ?o .
  OPTIONAL {{ FILTER(!isLiteral(?o)) ?o {LABEL} ?label }}
}}"""
NESTED = f"""
SELECT DISTINCT $s ?b ?p ?o ?label WHERE {{
  $s ?p0 ?b . FILTER(isBlank(?b))
  ?b ?p ?o .
  OPTIONAL {{ FILTER(isIRI(?o)) ?o {LABEL} ?label }}
}}"""
# The label and comment of every property a description shows (out, of its blank nodes, in):
# one query, not one per property (a dozen for an observation, two thirds of the time saved).
PREDICATES = """
SELECT DISTINCT $s ?p ?label ?comment WHERE {
  { $s ?p [] } UNION { $s ?p0 ?b . FILTER(isBlank(?b)) ?b ?p [] }
  UNION { ?x ?p $s FILTER(!isBlank(?x)) }
  OPTIONAL { ?p rdfs:label|skos:prefLabel ?label }
  OPTIONAL { ?p rdfs:comment|skos:definition ?comment }
}"""
# The labels the reused vocabularies give their terms (lower-cased), for stores that hold only
# tipgraph's own ontology; any other term's label is made from its local name ("hasUnit" →
# "has unit").
VOCABULARY_LABELS = {
    f"{DCTERMS}spatial": "spatial coverage",
    f"{DCTERMS}temporal": "temporal coverage",
    f"{DCTERMS}issued": "date issued",
    f"{DCTERMS}modified": "date modified",
    f"{DCTERMS}bibliographicCitation": "bibliographic citation",
    f"{DCTERMS}isPartOf": "is part of",
    f"{DCTERMS}hasPart": "has part",
    f"{DCTERMS}conformsTo": "conforms to",
    f"{DCTERMS}license": "license",
    f"{QB}dataSet": "data set",
    f"{QB}DataSet": "data set",
    f"{QB}structure": "structure",
    f"{QB}DataStructureDefinition": "data structure definition",
    f"{SKOS}prefLabel": "preferred label",
    f"{SKOS}altLabel": "alternative label",
    f"{SKOS}inScheme": "is in scheme",
    f"{SKOS}broader": "has broader",
    f"{SKOS}narrower": "has narrower",
    f"{SKOS}exactMatch": "has exact match",
    f"{SKOS}closeMatch": "has close match",
    f"{SKOS}broadMatch": "has broader match",
    f"{SKOS}topConceptOf": "is top concept in scheme",
    f"{SKOS}hasTopConcept": "has top concept",
    f"{RDFS}label": "label",
    f"{RDFS}comment": "comment",
    f"{RDFS}isDefinedBy": "is defined by",
    f"{RDFS}seeAlso": "see also",
    f"{RDF}type": "type",
    f"{OWL}sameAs": "same as",
    f"{ORG}unitOf": "is unit of",
    f"{ORG}subOrganizationOf": "is sub-organization of",
    f"{ORG}hasSubOrganization": "has sub-organization",
    f"{ORG}FormalOrganization": "formal organization",
    f"{ORG}OrganizationalUnit": "organizational unit",
    f"{SDMX_DIMENSION}refArea": "reference area",
    f"{SDMX_DIMENSION}refPeriod": "reference period",
    f"{SDMX_MEASURE}obsValue": "observation value",
    f"{SDMX_ATTRIBUTE}unitMeasure": "unit of measure",
    f"{PROV}wasDerivedFrom": "was derived from",
    f"{PROV}wasQuotedFrom": "was quoted from",
    f"{PROV}value": "value",
    f"{SCHEMA}GovernmentOrganization": "government organization",
    f"{SCHEMA}NGO": "NGO",
}
CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def term_label(iri: str) -> str:
    """A label for a vocabulary term the store has none for: the vocabulary's own, else its
    local name in words (``hasUnit`` → ``has unit``, ``DataSet`` → ``data set``)."""
    if iri in VOCABULARY_LABELS:
        return VOCABULARY_LABELS[iri]
    local = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    words = CAMEL.sub(" ", local).replace("_", " ").replace("-", " ").strip()
    if not words or (words == local and not local.isalpha()):
        return compact_iri(iri)
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words.split())


BACKLINK_COUNTS = (
    "SELECT $s ?p (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x ?p $s FILTER(!isBlank(?x)) } GROUP BY $s ?p"
)
# A sample per property, in index order: sorting every subject of a hub (a unit, a scheme, a
# period with thousands of figures) would cost more than the whole rest of the page.
BACKLINKS = f"""
SELECT $s $p ?x ?label WHERE {{
  {{ SELECT $s $p ?x WHERE {{ ?x $p $s . FILTER(!isBlank(?x)) }} LIMIT {BACKLINKS_SHOWN} }}
  OPTIONAL {{ ?x {LABEL} ?label }}
}}"""
TEXTS = f"""
SELECT $s ?label ?description WHERE {{
  {{ $s {LABEL} ?label }} UNION {{ $s {DESCRIPTION} ?description }}
}}"""
LABEL_OF = f"SELECT $s ?label WHERE {{ $s {LABEL} ?label }}"
CBD_LIMIT = 100_000  # triples: a description is a page, not a dump


# A primary language subtag (BCP 47): anything else a reader sends is not a language.
LANGUAGE = re.compile(r"[a-z]{2,8}")


def language_preference(requested: str | None, accept_language: str | None) -> tuple[str, ...]:
    """Languages in the reader's order: ``?lang=``, then Accept-Language, then en, az, ru."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        tag = tag.strip().lower().split("-")[0]
        if LANGUAGE.fullmatch(tag) and q > 0:
            ranked.append((-q, position, tag))
    ordered = [tag for _, _, tag in sorted(ranked)]
    primary = (requested or "").strip().lower().split("-")[0]
    if LANGUAGE.fullmatch(primary):
        ordered.insert(0, primary)
    return tuple(dict.fromkeys([*ordered, *FALLBACK_LANGUAGES]))


def choose(literals: Iterable[Node], languages: Sequence[str]) -> Node | None:
    """The literal in the most preferred language; else one without a tag; else any."""
    candidates = sorted(set(literals), key=lambda n: (n.language or "", n.value))
    for language in languages:
        for literal in candidates:
            if (literal.language or "").lower().split("-")[0] == language:
                return literal
    untagged = [c for c in candidates if not c.language]
    fallback = untagged or candidates
    return fallback[0] if fallback else None


@dataclass(frozen=True)
class Term:
    """A node with what a page shows for it: a label (IRIs) and a tooltip (properties)."""

    node: Node
    label: str | None = None
    comment: str | None = None

    @property
    def text(self) -> str:
        return self.label or (compact_iri(self.node.value) if self.node.is_iri else self.node.value)

    @property
    def curie(self) -> str:
        """The prefixed name (or ``<IRI>``) of an IRI: the tooltip beside its label."""
        return compact_iri(self.node.value) if self.node.is_iri else ""


@dataclass
class PropertyValues:
    """One property of a resource and its values, in a stable order."""

    predicate: Term
    values: list[Term] = field(default_factory=list)
    nested: dict[str, list[PropertyValues]] = field(default_factory=dict)  # blank node → rows


@dataclass
class Backlinks:
    """The resources linking to this one through ``predicate``: a sample and the full count."""

    predicate: Term
    count: int
    subjects: list[Term]


@dataclass
class Description:
    """Everything a page shows about one resource."""

    iri: str
    label: str | None
    description: str | None
    types: list[Term]
    properties: list[PropertyValues]
    backlinks: list[Backlinks]
    same_as: list[str]

    @property
    def title(self) -> str:
        return self.label or compact_iri(self.iri)

    def type_iris(self) -> set[str]:
        return {t.node.value for t in self.types}


def exists(reader: StoreReader, iri: str) -> bool:
    """Whether ``iri`` is an IRI the store has a triple about (as subject or object)."""
    return is_iri(iri) and reader.ask(EXISTS, {"s": iri})


def label_of(reader: StoreReader, iri: str, languages: Sequence[str]) -> str | None:
    """The label of ``iri`` in the most preferred language, if it has one."""
    chosen = choose((r["label"] for r in reader.select(LABEL_OF, {"s": iri})), languages)
    return chosen.value if chosen else None


def resource_triples(reader: StoreReader, iri: str, limit: int = CBD_LIMIT) -> list[ox.Triple]:
    """The resource's concise bounded description: its triples, and those of the blank nodes
    they reach, transitively (RDF lists, nested structures), sorted; up to about ``limit``."""
    return sorted(reader.bounded_description(iri, limit), key=str)


def labels(rows: Iterable[dict[str, Node]], key: str, languages: Sequence[str]) -> dict[str, str]:
    """The best ``label`` per value of ``key`` in query rows."""
    found: dict[str, list[Node]] = defaultdict(list)
    for row in rows:
        if key in row and "label" in row:
            found[row[key].value].append(row["label"])
    chosen = {k: choose(v, languages) for k, v in found.items()}
    return {k: v.value for k, v in chosen.items() if v is not None}


def describe(reader: StoreReader, iri: str, languages: Sequence[str]) -> Description:
    """The description of ``iri`` (which must exist) for a reader preferring ``languages``."""
    binding = {"s": iri}
    outgoing = reader.select(OUTGOING, binding)
    nested_rows = reader.select(NESTED, binding)
    counts = {r["p"].value: int(r["n"].value) for r in reader.select(BACKLINK_COUNTS, binding)}
    used = {r["p"].value for r in outgoing + nested_rows} | set(counts)
    predicates = _predicate_terms(reader.select(PREDICATES, binding), used, languages)
    object_labels = labels(outgoing, "o", languages)
    by_predicate: dict[str, list[Node]] = defaultdict(list)
    for row in outgoing:
        if row["o"] not in by_predicate[row["p"].value]:
            by_predicate[row["p"].value].append(row["o"])
    nested = _nested(nested_rows, predicates, languages)

    types = [
        Term(o, object_labels.get(o.value) or (term_label(o.value) if o.is_iri else None))
        for o in by_predicate.pop(f"{RDF}type", [])
    ]
    same_as = [
        o.value
        for predicate in (f"{OWL}sameAs", f"{SKOS}exactMatch")
        for o in by_predicate.get(predicate, [])
        if o.is_iri
    ]
    properties = []
    for predicate_iri in sorted(by_predicate, key=lambda p: predicates[p].text.lower()):
        values = sorted(
            (Term(o, object_labels.get(o.value)) for o in by_predicate[predicate_iri]),
            key=lambda t: (t.node.kind != "literal", t.text.lower()),
        )
        properties.append(
            PropertyValues(
                predicates[predicate_iri],
                values,
                {v.node.value: nested[v.node.value] for v in values if v.node.value in nested},
            )
        )
    texts = reader.select(TEXTS, binding)
    label = choose((r["label"] for r in texts if "label" in r), languages)
    description = choose((r["description"] for r in texts if "description" in r), languages)
    return Description(
        iri=iri,
        label=label.value if label else None,
        description=description.value if description else None,
        types=sorted(types, key=lambda t: t.text),
        properties=properties,
        backlinks=_backlinks(reader, binding, counts, predicates, languages),
        same_as=same_as,
    )


def _predicate_terms(
    rows: list[dict[str, Node]], used: set[str], languages: Sequence[str]
) -> dict[str, Term]:
    """Each property ``used`` with its label and comment (the tooltip), where ``rows`` (of
    PREDICATES) have them."""
    by_predicate: dict[str, list[dict[str, Node]]] = defaultdict(list)
    for row in rows:
        by_predicate[row["p"].value].append(row)
    terms = {}
    for predicate in used:
        rows = by_predicate[predicate]
        label = choose((r["label"] for r in rows if "label" in r), languages)
        comment = choose((r["comment"] for r in rows if "comment" in r), languages)
        terms[predicate] = Term(
            Node("iri", predicate),
            label.value if label else term_label(predicate),
            comment.value if comment else None,
        )
    return terms


def _nested(
    rows: list[dict[str, Node]], predicates: dict[str, Term], languages: Sequence[str]
) -> dict[str, list[PropertyValues]]:
    object_labels = labels(rows, "o", languages)
    grouped: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[row["b"].value][row["p"].value].append(
            Term(row["o"], object_labels.get(row["o"].value))
        )
    return {
        blank: [
            PropertyValues(predicates[p], sorted(set(values), key=lambda t: t.text))
            for p, values in sorted(by_predicate.items(), key=lambda kv: predicates[kv[0]].text)
        ]
        for blank, by_predicate in grouped.items()
    }


def _backlinks(
    reader: StoreReader,
    binding: dict[str, str],
    counts: dict[str, int],
    predicates: dict[str, Term],
    languages: Sequence[str],
) -> list[Backlinks]:
    result = []
    for predicate_iri, count in counts.items():
        rows = reader.select(BACKLINKS, {**binding, "p": predicate_iri})
        subject_labels = labels(rows, "x", languages)
        sample = {r["x"].value: Term(r["x"], subject_labels.get(r["x"].value)) for r in rows}
        ordered = sorted(sample.values(), key=lambda t: t.text.lower())
        result.append(Backlinks(predicates[predicate_iri], count, ordered))
    return sorted(result, key=lambda b: (b.predicate.node.value == f"{RDFS}isDefinedBy", -b.count))
