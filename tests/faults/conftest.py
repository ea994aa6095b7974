"""Faults made real: `tipgraph` in subprocesses, killed with real signals, on real filesystems
(a tiny tmpfs, a read-only mount) and as a user who may only read.

Each fault must end in one clear sentence on stderr and exit 2, never a traceback, and never
leave a half-written store: see :func:`assert_one_clear_sentence`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tipgraph.store.location import BUILDING_PREFIX, StoreVersion

from ..helpers import ROOT
from ..helpers.servers import LiveServer, free_port

EXIT_ERROR = 2
# Runs a command as a user who may read everything (so it finds this interpreter wherever it is
# installed) and write nothing it does not own: an unprivileged server reading a store. (Its
# query workers lose that in their own user namespace: they read as user nobody.)
AS_A_READER = [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--inh-caps=+dac_read_search",
    "--ambient-caps=+dac_read_search",
]


def tipgraph_command(*args: str, root: Path = ROOT, prefix: Sequence[str] = ()) -> list[str]:
    return [*prefix, sys.executable, "-m", "tipgraph.cli", "--root", str(root), *args]


def tipgraph(
    *args: str, root: Path = ROOT, prefix: Sequence[str] = (), timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`tipgraph ARGS` run to its end: exit code, stdout and stderr."""
    return subprocess.run(
        tipgraph_command(*args, root=root, prefix=prefix),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_clear_sentence(result: subprocess.CompletedProcess[str], *mentions: str) -> str:
    """The failure was reported as tipgraph reports errors: exit 2, nothing but progress before
    a last line ``Error: <one sentence>`` that names what it is about (``mentions``), and no
    traceback or server log. Returns the sentence."""
    assert result.returncode == EXIT_ERROR, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert "ERROR:" not in result.stderr, result.stderr  # uvicorn's log
    lines = result.stderr.strip().splitlines()
    assert lines, "nothing on stderr"
    assert lines[-1].startswith("Error: "), result.stderr
    assert not any(line.startswith("Error: ") for line in lines[:-1]), result.stderr
    sentence = lines[-1].removeprefix("Error: ")
    assert sentence.endswith("."), sentence
    for mention in mentions:
        assert mention.lower() in sentence.lower(), (mention, sentence)
    return sentence


def building_folders(store: Path) -> list[Path]:
    """What unfinished loads left in ``store``."""
    return sorted(store.glob(f"{BUILDING_PREFIX}*"))


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds:g} s"
        time.sleep(0.02)


def loading_has_written(store: Path) -> bool:
    """Whether a load into ``store`` is under way and has written part of its database."""
    return any(any((folder / "oxigraph").glob("*.sst")) for folder in building_folders(store))


@contextlib.contextmanager
def terminated(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """``process``, killed with what it started (its session) if the test leaves it running."""
    try:
        yield process
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
        process.wait(timeout=10)


def start_serving(store: Path, *options: str, prefix: Sequence[str] = ()) -> LiveServer:
    """`tipgraph serve` in a session of its own (its workers with it), once /health answers."""
    port = free_port()
    command = tipgraph_command(
        "serve", "--store", str(store), "--port", str(port), *options, prefix=prefix
    )
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"tipgraph serve exited {process.returncode}: {stderr}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return LiveServer(url, process)
        time.sleep(0.05)
    os.killpg(process.pid, 9)
    raise AssertionError("tipgraph serve did not answer /health within 30 s")


def stop_serving(server: LiveServer) -> None:
    """SIGTERM, then SIGKILL to whatever of its session is left."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, 9)
        if server.process.stderr:
            server.process.stderr.close()


def session_processes(session: int) -> list[int]:
    """The processes still alive in ``session`` (a server's workers outlive it if orphaned)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session and fields[0] != "Z":  # sid, state
                pids.append(int(stat.parent.name))
    return pids


def copy_store(store: StoreVersion, to: Path) -> StoreVersion:
    """A private copy of a built store (its `current` link included), and its current version."""
    shutil.copytree(store.path.parent, to, symlinks=True)
    return StoreVersion(to / store.path.name, store.manifest)


@pytest.fixture
def store(built_store: StoreVersion, tmp_path: Path) -> StoreVersion:
    """The bundled data, loaded (with its dumps): a private copy the test may break."""
    return copy_store(built_store, tmp_path / "store")


@pytest.fixture(scope="session")
def big_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout of synthetic data (about 300,000 triples, a load of a few seconds)."""
    root = tmp_path_factory.mktemp("big") / "root"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--triples",
            "300000",
            "--out",
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    return root


def _works(command: Sequence[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_namespaces = pytest.mark.skipif(
    not _works(["unshare", "-rm", "true"]),
    reason="needs user and mount namespaces (unshare -rm)",
)
needs_setpriv = pytest.mark.skipif(
    not _works([*AS_A_READER, "true"]), reason="needs setpriv and root to become another user"
)


@dataclass
class Mounted:
    """A filesystem mounted in a mount namespace of its own, kept by a holding process."""

    path: Path  # where it is mounted, as its namespace sees it
    holder: subprocess.Popen[str]

    @property
    def prefix(self) -> list[str]:
        """Runs a command in the namespace, where the filesystem is mounted at ``path``."""
        pid = str(self.holder.pid)
        return ["nsenter", "-t", pid, "-U", "-m", "--preserve-credentials", "--"]

    def seen_from_here(self, path: Path) -> Path:
        """``path`` (inside the filesystem) as this process can read it."""
        return Path(f"/proc/{self.holder.pid}/root") / path.relative_to("/")


@contextlib.contextmanager
def mounted(script: str, path: Path) -> Iterator[Mounted]:
    """``script`` (sh, ``$0`` is ``path``) mounts a filesystem at ``path`` in a new user and mount
    namespace, which lives as long as the context."""
    path.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        ["unshare", "-rm", "sh", "-c", f"{script} && echo ready && exec sleep 600", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n", (
            holder.stderr.read() if holder.stderr else ""
        )
        yield Mounted(path, holder)
    finally:
        holder.kill()
        holder.communicate(timeout=10)


def tmpfs(size: str, path: Path) -> contextlib.AbstractContextManager[Mounted]:
    """A tmpfs of ``size`` (as mount says it: 6m, 2500k) at ``path``."""
    return mounted(f'mount -t tmpfs -o size={size} tmpfs "$0"', path)


def read_only(path: Path) -> contextlib.AbstractContextManager[Mounted]:
    """``path`` itself, mounted read-only over itself."""
    return mounted('mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"', path)
