"""``python -m tipgraph.cli``: the `tipgraph` command."""

from tipgraph.cli import main

main()
