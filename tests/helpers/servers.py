"""`tipgraph serve` in a subprocess on a free port of 127.0.0.1, for tests of a real server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from . import ROOT


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
