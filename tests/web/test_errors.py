"""What a client is told of an error: the message tipgraph wrote for it, never the words of a
failure behind it (an engine's error, a SPARQL service's URL, what a SERVICE target sent)."""

from __future__ import annotations

import logging

import pytest

from tipgraph.errors import (
    EndpointBusy,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    TipgraphError,
    WorkerFailed,
)
from tipgraph.web.errors import NOT_EVALUATED, error_response

INTERNALS = [
    # Security review (issue 13, finding 6): what 503s used to say.
    WorkerFailed("evaluation failed: Network is unreachable (os error 101)"),
    WorkerFailed(
        "evaluation failed: cannot reach the SPARQL service at http://10.0.0.7:8890/sparql "
        "(connection refused); is it running, and is the --store URL right?"
    ),
    WorkerFailed("evaluation failed: the service sent SPARQL XML that does not parse: <secret>"),
]


@pytest.mark.parametrize("error", INTERNALS)
def test_a_failure_s_own_words_go_to_the_log_only(
    error: WorkerFailed, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tipgraph.web.errors"):
        response = error_response(error)
    assert response.status_code == 503
    assert response.body.decode() == NOT_EVALUATED + "\n"
    assert str(error) in caplog.text  # the operator still learns what happened


@pytest.mark.parametrize(
    "error",
    [
        WorkerFailed(WorkerFailed.DIED),
        WorkerFailed(WorkerFailed.CANCELLED),
        QueryTimeout("the query ran longer than the 30 s limit and was stopped; narrow it."),
        EndpointBusy("every query worker is busy and the queue is full; retry in a few seconds."),
        QuerySyntaxError("query does not parse: error at 1:10: expected …"),
    ],
)
def test_tipgraph_s_own_messages_are_told(error: TipgraphError) -> None:
    assert error_response(error).body.decode() == f"{error}\n"


def test_any_other_failure_is_an_internal_error(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="tipgraph.web.errors"):
        response = error_response(StoreError("/srv/tipgraph/store/current: cannot open"))
    assert (response.status_code, response.body) == (500, b"internal error\n")
    assert "/srv/tipgraph/store" in caplog.text
