"""The load's manifest as stored in the service: ``<LOAD_GRAPH> rdf:value "{…JSON…}"``, in the
load graph beside the dataset description that came with it."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from tipgraph.namespaces import LOAD_GRAPH, RDF
from tipgraph.store.location import Manifest

log = logging.getLogger(__name__)
MANIFEST_PREDICATE = ox.NamedNode(f"{RDF}value")
LOAD_QUERY = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{LOAD_GRAPH}> {{ ?s ?p ?o }} }}"


def load_graph(manifest: Manifest, description: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples of the load graph: the manifest (as JSON), then the dataset description."""
    text = json.dumps(dataclasses.asdict(manifest), sort_keys=True, separators=(",", ":"))
    record = ox.Triple(ox.NamedNode(LOAD_GRAPH), MANIFEST_PREDICATE, ox.Literal(text))
    return [record, *description]


def read_load_graph(
    triples: Iterable[ox.Triple], where: str
) -> tuple[Manifest | None, list[ox.Triple]]:
    """The manifest among the load graph's ``triples`` (None: nothing loaded yet), and the
    dataset description; ``where`` names the service in a warning."""
    manifest = None
    description = []
    for triple in triples:
        if triple.subject == ox.NamedNode(LOAD_GRAPH) and triple.predicate == MANIFEST_PREDICATE:
            manifest = _manifest(triple.object, where)
        else:
            description.append(triple)
    return manifest, description


def _manifest(term: Any, where: str) -> Manifest | None:
    """The manifest a load wrote; None (as if nothing was loaded) when it is damaged, so that
    the next load can replace it."""
    known = {field.name for field in dataclasses.fields(Manifest)}
    try:
        fields = json.loads(term.value)
        return Manifest(**{k: v for k, v in fields.items() if k in known})
    except (ValueError, TypeError, AttributeError) as error:
        log.warning("%s: the manifest in <%s> is damaged (%s)", where, LOAD_GRAPH, error)
        return None
