"""The proof a load publishes: SHACL report, coverage and validation activity, linked with DQV."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from tipgraph.build import build_store
from tipgraph.catalog import DATASET, DUMPS_BASE, read_catalog
from tipgraph.config import Settings
from tipgraph.coverage import check_coverage
from tipgraph.dataset import AssembledDataset
from tipgraph.export import CHECKSUMS, DUMPS, LISTING, read_dumps
from tipgraph.quality import (
    ACTIVITY,
    ACTIVITY_FILE,
    COVERAGE_FILE,
    FILES,
    PREFIXES,
    ROLE,
    VALIDATION_FILE,
    read_summary,
)
from tipgraph.store.location import StoreLocation, StoreVersion

SPARQL_PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


def graph_of(path: Path) -> ox.Store:
    """The file parsed by pyoxigraph, after rdflib has parsed it to the same number of triples."""
    triples = list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    assert len(rdflib.Graph().parse(path, format="turtle")) == len(triples) > 0
    store = ox.Store()
    store.extend(triples)
    return store


def rows(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    solutions = store.query(SPARQL_PREFIXES + query)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(SPARQL_PREFIXES + query))


@pytest.fixture(scope="module")
def dumps(built_store: StoreVersion) -> Path:
    return built_store.path / DUMPS


def test_the_shacl_report_is_published_and_says_conforms(dumps: Path) -> None:
    report = graph_of(dumps / VALIDATION_FILE)
    assert ask(
        report,
        f"ASK {{ ?r a sh:ValidationReport ; sh:conforms true ; prov:wasGeneratedBy <{ACTIVITY}> }}",
    )
    assert not ask(report, "ASK { ?r sh:result ?x . ?x sh:resultSeverity sh:Violation }")


def test_the_activity_names_its_time_software_and_shapes(
    dumps: Path, settings: Settings, built_store: StoreVersion
) -> None:
    activity = graph_of(dumps / ACTIVITY_FILE)
    [when] = rows(
        activity,
        f"""SELECT ?start ?end {{ <{ACTIVITY}> a prov:Activity ;
        prov:startedAtTime ?start ; prov:endedAtTime ?end ; prov:used dataset:dataset }}""",
    )
    assert when["start"].value <= when["end"].value <= built_store.manifest.loaded_at
    versions = {
        r["label"].value: r["version"].value
        for r in rows(
            activity,
            f"""SELECT ?label ?version {{ <{ACTIVITY}> prov:wasAssociatedWith ?agent .
            ?agent a prov:SoftwareAgent ; rdfs:label ?label ; schema:softwareVersion ?version }}""",
        )
    }
    assert versions == {
        "pySHACL": importlib.metadata.version("pyshacl"),
        "tipgraph": importlib.metadata.version("tipgraph"),
    }
    files = {
        r["title"].value: r["sum"].value
        for r in rows(
            activity,
            f"""SELECT ?title ?sum {{ <{ACTIVITY}> prov:used ?shapes .
            ?shapes dcterms:hasPart ?file . ?file dcterms:title ?title ;
              spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                              spdx:checksumValue ?sum ] }}""",
        )
    }
    on_disk = sorted(settings.shapes_dir.glob("*.ttl"))
    assert files == {
        f"shapes/{file.name}": hashlib.sha256(file.read_bytes()).hexdigest() for file in on_disk
    }
    shapes = rdflib.Graph()
    for file in on_disk:
        shapes.parse(file, format="turtle")
    kinds = (rdflib.SH.NodeShape, rdflib.SH.PropertyShape)
    expected = len({s for kind in kinds for s in shapes.subjects(rdflib.RDF.type, kind)})
    [count] = rows(
        activity,
        f"""SELECT ?n {{ <{ACTIVITY}> prov:used ?shapes .
        ?shapes void:classPartition [ void:class sh:Shape ; void:entities ?n ] }}""",
    )
    assert int(count["n"].value) == expected > 10


def test_the_coverage_of_each_source_text_is_published(
    dumps: Path, bundled: AssembledDataset
) -> None:
    coverage = graph_of(dumps / COVERAGE_FILE)
    measured = {
        (r["text"].value, r["metric"].value.rsplit("-", 1)[-1]): int(r["value"].value)
        for r in rows(
            coverage,
            """SELECT ?text ?metric ?value { ?text dqv:hasQualityMeasurement ?m .
            ?m a dqv:QualityMeasurement ; dqv:computedOn ?text ; dqv:isMeasurementOf ?metric ;
               dqv:value ?value ; prov:wasGeneratedBy dataset:validation .
            ?metric a dqv:Metric ; dqv:inDimension ldqd:completeness }""",
        )
    }
    expected = {}
    for report in check_coverage(bundled):
        expected[(report.source.iri, "found")] = len(report.numerals)
        expected[(report.source.iri, "covered")] = len(report.numerals) - len(report.missing)
    assert measured == expected
    assert all(value > 0 for value in measured.values())


def test_the_proof_is_listed_with_checksums_beside_the_dumps(dumps: Path) -> None:
    listed = {f.name: f for f in read_dumps(dumps) if f.role == ROLE}
    assert set(listed) == set(FILES)
    sums = dict(
        reversed(line.split("  ", 1)) for line in (dumps / CHECKSUMS).read_text().splitlines()
    )
    for name, entry in listed.items():
        data = (dumps / name).read_bytes()
        assert entry.sha256 == sums[name] == hashlib.sha256(data).hexdigest()
        assert entry.bytes == len(data) and entry.media_type == "text/turtle"
    roles = {e["name"]: e["role"] for e in json.loads((dumps / LISTING).read_text())["files"]}
    assert {name for name, role in roles.items() if role == ROLE} == set(FILES)


def test_the_catalog_links_the_proof_with_dqv(built_store: StoreVersion, dumps: Path) -> None:
    catalog = read_catalog(built_store.path)
    assert catalog is not None
    checksums = {f.name: f.sha256 for f in read_dumps(dumps)}
    bodies = {
        r["url"].value: r["sum"].value
        for r in rows(
            catalog,
            f"""SELECT ?url ?sum {{ <{DATASET}> dqv:hasQualityAnnotation ?a .
            ?a a dqv:QualityAnnotation ; oa:hasTarget <{DATASET}> ;
               oa:motivatedBy dqv:qualityAssessment ; prov:wasGeneratedBy <{ACTIVITY}> ;
               oa:hasBody ?body .
            ?body dcat:downloadURL ?url ; dcat:mediaType ?type ;
               spdx:checksum [ spdx:checksumValue ?sum ] }}""",
        )
    }
    assert bodies == {f"{DUMPS_BASE}{name}": checksums[name] for name in FILES}
    assert ask(
        catalog,
        f"""ASK {{ <{DATASET}> dqv:hasQualityMeasurement ?m .
        ?m dqv:isMeasurementOf ?metric ; dqv:value true ; prov:wasGeneratedBy <{ACTIVITY}> .
        ?metric a dqv:Metric ; dqv:expectedDataType xsd:boolean ; dqv:inDimension ?dimension .
        <{ACTIVITY}> a prov:Activity ; prov:endedAtTime ?end ; prov:wasAssociatedWith ?engine }}""",
    )
    # the proof is about the data, not a copy of it: no distribution, no data dump
    for name in FILES:
        url = f"{DUMPS_BASE}{name}"
        assert not ask(catalog, f"ASK {{ ?d dcat:distribution [ dcat:downloadURL <{url}> ] }}")
        assert not ask(catalog, f"ASK {{ ?d void:dataDump <{url}> }}")
    summary = read_summary(catalog)
    assert summary is not None and summary.conforms
    assert summary.files == tuple(sorted(f"{DUMPS_BASE}{name}" for name in FILES))
    assert summary.covered == summary.found > 0


def test_a_second_load_of_equal_data_publishes_equal_proof_but_its_own_times(
    settings: Settings, dumps: Path, tmp_path: Path
) -> None:
    again = build_store(settings, StoreLocation(tmp_path / "store"), progress=lambda _: None)
    for name in (VALIDATION_FILE, COVERAGE_FILE, "tipgraph.nq", "tipgraph.csv"):
        assert (again.path / DUMPS / name).read_bytes() == (dumps / name).read_bytes(), name
    times = f"SELECT ?end {{ <{ACTIVITY}> prov:endedAtTime ?end }}"
    first = rows(graph_of(dumps / ACTIVITY_FILE), times)[0]["end"].value
    second = rows(graph_of(again.path / DUMPS / ACTIVITY_FILE), times)[0]["end"].value
    assert first <= second


def test_a_load_without_validation_publishes_no_proof(checkout_copy: Path, tmp_path: Path) -> None:
    settings = Settings.load(root=checkout_copy)
    version = build_store(
        settings, StoreLocation(tmp_path / "store"), validate=False, progress=lambda _: None
    )
    assert not any((version.path / DUMPS / name).exists() for name in FILES)
    assert not [f for f in read_dumps(version.path / DUMPS) if f.role == ROLE]
    catalog = read_catalog(version.path)
    assert catalog is not None
    assert not ask(catalog, "ASK { ?d dqv:hasQualityAnnotation ?a }")
    assert read_summary(catalog) is None
