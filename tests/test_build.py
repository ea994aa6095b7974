"""The load pipeline: a fresh store per load, swapped atomically; failures change nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from tipgraph.build import build_store, content_version
from tipgraph.config import Settings
from tipgraph.errors import DataNotValidError, DataSyntaxError, StoreError
from tipgraph.namespaces import GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from tipgraph.store.location import StoreLocation, StoreVersion

from .helpers import REPORT


def quiet(_: str) -> None:
    pass


def snapshot(location: StoreLocation) -> tuple[Path, str, int]:
    """Which version is current, its content hash and how many quads its database holds."""
    version = location.require_current()
    store = ox.Store.read_only(str(version.database))
    return version.path, version.manifest.version, len(store)


def test_load_puts_each_report_in_its_named_graph(built_store: StoreVersion) -> None:
    store = ox.Store.read_only(str(built_store.database))
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {ONTOLOGY_GRAPH, SHAPES_GRAPH, f"{GRAPH}{REPORT}", f"{GRAPH}reference"}
    assert len(store) == built_store.manifest.triples == sum(built_store.manifest.graphs.values())
    assert built_store.manifest.validated
    assert not any(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_the_version_is_a_content_hash(settings: Settings, built_store: StoreVersion) -> None:
    files = sorted(settings.ontology_dir.rglob("*.ttl")) + sorted(settings.data_dir.rglob("*"))
    assert len(built_store.manifest.version) == 64
    assert content_version([f for f in files if f.is_file()], settings.root) == content_version(
        [f for f in reversed(files) if f.is_file()], settings.root
    )


def test_a_second_load_swaps_in_a_new_version(checkout_copy: Path, tmp_path: Path) -> None:
    settings = Settings.load(root=checkout_copy)
    location = StoreLocation(tmp_path / "store")
    first = build_store(settings, location, validate=False, progress=quiet)
    statistics = checkout_copy / "data" / REPORT / "statistics.ttl"
    statistics.write_text(statistics.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    second = build_store(settings, location, validate=False, progress=quiet)
    assert second.path != first.path
    assert second.manifest.version != first.manifest.version
    assert location.require_current().path == second.path
    assert (location.path / "current").is_symlink()
    third = build_store(settings, location, validate=False, progress=quiet)
    kept = sorted(p.name for p in location.path.iterdir() if p.is_dir() and not p.is_symlink())
    assert kept == sorted([second.path.name, third.path.name]), "keeps the current and previous"


def test_broken_turtle_names_file_and_line_and_changes_nothing(
    checkout_copy: Path, tmp_path: Path
) -> None:
    settings = Settings.load(root=checkout_copy)
    location = StoreLocation(tmp_path / "store")
    build_store(settings, location, validate=False, progress=quiet)
    before = snapshot(location)
    broken = checkout_copy / "data" / REPORT / "zz-broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n  ex:d .\n")
    with pytest.raises(DataSyntaxError) as raised:
        build_store(settings, location, validate=False, progress=quiet)
    assert f"{broken}:3:" in str(raised.value)
    assert snapshot(location) == before
    assert not list(location.path.glob(".building-*"))


def test_data_that_does_not_conform_is_not_loaded(checkout_copy: Path, tmp_path: Path) -> None:
    settings = Settings.load(root=checkout_copy)
    location = StoreLocation(tmp_path / "store")
    build_store(settings, location, validate=False, progress=quiet)
    before = snapshot(location)
    statistics = checkout_copy / "data" / REPORT / "statistics.ttl"
    text = statistics.read_text(encoding="utf-8")
    statistics.write_text(text.replace("prov:wasDerivedFrom", "rdfs:seeAlso"), encoding="utf-8")
    with pytest.raises(DataNotValidError, match="--no-validate"):
        build_store(settings, location, progress=quiet)
    assert snapshot(location) == before
    forced = build_store(settings, location, validate=False, progress=quiet)
    assert not forced.manifest.validated


def test_an_interrupted_load_leaves_the_previous_store(checkout_copy: Path, tmp_path: Path) -> None:
    settings = Settings.load(root=checkout_copy)
    location = StoreLocation(tmp_path / "store")
    build_store(settings, location, validate=False, progress=quiet)
    before = snapshot(location)
    # A big file makes the load last long enough to be killed in the middle.
    big = checkout_copy / "data" / "zz-big" / "big.nt"
    big.parent.mkdir()
    with big.open("w") as out:
        for i in range(150_000):
            out.write(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n')
    command = [sys.executable, "-m", "tipgraph.cli", "--root", str(checkout_copy), "load"]
    process = subprocess.Popen(
        [*command, "--store", str(location.path), "--no-validate"], stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(location.path.glob(".building-*/oxigraph")):
        time.sleep(0.02)
    time.sleep(0.3)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert snapshot(location) == before
    after = build_store(settings, location, validate=False, progress=quiet)  # sweeps the leftovers
    assert not list(location.path.glob(".building-*"))
    assert after.manifest.triples == before[2] + 150_000


def test_a_missing_store_says_to_load(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="tipgraph load"):
        StoreLocation(tmp_path / "nothing").require_current()


def test_a_corrupt_store_says_to_load_again(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "current").symlink_to("elsewhere")
    with pytest.raises(StoreError, match="tipgraph load"):
        StoreLocation(tmp_path).require_current()


def test_a_version_held_by_a_server_survives_later_loads(
    checkout_copy: Path, tmp_path: Path
) -> None:
    settings = Settings.load(root=checkout_copy)
    location = StoreLocation(tmp_path / "store")
    served = build_store(settings, location, validate=False, progress=quiet)
    with location.hold(served):
        for _ in range(3):
            build_store(settings, location, validate=False, progress=quiet)
        assert served.database.is_dir(), "a running server's version was removed"
    build_store(settings, location, validate=False, progress=quiet)
    assert not served.path.exists(), "released versions are cleaned up"
