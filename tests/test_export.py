"""Dumps: complete, parseable by two RDF libraries, byte-identical for equal data, checksummed."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from tipgraph.canonical import BlankNodeLabeller, canonical_quads
from tipgraph.export import (
    CHECKSUMS,
    DUMPS,
    FORMATS,
    LISTING,
    DumpFormat,
    read_dumps,
    write_dumps,
)
from tipgraph.namespaces import ID, sparql_prologue
from tipgraph.observation_table import METADATA_FILE
from tipgraph.quality import FILES, ROLE
from tipgraph.store.location import StoreVersion

RDFLIB_FORMATS = {
    "nt": "nt",
    "turtle": "turtle",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
}


@pytest.fixture(scope="module")
def store(built_store: StoreVersion) -> Iterator[ox.Store]:
    yield ox.Store.read_only(str(built_store.database))


@pytest.fixture(scope="module")
def dumps(built_store: StoreVersion) -> Path:
    return built_store.path / DUMPS


def _count(store: ox.Store, query: str) -> int:
    solutions = store.query(sparql_prologue() + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))["n"].value)


def _quads(store: ox.Store) -> int:
    return _count(store, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")


def _triples(store: ox.Store) -> int:
    query = "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }"
    return _count(store, query)


def _graphs(store: ox.Store) -> set[str]:
    solutions = store.query("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(solutions, ox.QuerySolutions)
    return {s["g"].value for s in solutions}


def test_every_format_and_its_gzip_twin_is_written(dumps: Path) -> None:
    names = {f.name for f in read_dumps(dumps)}
    expected = {f.file_name for f in FORMATS} | {f"{f.file_name}.gz" for f in FORMATS}
    expected.add(METADATA_FILE)  # the CSVW description of tipgraph.csv
    assert names == expected | set(FILES)  # and the proof of the load's validation
    assert {f.name for f in read_dumps(dumps) if f.role == ROLE} == set(FILES)
    assert {p.name for p in dumps.iterdir()} == expected | set(FILES) | {CHECKSUMS, LISTING}


@pytest.mark.parametrize("dump", [f for f in FORMATS if f.rdf_format], ids=lambda f: f.name)
def test_dumps_parse_with_pyoxigraph_and_rdflib(
    dump: DumpFormat, dumps: Path, store: ox.Store
) -> None:
    assert dump.rdf_format is not None
    path = dumps / dump.file_name
    parsed = list(ox.parse(path=path, format=dump.rdf_format))
    expected = _quads(store) if dump.unit == "quads" else _triples(store)
    assert len(parsed) == expected
    if dump.unit == "triples":
        graph = rdflib.Graph().parse(path, format=RDFLIB_FORMATS[dump.name])
        assert len(graph) == expected
        return
    dataset = rdflib.Dataset()
    dataset.parse(path, format=RDFLIB_FORMATS[dump.name])
    named = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert set(named) == _graphs(store) == {q.graph_name.value for q in parsed}  # type: ignore[union-attr]
    assert sum(named.values()) == expected


def test_listing_and_checksums_match_the_files(dumps: Path, store: ox.Store) -> None:
    listing = json.loads((dumps / LISTING).read_text(encoding="utf-8"))["files"]
    sums = dict(
        reversed(line.split("  ", 1)) for line in (dumps / CHECKSUMS).read_text().splitlines()
    )
    assert set(sums) == {entry["name"] for entry in listing}
    for entry in listing:
        data = (dumps / entry["name"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == sums[entry["name"]] == hashlib.sha256(data).hexdigest()
    counts = {entry["name"]: entry["count"] for entry in listing}
    assert counts["tipgraph.nq"] == counts["tipgraph.nq.gz"] == _quads(store)
    assert counts["tipgraph.nt"] == _triples(store)


def test_gzip_twins_decompress_to_the_plain_file_with_no_name_or_time(dumps: Path) -> None:
    for dump in FORMATS:
        packed = (dumps / f"{dump.file_name}.gz").read_bytes()
        assert gzip.decompress(packed) == (dumps / dump.file_name).read_bytes()
        assert packed[4:8] == b"\0\0\0\0"  # MTIME
        assert packed[3] & 0x08 == 0  # FLG.FNAME unset: no file name stored


def test_statistics_csv_has_one_row_per_observation_with_the_quote(
    dumps: Path, store: ox.Store
) -> None:
    with (dumps / "tipgraph.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == _count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?o a qb:Observation }")
    assert [r["observation"] for r in rows] == sorted(r["observation"] for r in rows)
    query = """SELECT ?o ?value ?stated ?quote ?indicator {
      ?o a qb:Observation ; sdmx-measure:obsValue ?value ; tip:statedValue ?stated ;
         tip:indicator ?indicator ; prov:wasDerivedFrom/prov:value ?quote }"""
    solutions = store.query(sparql_prologue() + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    by_iri = {r["observation"]: r for r in rows}
    checked = 0
    for solution in solutions:
        row = by_iri[solution["o"].value]
        assert row["quote"] == solution["quote"].value  # verbatim, newlines and all
        assert row["stated_value"] == solution["stated"].value
        assert solution["stated"].value in row["quote"]
        assert row["value"] == solution["value"].value
        assert row["indicator"] == solution["indicator"].value
        assert row["indicator_label"] and row["report"] and row["unit"] and row["period"]
        checked += 1
    assert checked == len(rows)


def _reloaded(source: ox.Store, path: Path, seed: int) -> ox.Store:
    """The quads of ``source`` in a fresh store: shuffled, blank nodes renamed, as a new load."""
    quads = list(source.quads_for_pattern(None, None, None, None))
    random.Random(seed).shuffle(quads)
    fresh: dict[str, ox.BlankNode] = {}

    def rename(term: object) -> object:
        if isinstance(term, ox.BlankNode):
            return fresh.setdefault(term.value, ox.BlankNode())
        return term

    target = ox.Store(str(path))
    target.bulk_extend(
        ox.Quad(rename(q.subject), q.predicate, rename(q.object), q.graph_name)  # type: ignore[arg-type]
        for q in quads
    )
    target.flush()
    return target


def test_equal_data_loaded_in_other_orders_gives_byte_identical_dumps(
    store: ox.Store, dumps: Path, tmp_path: Path
) -> None:
    """The data dumps and their listing; the load lists its validation files after them (their
    own determinism: tests/test_quality.py)."""
    loaded = [f for f in read_dumps(dumps) if f.role != ROLE]
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in loaded).encode()
    assert (dumps / CHECKSUMS).read_bytes().startswith(sums)
    for seed in (1, 2):
        other = _reloaded(store, tmp_path / f"store-{seed}", seed)
        assert {b.value for b in _blank_nodes(other)} != {b.value for b in _blank_nodes(store)}
        written = write_dumps(other, tmp_path / f"dumps-{seed}")
        assert written == loaded
        assert (tmp_path / f"dumps-{seed}" / CHECKSUMS).read_bytes() == sums
        for name in ("tipgraph.nq", "tipgraph.trig.gz"):
            assert (tmp_path / f"dumps-{seed}" / name).read_bytes() == (dumps / name).read_bytes()


def _blank_nodes(store: ox.Store) -> set[ox.BlankNode]:
    return {
        q.subject
        for q in store.quads_for_pattern(None, None, None, None)
        if isinstance(q.subject, ox.BlankNode)
    }


DUPLICATES = """@prefix ex: <http://example.org/> .
ex:a ex:p [ ex:q [ ex:r 1 ] ] , [ ex:q [ ex:r 1 ] ] ; ex:s [ ex:r 1 ] .
ex:b ex:p [ ex:q [ ex:r 1 ] ] .
"""


def _canonical_nquads(text: str, seed: int) -> bytes:
    quads = list(ox.parse(io.BytesIO(text.encode()), ox.RdfFormat.TURTLE, rename_blank_nodes=True))
    random.Random(seed).shuffle(quads)
    return ox.serialize(canonical_quads(quads), None, ox.RdfFormat.N_QUADS) or b""


def test_blank_nodes_get_labels_from_content_and_position_even_when_duplicated() -> None:
    outputs = {_canonical_nquads(DUPLICATES, seed) for seed in range(20)}
    assert len(outputs) == 1
    text = outputs.pop().decode()
    labels = {word for word in text.split() if word.startswith("_:")}
    assert len(labels) == 7  # two exact duplicates and their children stay distinct
    assert sum("x1" in label for label in labels) == 1  # the duplicate parent is numbered


def test_blank_node_labels_follow_the_data() -> None:
    one = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.BlankNode("x"))
    two = ox.Quad(ox.BlankNode("x"), ox.NamedNode("http://e/q"), ox.Literal("1"))
    changed = ox.Quad(ox.BlankNode("x"), ox.NamedNode("http://e/q"), ox.Literal("2"))
    assert BlankNodeLabeller([one, two]).labels != BlankNodeLabeller([one, changed]).labels
    assert BlankNodeLabeller([one, two]).labels == BlankNodeLabeller([two, one]).labels


def test_statistics_csv_names_each_figures_interpretations(dumps: Path, store: ox.Store) -> None:
    """Issue 14: a reader of the CSV sees a contested reading beside the number."""
    with (dumps / "tipgraph.csv").open(encoding="utf-8", newline="") as stream:
        rows = {row["observation"]: row for row in csv.DictReader(stream)}
    query = """SELECT ?o (COUNT(DISTINCT ?i) AS ?n) {
      ?o a qb:Observation ; tip:interpretation ?i } GROUP BY ?o"""
    solutions = store.query(sparql_prologue() + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    counted = {s["o"].value: int(s["n"].value) for s in solutions}
    assert counted
    for observation, row in rows.items():
        readings = row["interpretation"].split(" | ") if row["interpretation"] else []
        assert len(readings) == counted.get(observation, 0), observation
    offences = rows[f"{ID}observation/az-mia-thb-2018/thb-victims-in-registered-crimes-2018"]
    assert "offences of trafficking" in offences["interpretation"]
