"""`tipgraph load --store URL` writes the same quality annotations into the service's
description as a load on disk writes into catalog.ttl (there are no report files there)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from tipgraph.build import publish_to_service
from tipgraph.config import Settings
from tipgraph.quality import read_summary

from .conftest import _stop, start_oxigraph


def test_a_load_into_a_service_describes_its_validation(settings: Settings, tmp_path: Path) -> None:
    service = start_oxigraph(tmp_path)
    try:
        with service.client() as remote:
            publish_to_service(settings, remote, progress=lambda _: None)
            manifest, triples = remote.read_load()
    finally:
        _stop(service)
    assert manifest is not None and manifest.validated
    description = ox.Store()
    description.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    summary = read_summary(description)
    assert summary is not None and summary.conforms
    assert summary.shapes > 10 and summary.covered == summary.found > 0
    assert summary.files == ()  # a service holds no files: the annotation has no body to link
