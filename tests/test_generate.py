"""The benchmark's synthetic data (bench/generate.py): deterministic, of the size asked for, and
valid: it passes `tipgraph validate` and `tipgraph coverage` like the real data."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from tipgraph.cli import main

ROOT = Path(__file__).resolve().parent.parent
TRIPLES = 4_000
SEED = 7


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    """bench/generate.py, imported as a module (bench/ is no package)."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(
    generator: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("synthetic") / "root"
    manifest: dict[str, Any] = generator.generate(TRIPLES, root, SEED)
    return root, manifest


def digest(generator: ModuleType, root: Path) -> str:
    return str(generator.tree_digest(root / "data")) + (root / "manifest.json").read_text()


def test_the_same_seed_gives_the_same_bytes(
    generator: ModuleType, generated: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    root, _ = generated
    generator.generate(TRIPLES, tmp_path / "again", SEED)
    generator.generate(TRIPLES, tmp_path / "other", SEED + 1)
    assert digest(generator, tmp_path / "again") == digest(generator, root)
    assert digest(generator, tmp_path / "other") != digest(generator, root)


def test_the_triple_count_is_near_the_target(generated: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = generated
    files = sorted((root / "data").glob("*/data.ttl"))
    texts = sorted((root / "data").glob("*/source.en.txt"))
    parsed = sum(sum(1 for _ in ox.parse(path=f, format=ox.RdfFormat.TURTLE)) for f in files)
    # Each source text adds one triple when tipgraph attaches it (prov:value).
    assert parsed + len(texts) == manifest["triples"]
    assert abs(manifest["triples"] - TRIPLES) <= TRIPLES / 10
    assert manifest["reports"] == len(texts) >= 2


def test_the_sample_resources_exist(
    generator: ModuleType, generated: tuple[Path, dict[str, Any]]
) -> None:
    root, _ = generated
    store = ox.Store()
    for file in sorted((root / "data").glob("*/data.ttl")):
        store.load(path=file, format=ox.RdfFormat.TURTLE)
    for iri in (generator.SAMPLE_OBSERVATION, generator.SAMPLE_AGENCY):
        assert store.query(f"ASK {{ <{iri}> a ?type }}"), iri


def test_it_passes_validation(generated: tuple[Path, dict[str, Any]]) -> None:
    root, _ = generated
    result = CliRunner().invoke(main, ["--root", str(root), "validate"])
    assert result.exit_code == 0, result.output


def test_every_numeral_is_covered(generated: tuple[Path, dict[str, Any]]) -> None:
    root, _ = generated
    result = CliRunner().invoke(main, ["--root", str(root), "coverage"])
    assert result.exit_code == 0, result.output
