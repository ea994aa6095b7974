"""The layers hold: imports point down, never up, and the core stays framework-free."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "tipgraph"

# Lower number = lower layer. A module imports from lower layers, or from its own layer in the
# core (cycles are caught separately); the surfaces (web, then cli) sit on top.
LAYERS = {
    "namespaces": 0,
    "errors": 0,
    "config": 0,
    "dataset": 1,
    "validation": 1,
    "shacl_targets": 1,
    "conformance": 1,
    "coverage": 1,
    "fidelity": 1,
    "locations": 1,
    "quoting": 1,
    "sparql": 1,
    "query_errors": 1,
    "formats": 0,
    "negotiation": 0,
    "wording": 0,
    "sparql_grammar": 1,
    "sandbox": 1,
    "store": 1,
    "evaluation": 1,
    "query_targets": 1,
    "sorting": 1,
    "canonical": 1,
    "examples": 1,
    "build": 2,
    "publish_remote": 2,
    "aggregates": 2,
    "progress": 2,
    "service": 2,
    "export": 2,
    "observation_table": 2,
    "catalog": 2,
    "quality": 2,
    "describe": 2,
    "figures": 2,
    "source_marks": 2,
    "figures_view": 2,
    "ontology_docs": 2,
    "search_index": 2,
    # The curator's workbench: scaffolds and drafts a report's Turtle from its text.
    "curation": 2,
    # The published dataset (the seam: which store, embedded or a SPARQL service), the public
    # Python API that the surfaces and notebooks share.
    "published": 3,
    # What only the server needs: the query worker pool, its workers, fair shares, the cache.
    "serving": 3,
    "web": 4,
    "cli": 5,
}
SURFACES = LAYERS["web"]  # web and cli: only they may use frameworks
FRAMEWORKS = {"click", "fastapi", "jinja2", "uvicorn", "starlette"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def _top(path: Path) -> str:
    top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    assert top in LAYERS, f"{path}: add this module to LAYERS in {__file__}"
    return top


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def _tipgraph_imports(path: Path) -> set[str]:
    return {n.split(".")[1] for n in _imports(path) if n.startswith("tipgraph.")}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_imports_point_down(path: Path) -> None:
    own = _top(path)
    for target in _tipgraph_imports(path) - {own}:
        assert target in LAYERS, f"{path.name} imports unknown module tipgraph.{target}"
        allowed = LAYERS[target] < LAYERS[own] or (LAYERS[target] == LAYERS[own] < SURFACES)
        assert allowed, f"{path.name} ({own}) imports tipgraph.{target}: imports must point down"


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for path in _modules():
        graph.setdefault(_top(path), set()).update(_tipgraph_imports(path) - {_top(path)})

    def visit(node: str, trail: tuple[str, ...]) -> None:
        assert node not in trail, f"import cycle: {' -> '.join((*trail, node))}"
        for nxt in graph.get(node, ()):
            visit(nxt, (*trail, node))

    for module in graph:
        visit(module, ())


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_core_is_framework_free(path: Path) -> None:
    if LAYERS[_top(path)] >= SURFACES:
        return
    used = {name.split(".")[0] for name in _imports(path)} & FRAMEWORKS
    assert not used, f"{path.name} imports {used}: only cli and web may use frameworks"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_rdflib_and_pyshacl_stay_in_validation(path: Path) -> None:
    if path.stem in ("validation", "shacl_targets"):
        return
    used = {name.split(".")[0] for name in _imports(path)} & {"rdflib", "pyshacl"}
    assert not used, (
        f"{path.name} imports {used}: rdflib and pyshacl belong in validation.py "
        "(and shacl_targets.py, which hands pyshacl the focus nodes Oxigraph selects)"
    )
