"""Run a query on the store from the shell: standard formats, or a table for people."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from tipgraph.config import RemoteConfig, StoreTarget
from tipgraph.errors import StoreError
from tipgraph.evaluation import PreparedQuery, QueryRequest, RemotePreparedQuery
from tipgraph.namespaces import compact_iri
from tipgraph.sparql import ResultKind
from tipgraph.store.location import StoreLocation
from tipgraph.store.remote import RemoteStore

FORMAT_NAMES = {"turtle": "ttl"}


def open_store(store_dir: Path) -> ox.Store:
    """The current version of the store, read-only."""
    version = StoreLocation(store_dir).require_current()
    try:
        return ox.Store.read_only(str(version.database))
    except (OSError, RuntimeError) as error:  # RuntimeError: pyoxigraph's for damaged files
        raise StoreError(f"{version.database}: cannot open the store ({error}).") from None


Prepare = Callable[[QueryRequest], PreparedQuery | RemotePreparedQuery]


@contextlib.contextmanager
def _preparer(target: StoreTarget) -> Iterator[Prepare]:
    """A function preparing a request on the store: on disk, or sent to a SPARQL service."""
    if isinstance(target, RemoteConfig):
        with RemoteStore.from_config(target) as remote:
            graphs = tuple(remote.require_manifest().graphs)
            yield lambda request: RemotePreparedQuery(remote, request, graphs)
        return
    store = open_store(target)
    yield lambda request: PreparedQuery(store, request)


def run_query(target: StoreTarget, query: str, output_format: str, output: IO[bytes]) -> None:
    """Evaluate ``query`` (tipgraph's prefixes are predeclared) and write it to ``output``.

    On a SPARQL service (``target`` a RemoteConfig) the query goes to the service, over the
    graphs the last load put there, and its answer is written in the same formats.
    """
    with _preparer(target) as prepare:
        _run(prepare, query, output_format, output)


def _run(prepare: Prepare, text: str, output_format: str, output: IO[bytes]) -> None:
    if output_format != "table":
        request = QueryRequest(text, format=FORMAT_NAMES.get(output_format, output_format))
        prepare(request).write(output)
        return
    prepared = prepare(QueryRequest(text, accept="application/sparql-results+json, text/turtle"))
    if prepared.head.kind is ResultKind.GRAPH:
        prepared.write(output)
        return
    buffer = BytesIO()
    prepared.write(buffer)
    output.write(render_table(json.loads(buffer.getvalue())).encode())


def _shown(term: dict[str, Any]) -> str:
    value = str(term.get("value"))
    if term["type"] == "uri":
        return compact_iri(value)
    if term["type"] == "bnode":
        return f"_:{value}"
    if "xml:lang" in term:
        return f"{value}@{term['xml:lang']}"
    return value


def render_table(results: dict[str, Any]) -> str:
    """SPARQL JSON results as an aligned text table (or the boolean of an ASK)."""
    if "boolean" in results:
        return f"{str(results['boolean']).lower()}\n"
    names: list[str] = results["head"]["vars"]
    rows = [[_shown(b[n]) if n in b else "" for n in names] for b in results["results"]["bindings"]]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = [" | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"
