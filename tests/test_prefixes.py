"""Every vocabulary the ontology, the shapes and the data use has its prefix predeclared for
queries, with the same namespace, and README lists exactly the predeclared prefixes."""

from __future__ import annotations

import re

from tests.helpers import ROOT
from tipgraph.namespaces import BASE, PREFIXES

DECLARATION = re.compile(r"^@prefix\s+([^\s:]*):\s*<([^>]*)>", re.MULTILINE | re.IGNORECASE)


def turtle_prefixes() -> dict[str, set[str]]:
    """Each prefix declared in the checkout's Turtle files, with the namespaces it stands for."""
    found: dict[str, set[str]] = {}
    for folder in ("ontology", "shapes", "data"):
        for path in (ROOT / folder).rglob("*.ttl"):
            for name, namespace in DECLARATION.findall(path.read_text(encoding="utf-8")):
                found.setdefault(name, set()).add(namespace)
    return found


def test_every_vocabulary_prefix_of_the_data_is_predeclared() -> None:
    """tipgraph's own namespaces (`agency:`, `obs:` …) are left out: some are one report's."""
    vocabularies = {
        name: namespaces
        for name, namespaces in turtle_prefixes().items()
        if not any(namespace.startswith(BASE) for namespace in namespaces)
    }
    assert {"eli", "spdx", "schema", "dcat", "vann", "wd"} <= set(vocabularies)
    for name, namespaces in vocabularies.items():
        assert namespaces == {PREFIXES.get(name)}, (name, namespaces)


def test_readme_lists_the_predeclared_prefixes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = readme.split("has its prefix predeclared:", 1)[1].split(";", 1)[0]
    listed = re.findall(r"`([a-z-]+)`", sentence.split("(", 1)[0])
    assert listed == list(PREFIXES)
