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

    def __reduce__(self) -> tuple[type[DataSyntaxError], tuple[Path, int | None, int | None, str]]:
        return (type(self), (self.path, self.line, self.column, self.message))  # across processes


class SourceTextError(TipgraphError):
    """A report's source text cannot be read as UTF-8 text."""


class StoreError(TipgraphError):
    """The store is missing, unreadable, or a load into it failed."""


class DataNotValidError(TipgraphError):
    """The data does not conform to the shapes, so it is not loaded."""


class QueryError(TipgraphError):
    """A SPARQL query that tipgraph will not answer; ``status`` is its HTTP status."""

    status = 400


class QuerySyntaxError(QueryError):
    """The query does not parse; the message is the parser's, with line and column."""


class UpdateRefused(QueryError):
    """The text is a SPARQL Update: the endpoint and the CLI only answer queries."""

    status = 403


class FederatedQueryRefused(QueryError):
    """The query uses SERVICE, which the public endpoint never executes."""


class NotAcceptable(QueryError):
    """None of the formats the client accepts can carry this kind of result."""

    status = 406


class ResultTooLarge(QueryError):
    """The result has more rows (or triples) than the configured maximum."""


class QueryTimeout(QueryError):
    """The query ran longer than the time limit and was stopped."""

    status = 503


class EndpointBusy(QueryError):
    """Every query worker is busy and the waiting queue is full."""

    status = 503


class QueryPreempted(QueryError):
    """The query was stopped to make room for a query of a client with nothing running."""

    status = 503


class QueryOutOfMemory(QueryError):
    """The query needed more memory than a worker may use, and was stopped."""

    status = 503


class TooManyRequests(QueryError):
    """The client is over its share of the query workers; ``retry_after`` is in seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class WorkerFailed(QueryError):
    """The worker evaluating the query died (e.g. killed by the operating system), or the
    store (or the SPARQL service behind it) failed the query. Only the pool's own messages,
    :data:`PUBLIC`, reach clients: another is an engine's or a service's words, for the log."""

    status = 503
    DIED = "the worker evaluating this query died; retry, and narrow the query if it happens again."
    CANCELLED = "the query was cancelled."
    PUBLIC = frozenset({DIED, CANCELLED})


class QueryTooDeep(QueryError):
    """The query nests brackets deeper than the parser can take."""
