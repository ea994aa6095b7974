"""A published tipgraph dataset, wherever it lives: :func:`open_dataset` and :class:`Dataset`.

The CLI, the web app and notebooks all reach the store through a :class:`Dataset`; which
backend it has (a store directory, or a SPARQL service) is decided here and nowhere else.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pyoxigraph as ox

from tipgraph.config import RemoteConfig, Settings, StoreTarget, store_target
from tipgraph.describe import Description, describe
from tipgraph.errors import DataLayoutError, StoreError
from tipgraph.evaluation import QueryRequest
from tipgraph.export import DumpFile
from tipgraph.figures import Point, series
from tipgraph.formats import ResultKind
from tipgraph.namespaces import ID, PREFIXES, compact_iri
from tipgraph.published.base import Backend, LoadOptions, Publication
from tipgraph.published.embedded import EmbeddedBackend
from tipgraph.published.results import QueryResult
from tipgraph.published.service import ServiceBackend
from tipgraph.query_targets import Prepare
from tipgraph.store.location import Manifest, StoreLocation
from tipgraph.store.reader import StoreReader
from tipgraph.validation import ValidationReport

__all__ = ["Dataset", "LoadOptions", "Publication", "QueryResult", "open_dataset"]


class Dataset:
    """A published tipgraph dataset: query it, read its pages' views, load and dump it.

    Open one with :func:`open_dataset` (``tipgraph.open``); close it when done, or use it as a
    context manager.
    """

    def __init__(self, backend: Backend, settings: Settings | None = None) -> None:
        self.backend = backend
        self.settings = settings
        self._publication: Publication | None = None
        self._prepare: contextlib.ExitStack | None = None
        self._prepare_query: Prepare | None = None

    def __repr__(self) -> str:
        return f"<tipgraph Dataset {self.backend.kind} {self.backend.name}>"

    def __enter__(self) -> Dataset:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the store (and of the connection to a service)."""
        if self._prepare is not None:
            self._prepare.close()
            self._prepare, self._prepare_query = None, None
        self.backend.close()

    # ------------------------------------------------------------------ what was published

    def publication(self) -> Publication:
        """The current load: manifest, description, dumps (read once)."""
        if self._publication is None:
            self._publication = self.backend.publication()
        return self._publication

    @property
    def manifest(self) -> Manifest:
        """The current load's manifest: version, graphs, triples, when it was loaded."""
        return self.publication().manifest

    def dumps(self) -> list[DumpFile]:
        """The downloadable files written with the current load ([] on a SPARQL service)."""
        return self.publication().dumps

    @property
    def reader(self) -> StoreReader:
        """Fixed queries with IRIs bound as terms, as pages read the store."""
        return self.backend.reader()

    # ------------------------------------------------------------------ queries

    def _prepare_on_store(self) -> Prepare:
        if self._prepare_query is None:
            stack = contextlib.ExitStack()
            self._prepare_query = stack.enter_context(self.backend.query_target().open())
            self._prepare = stack
        return self._prepare_query

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryResult:
        """Evaluate ``sparql`` as the endpoint does (tipgraph's prefixes predeclared, the
        default graph the union of the loaded graphs) and return its answer as Python values.
        """
        request = QueryRequest(
            sparql,
            accept="application/sparql-results+json, application/n-triples",
            default_graphs=tuple(default_graphs),
            named_graphs=tuple(named_graphs),
        )
        prepared = self._prepare_on_store()(request)
        buffer = BytesIO()
        prepared.write(buffer)
        if prepared.head.kind is ResultKind.GRAPH:
            return QueryResult.from_triples(
                iter(ox.parse(buffer.getvalue(), ox.RdfFormat.N_TRIPLES))
            )
        return QueryResult.from_json(buffer.getvalue())

    def write_query(self, sparql: str, output_format: str, output: IO[bytes]) -> None:
        """Evaluate ``sparql`` and write its answer to ``output``: in a standard format, or
        ``table`` (an aligned text table for people; Turtle for a graph)."""
        prepare = self._prepare_on_store()
        if output_format != "table":
            prepare(QueryRequest(sparql, format=output_format)).write(output)
            return
        accept = "application/sparql-results+json, text/turtle"
        prepared = prepare(QueryRequest(sparql, accept=accept))
        if prepared.head.kind is ResultKind.GRAPH:
            prepared.write(output)
            return
        buffer = BytesIO()
        prepared.write(buffer)
        output.write(render_table(json.loads(buffer.getvalue())).encode())

    # ------------------------------------------------------------------ views of resources

    def describe(self, iri: str, languages: Sequence[str] = ("en",)) -> Description:
        """Everything a page shows about one resource: its labels, properties, backlinks."""
        return describe(self.reader, _full_iri(iri), languages)

    def figures(self, indicator: str, languages: Sequence[str] = ("en",)) -> list[Point]:
        """The observations of an indicator (its IRI, or its local name such as
        ``victims-identified``), sorted by period, area and form."""
        iri = indicator if ":" in indicator else f"indicator/{indicator}"
        return series(self.reader, _full_iri(iri), languages)

    # ------------------------------------------------------------------ the gate, loads, dumps

    def _checkout(self) -> Settings:
        if self.settings is None:
            raise DataLayoutError(
                "this dataset was opened without a tipgraph checkout (ontology/, shapes/, "
                "data/): open it with root= the checkout's folder."
            )
        return self.settings

    def validate(self, jobs: int | None = None) -> ValidationReport:
        """Run the gate (``tipgraph validate``) on the checkout's data: SHACL shapes, fidelity
        and coverage."""
        from tipgraph.conformance import validate_reports

        settings = self._checkout()
        return validate_reports(
            settings.ontology_dir,
            settings.shapes_dir,
            [settings.data_dir],
            root=settings.root,
            jobs=jobs,
        )

    def load(self, options: LoadOptions | None = None) -> Manifest:
        """Validate and load the checkout's data (``tipgraph load``); a failed load leaves
        the previous one as it was."""
        manifest = self.backend.load(self._checkout(), options or LoadOptions())
        self._publication = None
        if self._prepare is not None:
            self._prepare.close()
            self._prepare, self._prepare_query = None, None
        return manifest

    def snapshot(self) -> contextlib.AbstractContextManager[ox.Store]:
        """The loaded graphs as a pyoxigraph store, read-only (a temporary copy of a
        service's), for dumps and checks."""
        return self.backend.snapshot()


def open_dataset(
    target: str | Path | StoreTarget | None = None,
    *,
    root: Path | str | None = None,
    timeout: float | None = None,
    graph_store: str | None = None,
) -> Dataset:
    """The published dataset at ``target``: a store directory, or the query URL of a SPARQL
    1.1 service tipgraph loaded (credentials in the URL's userinfo). Default: the store of the
    checkout at ``root`` (``$TIPGRAPH_STORE``, else ``.tipgraph/store``); ``root`` defaults to
    ``$TIPGRAPH_ROOT``, else the current directory. ``timeout``: seconds per query on a
    service; ``graph_store``: its Graph Store URL when its layout does not tell.
    """
    settings = _settings(Path(root) if root is not None else None)
    folder = settings.root if settings is not None else Path(root or Path.cwd()).resolve()
    chosen: StoreTarget
    if isinstance(target, RemoteConfig | Path):
        chosen = target
    else:
        chosen = store_target(target, folder, graph_store=graph_store)
    backend: Backend
    if isinstance(chosen, RemoteConfig):
        backend = ServiceBackend(chosen, timeout)
    else:
        backend = EmbeddedBackend(StoreLocation(chosen))
    return Dataset(backend, settings)


def _settings(root: Path | None) -> Settings | None:
    """The checkout's settings, or None when ``root`` holds no checkout."""
    try:
        return Settings.load(root=root)
    except DataLayoutError:
        return None


def _full_iri(iri: str) -> str:
    """An IRI; a compact one (``tip:Quote``) expanded with tipgraph's prefixes; or a path
    under tipgraph's IRIs (``agency/mia`` for ``https://w3id.org/tipgraph/id/agency/mia``)."""
    prefix, colon, local = iri.partition(":")
    if colon and prefix in PREFIXES:
        iri = PREFIXES[prefix] + local
    elif not colon:
        iri = ID + iri.lstrip("/")
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise StoreError(f"{iri!r} is not an IRI.") from None
    return iri


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
