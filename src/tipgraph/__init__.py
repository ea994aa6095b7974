"""tipgraph: facts about combating trafficking in human beings as validated Linked Open Data.

The Python API, for notebooks and scripts::

    import tipgraph
    ds = tipgraph.open()          # the checkout's store; or a store directory, or a service URL
    rows = ds.query("SELECT ?o ?v { ?o sdmx-measure:obsValue ?v } LIMIT 5")
    ds.describe("agency/mia"), ds.figures("victims-identified"), ds.manifest, ds.dumps()

Names are imported when first used, so ``import tipgraph`` (and the CLI) stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["IRI", "Dataset", "LoadOptions", "QueryResult", "Text", "open"]

if TYPE_CHECKING:
    from tipgraph.published import Dataset, LoadOptions, QueryResult
    from tipgraph.published import open_dataset as open
    from tipgraph.published.results import IRI, Text

_EXPORTS = {
    "open": ("tipgraph.published", "open_dataset"),
    "Dataset": ("tipgraph.published", "Dataset"),
    "LoadOptions": ("tipgraph.published", "LoadOptions"),
    "QueryResult": ("tipgraph.published", "QueryResult"),
    "IRI": ("tipgraph.published.results", "IRI"),
    "Text": ("tipgraph.published.results", "Text"),
}


def __getattr__(name: str) -> Any:
    """The public names, imported on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tipgraph' has no attribute {name!r}")
    import importlib

    module, attribute = _EXPORTS[name]
    return getattr(importlib.import_module(module), attribute)
