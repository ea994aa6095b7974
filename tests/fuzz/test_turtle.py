"""Turtle files of arbitrary bytes: each parses, or fails with a DataSyntaxError that names the
file and a line, both when assembled (tipgraph.dataset) and when bulk-loaded
(tipgraph.store.bulk); and a load that fails changes nothing in the store."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from tipgraph.build import build_store
from tipgraph.config import Settings
from tipgraph.dataset import RDF_SUFFIXES, parse_file
from tipgraph.errors import DataNotValidError, DataSyntaxError
from tipgraph.store.bulk import load_file
from tipgraph.store.location import StoreLocation

GRAPH = "https://w3id.org/tipgraph/graph/fuzz"
VALID = (
    b"@prefix tip: <https://w3id.org/tipgraph/ontology#> .\n"
    b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    b"<https://w3id.org/tipgraph/id/agency/x> a tip:Agency ;\n"
    b'  skos:prefLabel "X"@en, "\xc9\x99"@az ;\n'
    b'  tip:count 12, 1.5e3, true ; tip:note """two\nlines""" .\n'
    b"_:b tip:of ( 1 2 [ tip:x <urn:y> ] ) .\n"
)
SYNTAX = [
    b"<",
    b">",
    b'"',
    b'"""',
    b"@prefix",
    b"@base",
    b"_:",
    b"^^",
    b"@",
    b"\\u",
    b"\\U0001F600",
]
PIECES = st.sampled_from(
    [
        *SYNTAX,
        b"\n",
        b"\r",
        b"\x00",
        b"\xff",
        b"\xc3",
        b"\xef\xbb\xbf",
        b".",
        b";",
        b",",
        b"(",
        b"]",
    ]
)


@st.composite
def turtle_bytes(draw: st.DrawFn) -> bytes:
    """Arbitrary bytes, or a valid document with a slice replaced by odd bytes."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=200))
    start = draw(st.integers(0, len(VALID)))
    end = draw(st.integers(start, min(len(VALID), start + 20)))
    noise = draw(st.lists(PIECES | st.binary(max_size=4), max_size=4).map(b"".join))
    return VALID[:start] + noise + VALID[end:]


def _check_error(error: DataSyntaxError, file: Path) -> None:
    assert error.path == file
    assert isinstance(error.line, int) and error.line >= 1, error
    assert str(error).startswith(f"{file}:{error.line}")


SUFFIXES = st.sampled_from(sorted(RDF_SUFFIXES))  # Turtle, and N-Triples and TriG too


@given(data=turtle_bytes(), suffix=SUFFIXES)
@settings(max_examples=300)
def test_arbitrary_bytes_parse_or_name_the_file_and_line(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / f"data{suffix}"
        file.write_bytes(data)
        try:
            quads = list(parse_file(file, GRAPH))
        except DataSyntaxError as error:
            _check_error(error, file)
        else:
            assert all(quad.graph_name == ox.NamedNode(GRAPH) for quad in quads)


@given(data=turtle_bytes(), suffix=SUFFIXES)
@settings(max_examples=150)
def test_arbitrary_bytes_bulk_load_or_name_the_file_and_line(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / f"data{suffix}"
        file.write_bytes(data)
        store = ox.Store()
        try:
            load_file(store, file, GRAPH)
        except DataSyntaxError as error:
            _check_error(error, file)


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by its SHA-256."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_failed_load_leaves_the_current_version_untouched(
    checkout_copy: Path, tmp_path: Path
) -> None:
    configured = Settings.load(root=checkout_copy)
    location = StoreLocation(tmp_path / "store")
    build_store(configured, location, validate=False, dumps=False, progress=lambda _: None)
    broken = checkout_copy / "data" / "az-mia-thb-2018" / "fuzz.ttl"

    @given(data=turtle_bytes(), validate=st.booleans())
    @settings(max_examples=12)
    def load(data: bytes, validate: bool) -> None:
        current = location.require_current()
        files = fingerprint(location.path)
        broken.write_bytes(data)
        try:
            build_store(
                configured,
                location,
                validate=validate,
                dumps=False,
                jobs=1,
                progress=lambda _: None,
            )
        except (DataSyntaxError, DataNotValidError) as error:
            assert not isinstance(error, DataSyntaxError) or error.path == broken
            assert location.require_current().path == current.path
            assert fingerprint(location.path) == files
        finally:
            broken.unlink()

    load()
