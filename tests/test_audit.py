"""The locked runtime dependencies (requirements.lock): complete, within pyproject's bounds, and
without a vulnerability PyPI knows of: what `pip-audit -r requirements.lock` checks, through
the same PyPI JSON API."""

from __future__ import annotations

import tomllib
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPI = "https://pypi.org/pypi"


def locked() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def test_the_lock_pins_every_runtime_dependency_within_its_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = locked()
    for dependency in map(Requirement, project["dependencies"]):
        name = canonicalize_name(dependency.name)
        assert name in pins, f"{name} is a dependency but not in requirements.lock"
        assert dependency.specifier.contains(pins[name]), f"{name}=={pins[name]} is out of bounds"


def vulnerabilities(client: httpx.Client, name: str, version: Version) -> list[str]:
    """The vulnerabilities PyPI lists for ``name==version`` (pip-audit's own source)."""
    answer = client.get(f"{PYPI}/{name}/{version}/json")
    if answer.status_code == 404:  # a mirror may answer for the project only: its latest release
        answer = client.get(f"{PYPI}/{name}/json")
        latest = Version(answer.json()["info"]["version"])
        if latest != version:
            pytest.fail(
                f"cannot audit {name}=={version} (PyPI shows {latest} only): refresh "
                "requirements.lock, or run pip-audit -r requirements.lock where its service is "
                "reachable"
            )
    if answer.status_code == 429 or answer.status_code >= 500:
        pytest.skip(f"PyPI answered {answer.status_code}: the audit cannot run now")
    answer.raise_for_status()
    entries = answer.json().get("vulnerabilities") or []
    return [entry["id"] for entry in entries if not entry.get("withdrawn")]


@pytest.mark.network
def test_no_locked_dependency_has_a_known_vulnerability() -> None:
    try:
        with httpx.Client(timeout=30, follow_redirects=True) as client:
            found = {
                f"{name}=={version}": ids
                for name, version in locked().items()
                if (ids := vulnerabilities(client, name, version))
            }
    except httpx.TransportError as error:
        pytest.skip(f"PyPI cannot be reached to audit the dependencies: {error}")
    assert found == {}
