"""What the web app serves from, as one typed object (``app.state.tipgraph``).

Routes reach it through :func:`app_state` (or the :data:`AppStateDep` dependency): the dataset,
the load being served, the query pool, the caches and the page templates.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import jinja2
from fastapi import Depends, Request

from tipgraph.aggregates import Aggregates
from tipgraph.config import EndpointSettings
from tipgraph.examples import Example
from tipgraph.figures_view import FigureRow, figure_rows
from tipgraph.published import Dataset, Publication
from tipgraph.search_index import SearchIndex
from tipgraph.serving.pool import QueryPool
from tipgraph.serving.result_cache import ResultCache
from tipgraph.store.location import Manifest
from tipgraph.store.reader import StoreReader
from tipgraph.web.description import DatasetDescription
from tipgraph.web.links import Links


@dataclass(frozen=True)
class Served:
    """One load of the dataset, as it was published and as the app shows it."""

    manifest: Manifest
    description: DatasetDescription
    aggregates: Aggregates
    dumps_folder: Path | None  # the dump files (a store on disk only)

    @classmethod
    def of(cls, publication: Publication) -> Served:
        description = DatasetDescription.of(
            publication.catalog, publication.dumps, publication.manifest
        )
        return cls(
            publication.manifest, description, publication.aggregates, publication.dumps_folder
        )


log = logging.getLogger(__name__)
MEMO_ENTRIES = 16
VIEW_ENTRIES = 64
T = TypeVar("T")


class Memo:
    """Results computed once per dataset version and key, the least recently used dropped past
    ``size`` entries. A result being computed is computed once: other requests for the same
    key wait for it; requests for other keys do not."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._held: OrderedDict[tuple[str, Hashable], Any] = OrderedDict()
        self._computing: dict[tuple[str, Hashable], threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, version: str, key: Hashable, compute: Callable[[], T]) -> T:
        entry = (version, key)
        with self._lock:
            if entry in self._held:
                self._held.move_to_end(entry)
                return cast(T, self._held[entry])
            computing = self._computing.setdefault(entry, threading.Lock())
        with computing:
            with self._lock:
                if entry in self._held:
                    return cast(T, self._held[entry])
            value = compute()
            with self._lock:
                self._held[entry] = value
                for old in [e for e in self._held if e[0] != version]:
                    del self._held[old]  # an earlier version's: never asked for again
                while len(self._held) > self.size:
                    self._held.popitem(last=False)
                self._computing.pop(entry, None)
            return value


@dataclass
class AppState:
    """Everything the routes use, set up by ``create_app`` and its lifespan."""

    settings: EndpointSettings
    dataset: Dataset
    served: Served  # replaced whole when a new load into a SPARQL service is followed
    links: Links
    templates: jinja2.Environment
    examples: list[Example]
    result_cache: ResultCache
    pool: QueryPool | None = None  # started by the lifespan
    # A load with other graphs than the workers were started with: /health says restart.
    restart_needed: bool = False
    search_index: SearchIndex | None = None  # of the served version (tipgraph.web.search)
    _reader: StoreReader | None = field(default=None, repr=False)
    # What takes seconds to read on a million triples and is then used by many requests: the
    # figures table's rows (per label languages), a class list's order (per class) …
    memo: Memo = field(default_factory=lambda: Memo(MEMO_ENTRIES), repr=False)
    # … and what takes a large fraction of a second to compute from them (a figures view, its
    # filters, sort and facets): apart, so that many views never push the readings out.
    views: Memo = field(default_factory=lambda: Memo(VIEW_ENTRIES), repr=False)
    # What is being read in the background since the server started ("search", "figures"):
    # /health lists it, so that a benchmark measures the server once it is idle.
    preparing: set[str] = field(default_factory=set)

    def prepare(self, name: str, work: Callable[[], object]) -> None:
        """Run ``work`` in a background thread, listed in ``preparing`` until it ends; a
        failure is logged (the first request that needs it tries again and says why)."""

        def run() -> None:
            try:
                work()
            except Exception as error:
                log.warning("%s could not be prepared: %s", name, error)
            finally:
                self.preparing.discard(name)

        self.preparing.add(name)
        threading.Thread(target=run, name=f"prepare-{name}", daemon=True).start()

    @property
    def manifest(self) -> Manifest:
        return self.served.manifest

    @property
    def description(self) -> DatasetDescription:
        return self.served.description

    @property
    def aggregates(self) -> Aggregates:
        return self.served.aggregates

    @property
    def remote(self) -> bool:
        """Whether the store is a SPARQL service (no dump files, loads followed live)."""
        return self.dataset.backend.needs_network

    @property
    def reader(self) -> StoreReader:
        if self._reader is None:
            self._reader = self.dataset.reader
        return self._reader

    def figure_rows(self, languages: tuple[str, ...]) -> list[FigureRow]:
        """Every figure of the served version, labelled in ``languages`` (read once)."""
        return self.memo.get(
            self.manifest.version,
            ("figures", languages),
            lambda: figure_rows(self.reader, languages),
        )

    @property
    def query_pool(self) -> QueryPool:
        assert self.pool is not None, "the query pool starts with the app's lifespan"
        return self.pool


def app_state(request: Request) -> AppState:
    """The app's state, for a route or a helper given the request."""
    state: AppState = request.app.state.tipgraph
    return state


AppStateDep = Annotated[AppState, Depends(app_state)]
