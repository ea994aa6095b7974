"""Real SPARQL services as the store: the Oxigraph server and Virtuoso, started here.

Each server runs in a temporary folder on free ports of 127.0.0.1, is loaded once with the
bundled data (through :func:`tipgraph.publish_remote.publish`, as `tipgraph load --store URL`
does) and stopped at the end. The Oxigraph server comes with the ``oxigraph`` Python package (a
test dependency); Virtuoso is Debian's ``virtuoso-opensource-7`` package, which ``.ci/run``
installs. Deselect the Virtuoso tests with ``-m "not virtuoso"``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from tipgraph.catalog import describe
from tipgraph.config import RemoteConfig, default_graph_store
from tipgraph.publish_remote import publish
from tipgraph.store.location import StoreVersion
from tipgraph.store.remote import RemoteStore

from ..helpers.servers import LiveServer, free_port, start_server, stop_server

START_SECONDS = 60
SERVER_TIMEOUT = 10  # seconds a query may run on a test server
VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CheckpointInterval = 60
NumberOfBuffers    = 20000
MaxDirtyBuffers    = 15000
MaxQueryMem        = 500M
DirsAllowed        = {folder}

[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {folder}/vsp
ServerThreads      = 10
MaxClientConnections = 10
Charset            = UTF-8

[SPARQL]
; Virtuoso cuts answers at ResultSetMaxRows without saying so: keep it above --max-rows.
ResultSetMaxRows   = 1000000
MaxQueryExecutionTime = 10
"""


@dataclass
class Service:
    """A running SPARQL service: its name, its query URL (with credentials) and process."""

    name: str
    query_url: str
    process: subprocess.Popen[bytes]
    log: Path
    loaded: bool = False

    @property
    def config(self) -> RemoteConfig:
        return RemoteConfig(self.query_url, default_graph_store(self.query_url))

    def client(self) -> RemoteStore:
        return RemoteStore.from_config(self.config)


def _wait(service: Service, probe: str) -> Service:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"{service.name} exited: {service.log.read_text()[-2000:]}")
        try:
            if httpx.get(probe, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return service
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    service.process.kill()
    raise RuntimeError(f"{service.name} did not answer within {START_SECONDS} s")


def _stop(service: Service) -> None:
    service.process.send_signal(signal.SIGTERM)  # both shut down cleanly on SIGTERM
    try:
        service.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait()


def oxigraph_binary() -> str | None:
    """The `oxigraph` command of the `oxigraph` package: beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def virtuoso_binary() -> str:
    """Virtuoso's server: $TIPGRAPH_VIRTUOSO, else `virtuoso-t` on the PATH; else fail."""
    binary = os.environ.get("TIPGRAPH_VIRTUOSO") or shutil.which("virtuoso-t")
    if not binary or not Path(binary).is_file():
        pytest.fail(
            "the Virtuoso tests need Virtuoso: install Debian's package (apt-get install "
            "--no-install-recommends virtuoso-opensource-7), set TIPGRAPH_VIRTUOSO to a "
            'virtuoso-t binary, or deselect them with -m "not virtuoso".',
            pytrace=False,
        )
    return binary


def start_oxigraph(folder: Path) -> Service:
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph command is missing: pip install -e '.[test]' installs it")
    port = free_port()
    log = folder / "oxigraph.log"
    command = [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
    # The server's own time limit: a query tipgraph stopped is not left running.
    command += ["--timeout-s", str(SERVER_TIMEOUT)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    return _wait(Service("oxigraph", url, process, log), url)


def start_virtuoso(folder: Path) -> Service:
    binary = virtuoso_binary()
    (folder / "vsp").mkdir()
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port))
    log = folder / "virtuoso.out"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    # A fresh database's administrator is dba/dba; Virtuoso writes through the Graph Store's
    # -auth endpoint only, with HTTP Digest.
    service = Service("virtuoso", f"http://dba:dba@127.0.0.1:{http_port}/sparql", process, log)
    return _wait(service, f"http://127.0.0.1:{http_port}/sparql")


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    service = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield service
    _stop(service)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    service = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield service
    _stop(service)


def bundled_graphs(version: StoreVersion) -> list[tuple[str, list[ox.Quad]]]:
    """The named graphs of the embedded store built from the bundled data, with their quads."""
    store = ox.Store.read_only(str(version.database))
    return [
        (graph, list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))))
        for graph in version.manifest.graphs
    ]


def load_bundled(service: Service, version: StoreVersion) -> None:
    store = ox.Store.read_only(str(version.database))
    description = describe(store, [], version.manifest.loaded_at)
    with service.client() as remote:
        publish(
            remote,
            bundled_graphs(version),
            version=version.manifest.version,
            files=version.manifest.files,
            validated=version.manifest.validated,
            description=description,
            progress=lambda _: None,
        )


SERVICES = [
    pytest.param("oxigraph", id="oxigraph"),
    pytest.param("virtuoso", id="virtuoso", marks=pytest.mark.virtuoso),
]


def ensure_loaded(service: Service, version: StoreVersion) -> Service:
    """``service`` holding the bundled data (loaded once per session)."""
    if not service.loaded:
        load_bundled(service, version)
        service.loaded = True
    return service


@pytest.fixture(scope="session", params=SERVICES)
def loaded(request: pytest.FixtureRequest, built_store: StoreVersion) -> Service:
    """Each service, holding the bundled data."""
    return ensure_loaded(request.getfixturevalue(request.param), built_store)


@pytest.fixture(scope="session")
def served(loaded: Service) -> Iterator[LiveServer]:
    """`tipgraph serve --store URL` on the loaded service (a real uvicorn)."""
    server = start_server(
        loaded.query_url,  # type: ignore[arg-type]
        "--workers",
        "2",
        "--timeout",
        "10",
        "--max-rows",
        "5000",
    )
    yield server
    stop_server(server)
