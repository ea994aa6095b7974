"""The `tipgraph` command line: parses options, calls the core, formats output.

Each module adds its commands to :data:`main` (``tipgraph.cli.group``) when imported.
"""

from tipgraph.cli import checks, curate, data, serve
from tipgraph.cli.group import CouldNotRun, main

__all__ = ["CouldNotRun", "checks", "curate", "data", "main", "serve"]
