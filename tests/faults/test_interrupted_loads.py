"""SIGKILL in the middle of a load, or of the server reading the store a load goes into."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pyoxigraph as ox

from tipgraph.store.location import StoreLocation, StoreVersion

from .conftest import (
    building_folders,
    loading_has_written,
    session_processes,
    start_serving,
    stop_serving,
    terminated,
    tipgraph,
    tipgraph_command,
    wait_for,
)

ALL_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def quads(database: Path) -> int:
    solutions = ox.Store.read_only(str(database)).query(ALL_QUADS)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))["n"].value)


def start_loading(store: Path, root: Path) -> subprocess.Popen[bytes]:
    """`tipgraph load` of ``root``'s data into ``store`` (not validated, no dumps: seconds)."""
    command = tipgraph_command(
        "load", "--store", str(store), "--no-dumps", "--no-validate", root=root
    )
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def test_a_load_killed_midway_leaves_the_previous_version_current(
    store: StoreVersion, big_root: Path
) -> None:
    location = StoreLocation(store.path.parent)
    with terminated(start_loading(location.path, big_root)) as load:
        wait_for(lambda: loading_has_written(location.path), 20, "the load writing its database")
        load.send_signal(signal.SIGKILL)
        assert load.wait(timeout=10) == -signal.SIGKILL
    assert building_folders(location.path), "the kill came too late to test anything"

    current = location.require_current()  # its manifest parses and its database opens
    assert current == store
    assert quads(current.database) == store.manifest.triples
    server = start_serving(location.path, "--workers", "1")
    try:
        health = httpx.get(f"{server.url}/health", timeout=10).json()
    finally:
        stop_serving(server)
    assert health["version"] == store.manifest.version

    again = tipgraph("load", "--store", str(location.path), "--no-dumps", "--no-validate")
    assert again.returncode == 0, again.stderr
    assert building_folders(location.path) == []  # swept
    reloaded = location.require_current()
    assert reloaded.path != store.path
    assert reloaded.manifest.version == store.manifest.version  # the same data, loaded anew
    assert quads(reloaded.database) == store.manifest.triples


def test_a_server_killed_during_a_load_neither_stops_it_nor_sees_a_mix(
    store: StoreVersion, big_root: Path
) -> None:
    location = StoreLocation(store.path.parent)
    server = start_serving(location.path, "--workers", "2")
    with terminated(start_loading(location.path, big_root)) as load:
        wait_for(lambda: loading_has_written(location.path), 20, "the load writing its database")
        server.process.kill()
        server.process.wait(timeout=10)
        seen = set()
        while load.poll() is None:  # what a server starting now would serve
            version = location.require_current()  # complete: manifest parses, database opens
            seen.add((version.path, version.manifest.version))
        assert load.stderr is not None
        stderr = load.stderr.read().decode()
    assert load.returncode == 0, stderr
    wait_for(lambda: not session_processes(server.process.pid), 10, "its workers ending")

    loaded = location.require_current()
    assert loaded.manifest.version != store.manifest.version
    assert quads(loaded.database) == loaded.manifest.triples > 250_000
    assert seen <= {
        (store.path, store.manifest.version),
        (loaded.path, loaded.manifest.version),
    }
    restarted = start_serving(location.path, "--workers", "1")
    try:
        health = httpx.get(f"{restarted.url}/health", timeout=10).json()
    finally:
        stop_serving(restarted)
    assert health["version"] == loaded.manifest.version
