"""`tipgraph serve` where it cannot listen: one sentence, at once, before anything starts."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

from tipgraph.store.location import StoreVersion

from ..helpers.documented import documented
from .conftest import assert_one_clear_sentence, session_processes, tipgraph_command


def serve_briefly(store: Path, *options: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """`tipgraph serve` expected to stop by itself: what it said, and how long it took. Nothing
    it started (query workers) may outlive it."""
    started = time.monotonic()
    process = subprocess.Popen(
        tipgraph_command("serve", "--store", str(store), *options),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    stdout, stderr = process.communicate(timeout=30)
    seconds = time.monotonic() - started
    assert session_processes(process.pid) == [], "it left processes running"
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), seconds


@pytest.mark.parametrize("has_a_store", [True, False], ids=["store", "no store yet"])
def test_serve_on_a_port_in_use_says_so_at_once(
    store: StoreVersion, tmp_path: Path, has_a_store: bool
) -> None:
    folder = store.path.parent if has_a_store else tmp_path / "no-store-yet"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result, seconds = serve_briefly(folder, "--port", str(port))
    sentence = assert_one_clear_sentence(result, f"port {port} on 127.0.0.1 is in use")
    documented("a port in use (serve)", result.returncode, sentence)
    assert seconds < 5  # no worker started, nothing loaded: the interpreter's start-up, 0.5 s
    assert folder.exists() == has_a_store


def test_serve_on_an_address_of_another_machine_says_so_at_once(store: StoreVersion) -> None:
    result, seconds = serve_briefly(store.path.parent, "--host", "192.0.2.1", "--port", "8000")
    assert_one_clear_sentence(result, "192.0.2.1", "8000", "cannot assign requested address")
    assert seconds < 5
