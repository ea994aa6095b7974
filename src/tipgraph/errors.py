"""Errors tipgraph raises; each message says what happened, where, and what to do next."""

from __future__ import annotations

from pathlib import Path


class TipgraphError(Exception):
    """Base class of every error tipgraph reports to its users."""


class DataLayoutError(TipgraphError):
    """A folder or file tipgraph needs is missing or misplaced."""


class DataSyntaxError(TipgraphError):
    """An RDF file does not parse."""

    def __init__(self, path: Path, line: int | None, column: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        where = str(path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class SourceTextError(TipgraphError):
    """A report's source text cannot be read as UTF-8 text."""
