"""The formats registry: names clients send, and what each derived table holds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tipgraph import formats
from tipgraph.export import FORMATS as DUMPS
from tipgraph.formats import ResultKind, by_name, first_usable


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("n3", "text/turtle"),
        ("text/n3", "text/turtle"),
        ("turtle", "text/turtle"),
        ("ttl", "text/turtle"),
        ("rdf", "application/rdf+xml"),
        ("rdf+xml", "application/rdf+xml"),
        ("json-ld", "application/ld+json"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        (" Application/JSON ", "application/sparql-results+json"),
    ],
)
def test_the_names_clients_send(name: str, media_type: str) -> None:
    media = by_name(name)
    assert media is not None and media.name == media_type


def test_an_unknown_name_is_none() -> None:
    assert by_name("png") is None and formats.candidates("png") == ()


@pytest.mark.parametrize(
    ("names", "kind", "expected"),
    [
        (
            ("png", "tsv", "text/tab-separated-values"),
            ResultKind.SOLUTIONS,
            "text/tab-separated-values",
        ),
        (("turtle", "json"), ResultKind.BOOLEAN, "application/sparql-results+json"),
        (("json",), ResultKind.GRAPH, "application/ld+json"),
        (("xml",), ResultKind.GRAPH, "application/rdf+xml"),
        (("csv", "png"), ResultKind.GRAPH, None),
        ((), ResultKind.SOLUTIONS, None),
    ],
)
def test_the_first_usable_name_wins(
    names: tuple[str, ...], kind: ResultKind, expected: str | None
) -> None:
    media = first_usable(names, kind)
    assert (media.name if media else None) == expected


def test_media_types_come_from_pyoxigraph() -> None:
    for media in formats.MEDIA_TYPES:
        chosen = media.results_format or media.rdf_format
        assert chosen is not None
        assert chosen.media_type.startswith(media.name) and media.extension == chosen.file_extension
        assert media.format_iri.startswith(formats.W3C_FORMATS)


def test_derived_tables() -> None:
    assert list(formats.EXTENSIONS) == ["ttl", "jsonld", "nt", "rdf", "html"]
    assert [d.name for d in DUMPS] == ["nt", "turtle", "nq", "trig", "jsonld", "csv"]
    assert [d.extension for d in DUMPS] == ["nt", "ttl", "nq", "trig", "jsonld", "csv"]
    assert [d.unit for d in DUMPS] == ["triples", "triples", "quads", "quads", "quads", "rows"]
    assert DUMPS[1].rdf_format == ox.RdfFormat.TURTLE


def test_every_cli_choice_is_a_format() -> None:
    names = formats.query_format_names()
    assert names[0] == "table"
    assert all(by_name(name) is not None for name in names[1:])
