"""Query workers reach no network, with both layers, with the seccomp filter alone, and a
worker that can be kept off it by neither does not serve (finding 1 of the security review).

Each case runs in a fresh process (the filters cannot be taken off), against a real listener.
To take a layer away, the child first installs a filter of its own refusing ``unshare`` (and,
for the last case, ``seccomp`` too), as a system that forbids them would.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import platform
import socket
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tipgraph import sandbox
from tipgraph.store.location import StoreVersion

from .helpers import ROOT
from .helpers.documented import documented
from .helpers.servers import free_port
from .sparql_grammar.oracle import listening

UNSHARE = {"x86_64": 272, "aarch64": 97}
EPERM = 1

pytestmark = pytest.mark.skipif(
    platform.machine() not in sandbox.ARCHITECTURES, reason="seccomp filters for x86_64/aarch64"
)


def _refuse(*syscalls: int) -> None:
    """Install a filter making each of ``syscalls`` fail with EPERM (what a locked-down
    system does), built with the same instructions as tipgraph's own filter."""
    program = [sandbox._instruction(sandbox.LOAD, sandbox.NR_OFFSET)]
    for number in syscalls:
        program.append(sandbox._instruction(sandbox.JUMP_EQUAL, number, 0, 1))
        program.append(sandbox._instruction(sandbox.RETURN, sandbox.SECCOMP_RET_ERRNO | EPERM))
    program.append(sandbox._instruction(sandbox.RETURN, sandbox.SECCOMP_RET_ALLOW))
    code = b"".join(program)
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(sandbox.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
    seccomp = sandbox.ARCHITECTURES[platform.machine()][3]
    fprog = sandbox._SockFprog(len(code) // 8, code)
    assert libc.syscall(seccomp, sandbox.SECCOMP_SET_MODE_FILTER, 0, ctypes.byref(fprog)) == 0


def _probe(refused: tuple[str, ...], url: str, results: multiprocessing.Queue[object]) -> None:
    """In a child: take layers away, isolate, then try every way out."""
    machine = platform.machine()
    numbers = {"unshare": UNSHARE[machine], "seccomp": sandbox.ARCHITECTURES[machine][3]}
    if refused:
        _refuse(*(numbers[name] for name in refused))
    layers = sandbox.isolate_from_network()
    outcome: dict[str, object] = {"layers": layers}
    for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
        try:
            socket.socket(family).close()
            outcome[family.name] = "opened"
        except OSError as error:
            outcome[family.name] = error.errno
    import pyoxigraph as ox

    try:
        list(ox.Store().query(f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
        outcome["service"] = "answered"
    except OSError as error:
        outcome["service"] = str(error)
    results.put(outcome)


def _run(refused: tuple[str, ...]) -> tuple[dict[str, object], int]:
    context = multiprocessing.get_context("spawn")
    with listening() as listener:
        results: multiprocessing.Queue[object] = context.Queue()
        child = context.Process(target=_probe, args=(refused, listener.url, results))
        child.start()
        outcome = results.get(timeout=60)
        child.join(30)
        connections = len(listener.connections)
    assert isinstance(outcome, dict)
    return outcome, connections


def test_both_layers_leave_no_way_out() -> None:
    outcome, connections = _run(())
    assert "seccomp" in outcome["layers"]  # type: ignore[operator]
    assert outcome["AF_INET"] == outcome["AF_INET6"] == 13  # EACCES
    assert outcome["AF_UNIX"] == "opened"  # the pipe to the pool
    assert connections == 0


def test_the_filter_alone_leaves_no_way_out() -> None:
    """Where namespaces are refused (a container, a hardened kernel), seccomp still holds."""
    outcome, connections = _run(("unshare",))
    assert outcome["layers"] == ("seccomp",)
    assert outcome["AF_INET"] == 13
    assert "service" in outcome and outcome["service"] != "answered"
    assert connections == 0


def test_without_the_filter_the_probe_would_get_out() -> None:
    """The probe itself works: a process with neither layer reaches the listener."""
    outcome, connections = _run(("unshare", "seccomp"))
    assert outcome["layers"] == ()
    assert outcome["AF_INET"] == "opened"
    assert connections == 1


def _serve_unisolated(database: str, results: multiprocessing.Queue[object]) -> None:
    import asyncio

    from tipgraph.config import EndpointSettings
    from tipgraph.errors import StoreError
    from tipgraph.query_targets import EmbeddedTarget
    from tipgraph.serving.pool import QueryPool

    machine = platform.machine()
    _refuse(UNSHARE[machine], sandbox.ARCHITECTURES[machine][3])  # inherited by the workers

    async def start() -> str:
        settings = EndpointSettings(store=Path(database).parent.parent, workers=1, timeout=10)
        try:
            async with QueryPool(EmbeddedTarget(Path(database)), settings):
                return "served"
        except StoreError as error:
            return str(error)

    results.put(asyncio.run(start()))


def test_a_worker_that_cannot_be_isolated_does_not_serve(built_store: StoreVersion) -> None:
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[object] = context.Queue()
    child = context.Process(target=_serve_unisolated, args=(str(built_store.database), results))
    child.start()
    outcome = results.get(timeout=60)
    child.join(30)
    assert isinstance(outcome, str)
    assert "cannot be kept off the network" in outcome


def test_the_filter_is_eleven_instructions_per_architecture() -> None:
    for machine in sandbox.ARCHITECTURES:
        program = sandbox.network_filter(machine)
        assert len(program) == 11 * struct.calcsize("=HBBI")


SERVE_LOCKED_DOWN = """
import os, platform, sys
sys.path.insert(0, {root!r})
from tests.test_sandbox import UNSHARE, _refuse
from tipgraph.sandbox import ARCHITECTURES
_refuse(UNSHARE[platform.machine()], ARCHITECTURES[platform.machine()][3])
os.execv(sys.executable, [sys.executable, "-m", "tipgraph.cli", "--root", {root!r}, "serve",
         "--store", {store!r}, "--port", {port!r}])
"""


def test_serve_refuses_to_start_where_workers_cannot_be_isolated(
    built_store: StoreVersion,
) -> None:
    script = SERVE_LOCKED_DOWN.format(
        root=str(ROOT), store=str(built_store.path.parent), port=str(free_port())
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    sentence = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 2
    documented("query workers that cannot be kept off the network (serve)", 2, sentence)
