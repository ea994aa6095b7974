"""Where queries are evaluated: a store version on disk, or a SPARQL service tipgraph loaded.

A target is small and picklable, so a query worker process can open the same store as the
process that made it. Opening it gives a function that prepares a request (:class:`Prepared`):
the same head, formats, row caps and predeclared prefixes whichever store answers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from tipgraph.config import RemoteConfig
from tipgraph.errors import StoreError
from tipgraph.evaluation import (
    Output,
    PreparedQuery,
    QueryRequest,
    RemotePreparedQuery,
    ResultHead,
)
from tipgraph.sandbox import isolate_from_network


class Prepared(Protocol):
    """A started query: its head is known, its body not yet written."""

    head: ResultHead

    def write(self, output: Output) -> int: ...


Prepare = Callable[[QueryRequest], Prepared]


class QueryTarget(Protocol):
    """A store queries can be sent to, opened in the calling process."""

    def open(self) -> contextlib.AbstractContextManager[Prepare]:
        """The store, open: a function preparing each request on it."""
        ...

    def isolate(self) -> tuple[str, ...] | None:
        """Called first in a query worker: keep it off the network if its store allows; the
        layers that hold, or None when the worker must not serve at all."""
        ...


def open_read_only(database: Path) -> ox.Store:
    """A store version's database, read-only; StoreError if it cannot be opened."""
    try:
        return ox.Store.read_only(str(database))
    except (OSError, RuntimeError) as error:  # RuntimeError: pyoxigraph's for damaged files
        raise StoreError(f"{database}: cannot open the store ({error}).") from None


@dataclass(frozen=True)
class EmbeddedTarget:
    """A store version on disk, evaluated by pyoxigraph in this process."""

    database: Path

    @contextlib.contextmanager
    def open(self) -> Iterator[Prepare]:
        store = open_read_only(self.database)
        yield lambda request: PreparedQuery(store, request)

    def isolate(self) -> tuple[str, ...] | None:
        """A worker evaluating on disk needs no network: it gets none (tipgraph.sandbox),
        before pyoxigraph starts any thread; one that cannot be kept off does not serve."""
        return isolate_from_network() or None


@dataclass(frozen=True)
class ServiceTarget:
    """A SPARQL service, the graphs of the load it serves, and how long to wait for it.

    Queries are read as Oxigraph reads them and sent only without SERVICE patterns; the worker
    needs the network to reach the service, so it is not isolated.
    """

    config: RemoteConfig
    graphs: tuple[str, ...]
    timeout: float

    @contextlib.contextmanager
    def open(self) -> Iterator[Prepare]:
        from tipgraph.store.remote import RemoteStore

        with RemoteStore.from_config(self.config, timeout=self.timeout) as remote:
            yield lambda request: RemotePreparedQuery(remote, request, self.graphs)

    def isolate(self) -> tuple[str, ...] | None:
        return ()
