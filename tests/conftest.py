"""Shared fixtures: the checkout, its settings, the bundled data assembled and validated once."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient

from tipgraph.build import build_store
from tipgraph.config import EndpointSettings, Settings
from tipgraph.dataset import AssembledDataset, assemble_dataset
from tipgraph.store.location import StoreLocation, StoreVersion
from tipgraph.validation import ValidationReport, load_shapes, validate
from tipgraph.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
REPORT = "az-mia-thb-2018"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.load(root=ROOT)


@pytest.fixture(scope="session")
def shapes(settings: Settings) -> rdflib.Graph:
    return load_shapes(settings.shapes_dir)


@pytest.fixture(scope="session")
def bundled(settings: Settings) -> AssembledDataset:
    """The bundled ontology and data, parsed once. Do not modify: use `fresh_dataset`."""
    return assemble_dataset(settings.ontology_dir, [settings.data_dir])


@pytest.fixture(scope="session")
def bundled_report(bundled: AssembledDataset, shapes: rdflib.Graph) -> ValidationReport:
    return validate(bundled, shapes, root=ROOT)


@pytest.fixture
def fresh_dataset(settings: Settings) -> AssembledDataset:
    """A private copy of the bundled dataset that a test may change."""
    return assemble_dataset(settings.ontology_dir, [settings.data_dir])


@pytest.fixture
def checkout_copy(tmp_path: Path) -> Path:
    """A copy of the checkout's ontology, shapes and data that a test may break."""
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture(scope="session")
def built_store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> StoreVersion:
    """The bundled data validated and loaded once into a real on-disk store. Do not modify."""
    location = StoreLocation(tmp_path_factory.mktemp("store"))
    return build_store(settings, location, progress=lambda _: None)


@pytest.fixture(scope="session")
def store_dir(built_store: StoreVersion) -> Path:
    return built_store.path.parent


@pytest.fixture(scope="session")
def client(store_dir: Path) -> Iterator[TestClient]:
    """The app in-process (lifespan run: real worker processes on the real store)."""
    app = create_app(EndpointSettings(store=store_dir, workers=2, timeout=10, max_rows=5000))
    with TestClient(app) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    """`tipgraph serve` in a subprocess, on a free port of 127.0.0.1."""

    url: str
    process: subprocess.Popen[bytes]

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, **options)  # type: ignore[arg-type]


def start_server(store: Path, *options: str) -> LiveServer:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "tipgraph.cli",
        "--root",
        str(ROOT),
        "serve",
        "--store",
        str(store),
    ]
    process = subprocess.Popen(
        [*command, "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tipgraph serve exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return LiveServer(url, process)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("tipgraph serve did not answer /health within 30 s")


def wait_until_idle(server: LiveServer, workers: int, seconds: float = 15) -> None:
    """Until every query worker is up (a test may have had one killed) and none is busy."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        health = httpx.get(f"{server.url}/health", timeout=5).json()
        if (health["ready"], health["running"], health["waiting"]) == (workers, 0, 0):
            return
        time.sleep(0.1)
    raise AssertionError(f"the server's workers did not settle within {seconds:g} s: {health}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def live_server(store_dir: Path) -> Iterator[LiveServer]:
    """A real uvicorn server: 2 workers, 2 s timeout, small queue, 5,000 rows at most."""
    server = start_server(
        store_dir, "--workers", "2", "--timeout", "2", "--queue", "2", "--max-rows", "5000"
    )
    yield server
    stop_server(server)
