"""tipgraph: facts about combating trafficking in human beings as validated Linked Open Data."""

__version__ = "0.1.0"
