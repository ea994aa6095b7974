"""Shared fixtures: the checkout, its settings, the bundled data assembled and validated once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib

from tipgraph.config import Settings
from tipgraph.dataset import AssembledDataset, assemble_dataset
from tipgraph.validation import ValidationReport, load_shapes, validate

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
