"""A SPARQL 1.1 service as the store: queries by the SPARQL 1.1 Protocol, whole graphs by the
Graph Store HTTP Protocol, and the load's manifest kept in the service itself.

Layouts tipgraph knows (see :func:`tipgraph.config.default_graph_store`)::

    Oxigraph   http://host:7878/query   Graph Store at /store
    Virtuoso   http://host:8890/sparql  Graph Store at /sparql-graph-crud(-auth)
"""

from tipgraph.store.remote.auth import split_credentials
from tipgraph.store.remote.client import RemoteStore
from tipgraph.store.remote.connection import LOAD_TIMEOUT, TIMEOUT
from tipgraph.store.remote.results import Answer, Solution, Term, blank_node

__all__ = [
    "LOAD_TIMEOUT",
    "TIMEOUT",
    "Answer",
    "RemoteStore",
    "Solution",
    "Term",
    "blank_node",
    "split_credentials",
]
