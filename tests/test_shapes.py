"""The shapes: the bundled data conforms, and each kind of breakage is rejected with its message.

All breakages are applied to one copy of the bundled data (each to a different resource) and
validated in one pyshacl run, so the whole table costs one validation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import rdflib
from rdflib.namespace import SH

from tipgraph.dataset import AssembledDataset, assemble_dataset
from tipgraph.namespaces import sparql_prologue
from tipgraph.shacl_targets import with_selected_targets
from tipgraph.validation import FAST_ENGINE, REFERENCE_ENGINE, ValidationReport, validate

from .helpers import ROOT

OBS = "<https://w3id.org/tipgraph/id/observation/az-mia-thb-2018/"
QUOTE = "<https://w3id.org/tipgraph/id/report/az-mia-thb-2018/quote/"
TEXT = "<https://w3id.org/tipgraph/id/report/az-mia-thb-2018/text/en>"
ID = "<https://w3id.org/tipgraph/id/"
REPORT_GRAPH = "<https://w3id.org/tipgraph/graph/az-mia-thb-2018>"


@dataclass(frozen=True)
class Breakage:
    name: str
    update: str  # SPARQL Update over the named graphs
    focus: str  # part of the focus node that must be reported
    message: str  # part of the message it must carry


def delete(subject: str, predicate: str, condition: str = "") -> str:
    """Delete every value of ``predicate`` on ``subject`` (that meets ``condition``)."""
    return (
        f"DELETE {{ GRAPH ?g {{ {subject} {predicate} ?o }} }} "
        f"WHERE {{ GRAPH ?g {{ {subject} {predicate} ?o . {condition} }} }}"
    )


def add(triples: str) -> str:
    return f"INSERT DATA {{ GRAPH {REPORT_GRAPH} {{ {triples} }} }}"


def replace(subject: str, predicate: str, value: str) -> str:
    return (
        f"DELETE {{ GRAPH ?g {{ {subject} {predicate} ?o }} }} "
        f"INSERT {{ GRAPH ?g {{ {subject} {predicate} {value} }} }} "
        f"WHERE {{ GRAPH ?g {{ {subject} {predicate} ?o }} }}"
    )


def replace_in_selector(passage: str, predicate: str, value: str) -> str:
    return (
        f"DELETE {{ GRAPH ?g {{ ?s {predicate} ?o }} }} INSERT {{ GRAPH ?g {{ ?s {predicate} {value} }} }} "
        f"WHERE {{ GRAPH ?g {{ {passage} oa:hasSelector ?s . ?s {predicate} ?o }} }}"
    )


def shift_offsets(passage: str) -> str:
    return (
        "DELETE { GRAPH ?g { ?s oa:start ?a ; oa:end ?b } } "
        "INSERT { GRAPH ?g { ?s oa:start ?a1 ; oa:end ?b1 } } "
        f"WHERE {{ GRAPH ?g {{ {passage} oa:hasSelector ?s . ?s oa:start ?a ; oa:end ?b "
        "BIND (?a + 1 AS ?a1) BIND (?b + 1 AS ?b1) } }"
    )


def rename(old: str, new: str) -> str:
    return (
        f"DELETE {{ GRAPH ?g {{ {old} ?p ?o }} }} INSERT {{ GRAPH ?g {{ {new} ?p ?o }} }} "
        f"WHERE {{ GRAPH ?g {{ {old} ?p ?o }} }}"
    )


NUMERAL_THOUSANDS = "?n rdfs:comment \"'thousands of passengers': no figure is stated.\"@en"
CHILDREN_LAW = f"{ID}legal-act/law-on-protection-of-children-from-harmful-information>"
ZEROED_CHECKSUM = (
    f"DELETE {{ GRAPH ?g {{ ?c spdx:checksumValue ?o }} }} "
    f'INSERT {{ GRAPH ?g {{ ?c spdx:checksumValue "{"0" * 64}" }} }} '
    f"WHERE {{ GRAPH ?g {{ {TEXT} spdx:checksum ?c . ?c spdx:checksumValue ?o }} }}"
)

BREAKAGES = [
    # statistics.ttl
    Breakage("observation without stated value", delete(f"{OBS}workers-without-contract-2018>", "tip:statedValue"), "workers-without-contract-2018", "numeral as written"),
    Breakage("observation with two values", add(f"{OBS}crimes-registered-2018> sdmx-measure:obsValue 36 ."), "crimes-registered-2018", "exactly one sdmx-measure:obsValue"),
    Breakage("value typed as a string", replace(f"{OBS}pupils-reached-2018>", "sdmx-measure:obsValue", '"85000"'), "pupils-reached-2018", "xsd:integer or xsd:decimal"),
    Breakage("missing dimension (IC-11)", delete(f"{OBS}foreigners-removed-2018>", "sdmx-dimension:refPeriod"), "foreigners-removed-2018", "IC-11"),
    Breakage("code outside its code list (IC-19)", replace(f"{OBS}parents-penalised-2018>", "tip:valueQualifier", f"{ID}exploitation/all>"), "parents-penalised-2018", "IC-19"),
    Breakage("duplicate observation (IC-12)", replace(f"{OBS}juveniles-assisted-2018>", "tip:indicator", f"{ID}indicator/children-given-social-aid>"), "juveniles-assisted-2018", "IC-12"),
    Breakage("figure without quote", delete(f"{OBS}tax-sanctions-amount-2018>", "prov:wasDerivedFrom"), "tax-sanctions-amount-2018", "needs its quote"),
    Breakage("stated value not in its quote", replace(f"{OBS}victims-employed-2014-2018>", "tip:statedValue", '"More than 125"'), "victims-employed-2014-2018", "does not occur in the quote"),
    Breakage("missing required attribute", delete(f"{OBS}ngo-project-funding-2018>", "sdmx-attribute:unitMeasure"), "ngo-project-funding-2018", "Required attribute"),
    Breakage("observation IRI not lowercase", rename(f"{OBS}cultural-events-2014-2018>", f"{OBS}Cultural_Events>"), "Cultural_Events", "lowercase"),
    Breakage("missing measure (IC-14)", delete(f"{OBS}cities-and-regions-covered-2018>", "sdmx-measure:obsValue"), "cities-and-regions-covered-2018", "IC-14"),
    Breakage("structure without measure (IC-13)", add(f'{ID}structure/empty> a qb:DataStructureDefinition ; rdfs:label "Empty"@en .'), "structure/empty", "IC-13"),
    Breakage("dataset without structure (IC-2)", add(f'{ID}dataset/second> a qb:DataSet ; rdfs:label "Second"@en ; dcterms:title "Second"@en ; dcterms:source {ID}report/az-mia-thb-2018> ; dcterms:license <https://creativecommons.org/licenses/by/4.0/> .'), "dataset/second", "IC-2"),
    Breakage("figure attributed to a post", add(f"{OBS}modern-slavery-sexual-2016> prov:wasAttributedTo {ID}post/national-coordinator> ."), "modern-slavery-sexual-2016", "prov:wasAttributedTo that publisher"),
    Breakage("period outside the dataset's coverage", delete(f"{ID}dataset/az-mia-thb-2018>", "dcterms:temporal", f"FILTER (?o = {ID}period/2019-2023>)"), "nap-2019-2023-measures", "temporal coverage"),
    # provenance.ttl
    Breakage("quote at wrong offsets", shift_offsets(f"{QUOTE}medical>"), "quote/medical", "not verbatim"),
    Breakage("wrong prefix", replace_in_selector(f"{QUOTE}portal>", "oa:prefix", '"elsewhere "'), "quote/portal", "oa:prefix"),
    Breakage("wrong suffix", replace_in_selector(f"{QUOTE}foreigners>", "oa:suffix", '" elsewhere"'), "quote/foreigners", "oa:suffix"),
    Breakage("quote value differs from its selector", replace(f"{QUOTE}border>", "prov:value", '"Work on informing"'), "quote/border", "differs"),
    Breakage("quote without report", delete(f"{QUOTE}students>", "prov:wasQuotedFrom"), "quote/students", "quoted from one report"),
    Breakage("text changed since its checksum", ZEROED_CHECKSUM, "text/en", "SHA-256"),
    Breakage("interpretation without evidence", delete(f"{ID}report/az-mia-thb-2018/interpretation/the-foundation>", "prov:wasDerivedFrom"), "interpretation/the-foundation", "evidence"),
    Breakage("interpretation that is none", add(f"{ID}activity/asan-booklets-2018> tip:interpretation {ID}agency/mia> ."), "asan-booklets-2018", "must point to a tip:Interpretation"),
    Breakage("passage without source", delete(f"{QUOTE}gca-norms>", "oa:hasSource"), "quote/gca-norms", "needs its source"),
    Breakage("numeral without kind", delete("?n", "tip:numeralKind", NUMERAL_THOUSANDS), "numeral/", "tip:numeralKind"),
    Breakage("source text downloaded elsewhere", replace(TEXT, "dcat:downloadURL", "<https://example.org/report.txt>"), "text/en", "followed by .txt"),
    Breakage("report without publisher", delete(f"{ID}report/az-mia-thb-2018>", "dcterms:publisher"), "report/az-mia-thb-2018", "dcterms:publisher"),
    # organizations.ttl
    Breakage("organisation without English label", delete(f"{ID}agency/moe>", "skos:prefLabel", "FILTER (LANG(?o) = 'en')"), "agency/moe", "English skos:prefLabel"),
    Breakage("organisation without type", delete(f"{ID}agency/mys>", "org:classification"), "agency/mys", "org:classification"),
    Breakage("sameAs without evidence", add(f"{ID}agency/moh> owl:sameAs <http://www.wikidata.org/entity/Q1> ."), "agency/moh", "evidence in a skos:editorialNote"),
    Breakage("sameAs outside Wikidata", add(f"{ID}organization/un> owl:sameAs <http://dbpedia.org/resource/UN> ."), "organization/un", "only to Wikidata"),
    Breakage("concept the same as a thing", add(f"{ID}country/irn> owl:sameAs <http://www.wikidata.org/entity/Q794> ."), "country/irn", "skos:exactMatch"),
    Breakage("exactMatch outside Wikidata", add(f"{ID}country/tur> skos:exactMatch <http://dbpedia.org/resource/Turkey> ."), "country/tur", "only to Wikidata"),
    Breakage("unit of no organisation", delete(f"{ID}agency/mia-thb-department>", "org:unitOf"), "mia-thb-department", "unit of exactly one"),
    Breakage("person without label", delete(f"{ID}person/vilayat-eyvazov>", "skos:prefLabel"), "person/vilayat-eyvazov", "A person needs a skos:prefLabel"),
    Breakage("post in two organisations", add(f"{ID}post/national-coordinator> org:postIn {ID}agency/moe> ."), "post/national-coordinator", "at most one organisation"),
    Breakage("label without language", add(f'{ID}agency/asan> skos:altLabel "ASAN" .'), "agency/asan", "language tag"),
    Breakage("link to an undefined resource", add(f"{ID}activity/ngo-awards-2018> prov:wasAssociatedWith {ID}agency/mia-typo> ."), "agency/mia-typo", "never defined"),
    Breakage("resource without label", add(f"{ID}programme/unnamed> a tip:Programme ; prov:wasDerivedFrom {QUOTE}commission> ."), "programme/unnamed", "no label"),
    Breakage("country without alpha-2 code", delete(f"{ID}country/irn>", "skos:notation", "FILTER (DATATYPE(?o) = tip:iso3166Alpha2)"), "country/irn", "alpha-2"),
    # legal.ttl
    Breakage("legal act without type", delete(f"{ID}legal-act/law-on-psychological-assistance>", "eli:type_document"), "law-on-psychological-assistance", "eli:type_document"),
    Breakage("legal act without source", delete(CHILDREN_LAW, "prov:wasDerivedFrom") + " ; " + delete(CHILDREN_LAW, "skos:editorialNote"), "law-on-protection-of-children", "needs its source"),
    Breakage("agreement without parties", delete(f"{ID}agreement/general-collective-agreement-2018-2019>", "tip:party"), "general-collective-agreement", "parties"),
    Breakage("action plan without period", delete(f"{ID}action-plan/nap-2019-2023>", "dcterms:temporal"), "nap-2019-2023", "its period"),
    Breakage("measure without policy area", add(f'{ID}action-plan/nap-2019-2023/measure/first> a tip:Measure ; skos:prefLabel "First measure"@en ; prov:wasDerivedFrom {QUOTE}nap-goals> .'), "measure/first", "tip:policyArea"),
    Breakage("plan goal without quote", delete(f"{ID}action-plan/nap-2019-2023/goal/research>", "prov:wasDerivedFrom"), "goal/research", "quote that states it"),
    # activities.ttl
    Breakage("activity without policy area", delete(f"{ID}activity/operational-search-2018>", "tip:policyArea"), "operational-search-2018", "tip:policyArea"),
    Breakage("activity without quote", delete(f"{ID}activity/training-courses-2018>", "prov:wasDerivedFrom"), "training-courses-2018", "quotes it is read from"),
    Breakage("activity with two periods", add(f"{ID}activity/police-training-2018> dcterms:temporal {ID}period/2014-2018> ."), "police-training-2018", "at most one period"),
    # vocabularies.ttl
    Breakage("concept outside any scheme", delete(f"{ID}unit/site>", "skos:inScheme"), "unit/site", "skos:ConceptScheme"),
    Breakage("indicator without definition", delete(f"{ID}indicator/victims-employed>", "skos:definition"), "indicator/victims-employed", "skos:definition@en"),
    Breakage("period ending before it starts", replace(f"{ID}period/2016>", "dcat:startDate", '"2017-06-01"^^xsd:date'), "period/2016", "before its dcat:endDate"),
    Breakage("scheme without title", delete(f"{ID}scheme/units>", "dcterms:title"), "scheme/units", "dcterms:title@en"),
    # ontology.ttl
    Breakage("term without comment", delete("tip:Quote", "rdfs:comment"), "tip:Quote", "rdfs:comment@en"),
    Breakage("class refining nothing", delete("tip:Measure", "rdfs:subClassOf"), "tip:Measure", "rdfs:subClassOf"),
    Breakage("ontology without version", delete("<https://w3id.org/tipgraph/ontology>", "owl:versionInfo"), "<https://w3id.org/tipgraph/ontology>", "owl:versionInfo"),
]  # fmt: skip

EXTRA_PREFIXES = """PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX vann: <http://purl.org/vocab/vann/>
"""


@pytest.fixture(scope="module")
def broken_dataset() -> AssembledDataset:
    """The bundled data with every breakage at once: every shape with a target fires."""
    dataset = assemble_dataset(ROOT / "ontology", [ROOT / "data"])
    for breakage in BREAKAGES:
        before = set(dataset.store)
        dataset.store.update(sparql_prologue() + EXTRA_PREFIXES + breakage.update)
        assert set(dataset.store) != before, f"{breakage.name}: the update changed nothing"
    return dataset


@pytest.fixture(scope="module")
def broken_report(broken_dataset: AssembledDataset, shapes: rdflib.Graph) -> ValidationReport:
    return validate(broken_dataset, shapes, root=ROOT)


def test_sparql_targets_are_all_selected_by_oxigraph(
    bundled: AssembledDataset, shapes: rdflib.Graph
) -> None:
    declared = len(set(shapes.subject_objects(SH.target)))
    _, replaced = with_selected_targets(shapes, bundled.store)
    assert declared >= 16 and replaced == declared


@pytest.mark.parametrize("which", ["bundled", "broken"])
def test_the_fast_engine_gives_pyshacls_own_report(
    which: str,
    bundled: AssembledDataset,
    broken_dataset: AssembledDataset,
    bundled_report: ValidationReport,
    broken_report: ValidationReport,
    shapes: rdflib.Graph,
) -> None:
    """The default engine (pySHACL-turbo, Oxigraph selecting the SPARQL targets) against
    pySHACL alone, the reference, on the bundled data and on the data with every breakage
    (every shape fires): any difference in any result fails."""
    pairs = {"bundled": (bundled, bundled_report), "broken": (broken_dataset, broken_report)}
    dataset, report = pairs[which]
    reference = validate(dataset, shapes, root=ROOT, reference=True)
    assert report.engine == FAST_ENGINE and reference.engine == REFERENCE_ENGINE
    assert report.results == reference.results
    assert report.conforms == reference.conforms


def test_bundled_data_conforms(bundled_report: ValidationReport) -> None:
    problems = [f"{r.focus_node}: {r.message}" for r in bundled_report.results]
    assert bundled_report.conforms, "\n".join(problems[:20])
    assert bundled_report.results == ()


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda b: b.name)
def test_breakage_is_rejected_with_its_message(
    broken_report: ValidationReport, breakage: Breakage
) -> None:
    assert not broken_report.conforms
    found = [
        r
        for r in broken_report.results
        if breakage.focus in r.focus_node and breakage.message in r.message
    ]
    near = [
        f"{r.focus_node}: {r.message}"
        for r in broken_report.results
        if breakage.focus in r.focus_node
    ]
    assert found, f"no result on {breakage.focus} saying {breakage.message!r}; got: {near}"


def test_every_named_shape_has_a_breakage(
    broken_report: ValidationReport, shapes: rdflib.Graph
) -> None:
    """Every node shape with a target must be shown to reject something."""
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targets = (sh.targetClass, sh.targetSubjectsOf, sh.targetObjectsOf, sh.targetNode, sh.target)
    targeted = {
        str(s).rsplit("#", 1)[-1]
        for predicate in targets
        for s in shapes.subjects(predicate, None)
        if isinstance(s, rdflib.URIRef)
    }
    fired = {r.shape.removeprefix("shapes:") for r in broken_report.results}
    missing = sorted(targeted - fired)
    assert not missing, f"shapes no breakage exercises: {missing}"
