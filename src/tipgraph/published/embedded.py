"""A store directory on disk, evaluated by embedded Oxigraph (pyoxigraph)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pyoxigraph as ox

from tipgraph.aggregates import Aggregates
from tipgraph.build import build_store
from tipgraph.catalog import read_catalog
from tipgraph.config import Settings
from tipgraph.errors import StoreError
from tipgraph.export import DUMPS, read_dumps
from tipgraph.published.base import LoadOptions, Publication
from tipgraph.query_targets import EmbeddedTarget, open_read_only
from tipgraph.store.location import Manifest, StoreLocation, StoreVersion
from tipgraph.store.reader import EmbeddedReader


class EmbeddedBackend:
    """The current version of a store directory (``tipgraph load`` writes a new version beside
    it and swaps; a served version is held, so it stays until its server stops)."""

    kind = "embedded"
    loads_when_served = True
    needs_network = False

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self._version: StoreVersion | None = None
        self._reader: EmbeddedReader | None = None

    @property
    def name(self) -> str:
        return str(self.location.path)

    def version(self) -> StoreVersion:
        """The version this backend reads (the current one when first asked)."""
        if self._version is None:
            self._version = self.location.require_current()
        return self._version

    def has_load(self) -> bool:
        return self._version is not None or self.location.current() is not None

    def publication(self) -> Publication:
        version = self.version()
        try:
            return Publication(
                version.manifest,
                read_catalog(version.path),
                read_dumps(version.path / DUMPS),
                Aggregates.read(version.path),
                version.path / DUMPS,
            )
        except (OSError, ValueError, SyntaxError, KeyError, TypeError) as error:
            raise StoreError(
                f"{version.path}: the description saved with this version cannot be read "
                f"({error}); run `tipgraph load` again."
            ) from None

    def newer_publication(self, served: Manifest) -> Publication | None:
        return None

    def reader(self) -> EmbeddedReader:
        if self._reader is None:
            self._reader = EmbeddedReader(self.version().database)
        return self._reader

    def query_target(self, timeout: float | None = None) -> EmbeddedTarget:
        return EmbeddedTarget(self.version().database)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[ox.Store]:
        yield open_read_only(self.version().database)

    def load(self, settings: Settings, options: LoadOptions) -> Manifest:
        version = build_store(
            settings,
            self.location,
            validate=options.validate,
            data_paths=options.data_paths,
            jobs=options.jobs,
            dumps=options.dumps,
            progress=options.progress,
            on_load=options.on_load,
        )
        self._version, self._reader = version, None
        return version.manifest

    def hold(self) -> contextlib.AbstractContextManager[None]:
        return self.location.hold(self.version())

    def ping(self) -> None:
        return None

    def close(self) -> None:
        self._reader = None
