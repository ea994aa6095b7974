"""A store that may only be read: on a read-only mount, or by an unprivileged user. A load
into it fails in one sentence; a server (and a query) on it work."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tipgraph.store.location import StoreLocation, StoreVersion

from ..helpers.documented import documented
from .conftest import (
    AS_A_READER,
    assert_one_clear_sentence,
    building_folders,
    copy_store,
    needs_namespaces,
    needs_setpriv,
    read_only,
    start_serving,
    stop_serving,
    tipgraph,
)

ALL_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def store(built_store: StoreVersion) -> Iterator[StoreVersion]:
    """A copy of the bundled store on a path anyone may follow: the query workers, in a user
    namespace of their own, read it as the user they run as, whatever AS_A_READER grants."""
    with tempfile.TemporaryDirectory(prefix="tipgraph-faults-") as folder:
        Path(folder).chmod(0o755)
        copy = copy_store(built_store, Path(folder) / "store")
        copy.path.parent.chmod(0o755)  # as `tipgraph load` makes it (pytest's folders: 0700)
        yield copy


@contextlib.contextmanager
def only_readable(how: str, store: Path) -> Iterator[list[str]]:
    """The command prefix under which ``store`` may only be read."""
    if how == "read-only mount":
        with read_only(store) as mount:
            yield mount.prefix
    else:
        yield AS_A_READER


READERS = [
    pytest.param("read-only mount", marks=needs_namespaces),
    pytest.param("unprivileged user", marks=needs_setpriv),
]


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        pytest.param("read-only mount", "read-only file system", marks=needs_namespaces),
        pytest.param("unprivileged user", "permission denied", marks=needs_setpriv),
    ],
)
def test_a_load_into_a_store_that_may_only_be_read_fails_in_one_sentence(
    store: StoreVersion, how: str, reason: str
) -> None:
    folder = store.path.parent
    with only_readable(how, folder) as prefix:
        result = tipgraph("load", "--store", str(folder), "--no-dumps", prefix=prefix)
        sentence = assert_one_clear_sentence(result, str(folder), reason)
        documented("a store that may only be read (load)", result.returncode, sentence)
        query = tipgraph(
            "query", "--store", str(folder), "--format", "csv", ALL_QUADS, prefix=prefix
        )
    assert query.returncode == 0, query.stderr
    assert query.stdout.split() == ["n", str(store.manifest.triples)]
    assert StoreLocation(folder).require_current() == store
    assert building_folders(folder) == []


@pytest.mark.parametrize("how", READERS)
def test_a_server_serves_a_store_it_may_only_read(store: StoreVersion, how: str) -> None:
    folder = store.path.parent
    with only_readable(how, folder) as prefix:
        server = start_serving(folder, "--workers", "1", prefix=prefix)
        try:
            health = httpx.get(f"{server.url}/health", timeout=10).json()
            answer = httpx.get(
                f"{server.url}/sparql",
                params={"query": ALL_QUADS},
                headers={"Accept": "text/csv"},
                timeout=10,
            )
        finally:
            stop_serving(server)
    assert (health["status"], health["version"]) == ("ok", store.manifest.version)
    assert answer.status_code == 200, answer.text
    assert answer.text.split() == ["n", str(store.manifest.triples)]
