"""The client of a SPARQL service: loading by the Graph Store Protocol, the manifest, errors."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from tipgraph.errors import QuerySyntaxError, StoreError
from tipgraph.namespaces import GRAPH, LOAD_GRAPH
from tipgraph.publish_remote import graphs_of, publish, quads_of
from tipgraph.store.location import StoreVersion
from tipgraph.store.remote import LOAD_TIMEOUT, RemoteStore
from tipgraph.store.remote_reader import RemoteReader

from ..helpers.servers import free_port
from .conftest import Service, bundled_graphs, start_oxigraph

SCRATCH = f"{GRAPH}test-scratch"


def count(remote: RemoteStore, graph: str) -> int:
    rows = remote.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"].value)


def test_a_load_puts_each_graph_and_the_manifest_last(
    loaded: Service, built_store: StoreVersion
) -> None:
    with loaded.client() as remote:
        manifest, description = remote.read_load()
        graphs = remote.graphs()
        counted = {graph: count(remote, graph) for graph in built_store.manifest.graphs}
    assert manifest is not None
    assert manifest.version == built_store.manifest.version
    assert manifest.graphs == built_store.manifest.graphs
    assert set(built_store.manifest.graphs) | {LOAD_GRAPH} <= set(graphs)
    assert counted == built_store.manifest.graphs  # every triple arrived, once
    assert description, "the dataset description is stored with the manifest"


def test_a_graph_reads_back_as_it_was_loaded(loaded: Service, built_store: StoreVersion) -> None:
    from .test_parity import canonical

    for graph, quads in bundled_graphs(built_store):
        with loaded.client() as remote:
            read = list(remote.quads(graph))
        if graph.endswith("/reference") and loaded.name == "virtuoso":
            continue  # "P1Y"^^xsd:duration reads back as "12" (see test_virtuoso_quirks)
        assert canonical(read) == canonical(quads), graph


def test_dump_reads_every_graph_of_the_load(loaded: Service, built_store: StoreVersion) -> None:
    with loaded.client() as remote:
        assert [g for g, _ in graphs_of(remote)] == list(built_store.manifest.graphs)
        assert sum(1 for _ in quads_of(remote)) == built_store.manifest.triples


def test_replacing_a_graph_twice_leaves_one_copy(loaded: Service) -> None:
    triples = b'<http://example.org/a> <http://example.org/p> "1" .\n' * 3
    triples += b"<http://example.org/a> <http://example.org/p> _:b .\n"
    with loaded.client() as remote:
        remote.replace_graph(SCRATCH, [triples])
        remote.replace_graph(SCRATCH, [triples])
        assert count(remote, SCRATCH) == 2
        assert remote.delete_graph(SCRATCH)
        assert not remote.delete_graph(SCRATCH)  # a 404: already absent
        assert count(remote, SCRATCH) == 0


def test_a_larger_graph_is_streamed_in_and_out(loaded: Service) -> None:
    def body() -> Iterator[bytes]:  # 1.3 MB: many reads each way
        for block in range(4):
            yield "".join(
                f'<http://example.org/s{block}-{n}> <http://example.org/p> "{n}" .\n'
                for n in range(5000)
            ).encode()

    # Virtuoso takes seconds to remove 20,000 triples (minutes for 100,000).
    with RemoteStore.from_config(loaded.config, timeout=LOAD_TIMEOUT) as remote:
        remote.replace_graph(SCRATCH, body(), compress=remote.accepts_gzip())
        assert sum(1 for _ in remote.graph_triples(SCRATCH)) == 20_000
        remote.delete_graph(SCRATCH)


def test_a_new_load_removes_the_graphs_the_last_one_had(
    loaded: Service, built_store: StoreVersion
) -> None:
    extra = (SCRATCH, [ox.Triple(ox.NamedNode(SCRATCH), ox.NamedNode(SCRATCH), ox.Literal("x"))])
    fields = {"version": "test", "files": 1, "validated": False, "progress": lambda _: None}
    with loaded.client() as remote:
        _, description = remote.read_load()
        try:
            publish(remote, [*bundled_graphs(built_store), extra], **fields)  # type: ignore[arg-type]
            assert count(remote, SCRATCH) == 1
            manifest = publish(remote, bundled_graphs(built_store), **fields)  # type: ignore[arg-type]
            assert SCRATCH not in manifest.graphs
            assert count(remote, SCRATCH) == 0
        finally:  # the session's load again, for the other tests
            publish(
                remote,
                bundled_graphs(built_store),
                version=built_store.manifest.version,
                files=built_store.manifest.files,
                validated=True,
                description=description,
                progress=lambda _: None,
            )


def test_gzip_is_sent_only_where_the_server_takes_it(loaded: Service) -> None:
    with loaded.client() as remote:
        assert remote.accepts_gzip() == (loaded.name == "oxigraph")


def test_pages_read_blank_nodes_all_the_way(loaded: Service, built_store: StoreVersion) -> None:
    from tipgraph.describe import resource_triples
    from tipgraph.namespaces import BASE
    from tipgraph.store.reader import EmbeddedReader

    from .test_parity import canonical

    shape = f"{BASE}shapes#ObservationShape"
    embedded = resource_triples(EmbeddedReader(built_store.database), shape)
    with loaded.client() as remote:
        read = resource_triples(RemoteReader(remote, tuple(built_store.manifest.graphs)), shape)
    assert any(isinstance(t.object, ox.BlankNode) for t in read)
    assert canonical(read) == canonical(embedded)


def test_a_syntax_error_is_the_servers_message(loaded: Service) -> None:
    with loaded.client() as remote, pytest.raises(QuerySyntaxError) as raised:
        remote.select("SELECT * WHERE { ?s ?p }")
    message = str(raised.value)
    assert message.startswith("the SPARQL service refused the query: ")
    assert "\n" not in message and "SPARQL query:" not in message


@pytest.mark.virtuoso
def test_virtuoso_names_the_user_it_refused(virtuoso: Service) -> None:
    url = virtuoso.query_url.replace("dba:dba@", "dba:wrong@")
    refused = r"refused the password of user 'dba' .*401"
    with (
        RemoteStore(url, url + "-graph-crud-auth") as remote,
        pytest.raises(StoreError, match=refused),
    ):
        remote.replace_graph(SCRATCH, [b""])
    anonymous = virtuoso.query_url.replace("dba:dba@", "")
    forbidden = r"403 Forbidden.*sparql-graph-crud-auth"
    with (
        RemoteStore(anonymous, anonymous + "-graph-crud") as remote,
        pytest.raises(StoreError, match=forbidden),
    ):
        remote.replace_graph(SCRATCH, [b""])
    asked = r"asks for credentials .*http://user:password@"
    with (
        RemoteStore(anonymous, anonymous + "-graph-crud-auth") as remote,
        pytest.raises(StoreError, match=asked),
    ):
        remote.replace_graph(SCRATCH, [b""])


@pytest.mark.virtuoso
def test_virtuoso_quirks(virtuoso: Service, built_store: StoreVersion) -> None:
    """What Virtuoso 7.2 changes, pinned so that a fixed Virtuoso shows up here."""
    period = "<https://w3id.org/tipgraph/id/period/2018>"
    with virtuoso.client() as remote:
        graphs = tuple(built_store.manifest.graphs)
        duration = "<http://www.w3.org/2006/time#hasXSDDuration>"
        rows = remote.select(f"SELECT ?d WHERE {{ {period} {duration} ?d }}", graphs)
        # In query answers a duration is a number of months ("P1Y" read back as "12").
        assert [r["d"].value for r in rows] == ["12"]
        # An ASK is answered as a table of one __ASK_RETVAL, read as the boolean.
        assert remote.ask("ASK { ?s ?p ?o }", graphs, graphs)


def test_an_unreachable_service_is_one_sentence() -> None:
    with (
        RemoteStore(f"http://127.0.0.1:{free_port()}/query") as remote,
        pytest.raises(StoreError) as raised,
    ):
        remote.ping()
    message = str(raised.value)
    assert "cannot reach the SPARQL service at http://127.0.0.1:" in message
    assert "connection refused" in message and "\n" not in message


def test_a_silent_service_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        silent = RemoteStore(f"http://127.0.0.1:{port}/query", timeout=0.5)
        with silent, pytest.raises(StoreError, match=r"did not answer the query within 0.5 s"):
            silent.ping()


class _Html(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body>a web page</body></html>")

    def log_message(self, *args: object) -> None:
        pass


def test_a_web_page_is_no_sparql_service() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Html)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = RemoteStore(f"http://127.0.0.1:{server.server_port}/page")
        with (
            page,
            pytest.raises(StoreError, match=r"did not answer as a SPARQL service .*text/html"),
        ):
            page.ping()
    finally:
        server.shutdown()
        server.server_close()


def test_an_empty_service_has_no_manifest(tmp_path: Path) -> None:
    service = start_oxigraph(tmp_path)
    try:
        with service.client() as remote:
            assert remote.read_manifest() is None
            with pytest.raises(StoreError, match=r"holds no tipgraph data yet; run `tipgraph load"):
                remote.require_manifest()
    finally:
        from .conftest import _stop

        _stop(service)
