"""The documented deployment (deploy/*.service): an unprivileged, read-only server and a loader,
with command lines tipgraph accepts and units systemd reads without a complaint."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tipgraph.cli import main

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
INSTALLED = "/opt/tipgraph/bin/tipgraph"


def settings(unit: Path) -> dict[str, list[str]]:
    """Every key of the unit with its values (a key may repeat)."""
    found: dict[str, list[str]] = {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_both_units_are_there() -> None:
    assert [u.name for u in UNITS] == ["tipgraph-load.service", "tipgraph.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_the_command_line_is_one_tipgraph_accepts(unit: Path) -> None:
    program, *arguments = shlex.split(settings(unit)["ExecStart"][0])
    assert program == INSTALLED
    with main.make_context("tipgraph", arguments, resilient_parsing=False) as context:
        command = main.get_command(context, context.protected_args[0])
        assert isinstance(command, click.Command)
        command.make_context(command.name, context.args, parent=context)  # raises if unknown


def test_the_server_runs_as_nobody_in_particular_and_only_reads_the_store() -> None:
    server = settings(DEPLOY / "tipgraph.service")
    assert server["DynamicUser"] == ["yes"]
    assert "User" not in server
    arguments = shlex.split(server["ExecStart"][0])
    store = arguments[arguments.index("--store") + 1]
    assert any(store.startswith(path) for path in server["ReadOnlyPaths"])
    assert server["NoNewPrivileges"] == ["yes"] and server["CapabilityBoundingSet"] == [""]
    assert "--host" in server["ExecStart"][0] and "127.0.0.1" in server["ExecStart"][0]


def test_the_loader_is_the_one_writer() -> None:
    loader = settings(DEPLOY / "tipgraph-load.service")
    assert loader["User"] == ["tipgraph"]
    assert loader["StateDirectory"] == ["tipgraph"]
    assert loader["PrivateNetwork"] == ["yes"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_systemd_reads_the_units_without_a_complaint(tmp_path: Path) -> None:
    tipgraph = Path(sys.executable).with_name("tipgraph")  # the units name the installed one
    copies = []
    for unit in UNITS:
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text(encoding="utf-8").replace(INSTALLED, str(tipgraph)))
        copies.append(str(copy))
    checked = subprocess.run(
        ["systemd-analyze", "verify", *copies], capture_output=True, text=True, timeout=60
    )
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")
