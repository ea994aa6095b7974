"""The bounded load test (``bench/load.py``): 64 clients for 30 s against ``tipgraph serve``
with its default settings, then the same while one client sends runaway queries.

Asserted here: no error but deliberate back-pressure, every kind of request served, memory
bounded, and no worker left burning CPU. Latency is reported by the script (its goal: a p99
under one second), never asserted: a test does not time a shared machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tipgraph.store.location import StoreVersion

BENCH = Path(__file__).resolve().parents[2] / "bench"
WORKERS, WORKER_MIB = 3, 1024  # tipgraph serve's defaults
BOUND_MIB = WORKERS * WORKER_MIB + 512  # every worker at its limit, and the web process


def load_test(store: StoreVersion, tmp_path: Path, *options: str) -> dict[str, Any]:
    report = tmp_path / "report.json"
    command = [sys.executable, str(BENCH / "load.py"), "--store", str(store.path.parent)]
    finished = subprocess.run(
        [*command, "--json", str(report), "--reference-seconds", "0", *options],
        cwd=BENCH,
        capture_output=True,
        text=True,
        timeout=300,
    )
    sys.stdout.write(finished.stdout)  # the figures, shown with -s and kept in CI logs on failure
    assert report.exists(), finished.stdout + finished.stderr
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return result


def test_64_clients_for_30_s_meet_no_error_but_back_pressure(
    built_store: StoreVersion, tmp_path: Path
) -> None:
    report = load_test(built_store, tmp_path, "--clients", "64", "--seconds", "30")
    assert report["errors"] == 0, report["error_examples"]
    assert report["back_pressure"] <= report["requests"] // 100  # refusals stay exceptional
    assert {"query", "page", "dump"} <= set(report["kinds"])
    assert all(kind["statuses"].get("200", 0) > 0 for kind in report["kinds"].values())
    assert report["requests"] > 1000
    assert report["peak_memory_mib"] < BOUND_MIB
    assert report["workers_cpu_after_seconds"] < 0.5


@pytest.mark.parametrize("connections", [4])
def test_runaway_queries_are_stopped_while_everyone_else_is_served(
    built_store: StoreVersion, tmp_path: Path, connections: int
) -> None:
    options = ("--clients", "64", "--seconds", "30", "--runaway", str(connections))
    report = load_test(built_store, tmp_path, *options)
    assert report["errors"] == 0, report["error_examples"]
    assert report["back_pressure"] <= report["requests"] // 100  # the others are not refused
    runaway = report["kinds"]["runaway"]["statuses"]
    assert runaway.get("503", 0) >= 2  # stopped by the time limit or the memory limit
    assert "200" not in runaway
    ordinary = [kind for name, kind in report["kinds"].items() if name != "runaway"]
    assert all(kind["statuses"].get("200", 0) > 0 for kind in ordinary)
    assert report["peak_memory_mib"] < BOUND_MIB
    assert report["workers_cpu_after_seconds"] < 0.5  # every runaway worker was stopped
