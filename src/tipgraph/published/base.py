"""The seam between tipgraph and the store it publishes to: one protocol, two backends.

A :class:`Backend` is a store a load went into: a store directory on disk (embedded Oxigraph,
:mod:`tipgraph.published.embedded`) or a SPARQL 1.1 service
(:mod:`tipgraph.published.service`). Everything above it (the CLI, the web app, notebooks)
works through :class:`tipgraph.published.Dataset`, and nothing above knows which backend it has.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from tipgraph.aggregates import Aggregates
from tipgraph.config import Settings
from tipgraph.export import DumpFile
from tipgraph.query_targets import QueryTarget
from tipgraph.store.bulk import OnProgress
from tipgraph.store.location import Manifest
from tipgraph.store.reader import StoreReader

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Publication:
    """What one load published: its manifest, the dataset description (VoID/DCAT) written with
    it, its downloadable dumps and the counts pages show."""

    manifest: Manifest
    catalog: ox.Store | None = None
    dumps: list[DumpFile] = field(default_factory=list)
    aggregates: Aggregates = field(default_factory=Aggregates)
    dumps_folder: Path | None = None  # where the dump files are (a store on disk only)


@dataclass(frozen=True)
class LoadOptions:
    """How a load runs (``tipgraph load``)."""

    validate: bool = True
    data_paths: Iterable[Path] | None = None
    jobs: int | None = None
    dumps: bool = True
    progress: Progress = lambda _: None
    on_load: OnProgress = lambda _: None


class Backend(Protocol):
    """A store tipgraph loads into and reads from."""

    kind: str  # "embedded" or "sparql", as /health names it
    # Whether `tipgraph serve` loads the checkout's data into it when it holds none yet (a
    # store directory; a SPARQL service is only loaded by `tipgraph load --store URL`).
    loads_when_served: bool
    # Isolating query workers from the network is required on disk, impossible for a service.
    needs_network: bool

    @property
    def name(self) -> str:
        """The store for messages: its directory, or its URL without credentials."""
        ...

    def has_load(self) -> bool:
        """Whether a load went into the store."""
        ...

    def publication(self) -> Publication:
        """The current load; StoreError when there is none."""
        ...

    def newer_publication(self, served: Manifest) -> Publication | None:
        """A load newer than ``served``, if the store can change under a running server (a
        service can be loaded while served; a store directory's served version is held)."""
        ...

    def reader(self) -> StoreReader:
        """Fixed queries for pages, with IRIs bound as terms."""
        ...

    def query_target(self, timeout: float | None = None) -> QueryTarget:
        """What query workers open to evaluate public queries (``timeout``: per query)."""
        ...

    def snapshot(self) -> contextlib.AbstractContextManager[ox.Store]:
        """The loaded graphs as a pyoxigraph store, read-only, for dumps and checks."""
        ...

    def load(self, settings: Settings, options: LoadOptions) -> Manifest:
        """Validate and load the checkout's data (or ``options.data_paths``); a failed load
        leaves the previous one as it was."""
        ...

    def hold(self) -> contextlib.AbstractContextManager[None]:
        """Keep the served load from being removed while it is served."""
        ...

    def ping(self) -> None:
        """StoreError when the store does not answer."""
        ...

    def close(self) -> None: ...
