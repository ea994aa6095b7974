"""Queries by the SPARQL 1.1 Protocol, each held to tipgraph's time limit where the service can.

A query cut off on tipgraph's side (its time limit, or its client gone) is not cut off on the
service's: the service goes on evaluating it until it would write. So a client given
``query_seconds`` asks the service to hold each query to that limit itself, where the service
takes one with the query (told by its ``Server`` header, read once): Virtuoso a ``timeout``
in milliseconds, Fuseki a ``timeout`` in seconds. Virtuoso answers a query it stopped with the
rows found so far and ``X-SQL-State: S1TAT``; that is a timeout here, never an answer. The
Oxigraph server takes no limit with a query: start it with its own (``oxigraph serve
--timeout-s``), no longer than tipgraph's ``--timeout``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import httpx
import pyoxigraph as ox

from tipgraph.errors import QuerySyntaxError, QueryTimeout, StoreError
from tipgraph.formats import ResultKind
from tipgraph.store.remote.connection import Connection, server_message
from tipgraph.store.remote.results import (
    GRAPH_ACCEPT,
    SOLUTIONS_ACCEPT,
    Answer,
    Solution,
)

# Services that take a time limit with each query, by their Server header's product: the
# parameter, and how many of its units make a second.
TIME_LIMIT_PARAMETERS = {"virtuoso": ("timeout", 1000), "fuseki": ("timeout", 1)}
VIRTUOSO_INCOMPLETE = "S1TAT"  # X-SQL-State of an answer cut off by its time limit


def service_product(server: str) -> str | None:
    """Which service a ``Server`` header names, among those tipgraph knows."""
    name = server.strip().lower()
    if name.startswith("virtuoso"):
        return "virtuoso"
    if "fuseki" in name:
        return "fuseki"
    if name.startswith("oxigraph"):
        return "oxigraph"
    return None


class SparqlClient(Connection):
    """A client of a service's SPARQL 1.1 Protocol endpoint (its query URL)."""

    def _query_request(
        self,
        query: str,
        accept: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> httpx.Request:
        form = {
            "query": query,
            "default-graph-uri": list(default_graphs),
            "named-graph-uri": list(named_graphs),
            **self._time_limit(),
        }
        # A form POST: every server reads it (Virtuoso 7.2 waits forever on a sparql-query body).
        return self._client.build_request(
            "POST", self.query_url, data=form, headers={"Accept": accept}
        )

    def _time_limit(self) -> dict[str, str]:
        """The parameter holding a query to ``query_seconds`` on this service, if it takes one
        (its product is learnt from the first answer: an ``ASK {}`` if none came yet)."""
        if not self.query_seconds:
            return {}
        if self.server is None:
            self.server = ""  # the probe itself is sent without a limit
            with contextlib.suppress(StoreError):
                self.ping()
        product = service_product(self.server or "")
        if product not in TIME_LIMIT_PARAMETERS:
            return {}
        name, per_second = TIME_LIMIT_PARAMETERS[product]
        # Virtuoso ignores values under a second; Fuseki takes fractions.
        return {name: f"{max(self.query_seconds, 1.0) * per_second:g}"}

    @contextlib.contextmanager
    def query(
        self,
        query: str,
        kind: ResultKind | None,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> Iterator[Answer]:
        """Send ``query`` as it is (prologue included) and open its answer.

        ``kind`` (from :func:`tipgraph.sparql.query_kind`) chooses what to ask for; a 400 is
        the server refusing the query (QuerySyntaxError, with its message).
        """
        accept = GRAPH_ACCEPT if kind is ResultKind.GRAPH else SOLUTIONS_ACCEPT
        if kind is None:
            accept = f"{SOLUTIONS_ACCEPT}, {GRAPH_ACCEPT}"
        request = self._query_request(query, accept, default_graphs, named_graphs)
        with self._send(request, self._query_auth, self.query_user, "the query") as response:
            if response.status_code == 400:
                message = server_message(response) or "no reason given"
                raise QuerySyntaxError(f"the SPARQL service refused the query: {message}")
            if response.status_code != 200:
                raise self._failed(response, "the query")
            if response.headers.get("x-sql-state") == VIRTUOSO_INCOMPLETE:
                limit = f"the {self.query_seconds:g} s limit" if self.query_seconds else "its limit"
                raise QueryTimeout(
                    f"the query ran longer than {limit} and was stopped; narrow it (fewer rows, "
                    "more selective patterns) or run it on a dump."
                )
            yield Answer(response, kind)

    def select(
        self,
        query: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> list[Solution]:
        with self.query(query, ResultKind.SOLUTIONS, default_graphs, named_graphs) as answer:
            return list(answer.solutions())

    def ask(
        self,
        query: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> bool:
        with self.query(query, ResultKind.BOOLEAN, default_graphs, named_graphs) as answer:
            return answer.boolean()

    def construct(
        self,
        query: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> list[ox.Triple]:
        with self.query(query, ResultKind.GRAPH, default_graphs, named_graphs) as answer:
            return list(answer.triples())

    def ping(self) -> None:
        """Check that the query endpoint answers SPARQL (StoreError otherwise)."""
        self.ask("ASK {}")

    # --- the Graph Store HTTP Protocol --------------------------------------------------------
    def graphs(self) -> list[str]:
        """Every named graph holding a triple on the server (Virtuoso's own graphs included)."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"].value for row in rows if isinstance(row.get("g"), ox.NamedNode))
