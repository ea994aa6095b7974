"""The HTTP API fuzzed from its own OpenAPI description (GET /openapi.json) with Schemathesis.

Every answer must be documented: no 5xx, and its status, media type, headers and body as the
description says. A real ``tipgraph serve`` on the bundled store answers.

Each operation is a test of its own that draws Schemathesis' cases with Hypothesis (positive
and negative data). Schemathesis' pytest integration is not used: a schema loaded at import
needs the server before collection, and ``schemathesis.pytest.from_fixture`` fails on pytest
9.2 (it renames the test through ``request.node._nodeid``, which pytest no longer has).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation

from tipgraph.web.openapi import complete

from .conftest import CHECKS

OPERATIONS = [
    "GET /id/{path}",
    "GET /doc/{path}",
    "GET /ontology{extension}",
    "GET /shapes{extension}",
    "GET /graph/{name}",
    "GET /dataset",
    "GET /dataset.{extension}",
    "GET /.well-known/void",
    "GET /dumps/",
    "GET /dumps.json",
    "GET /dumps/{name}",
    "GET /search",
    "GET /figures",
    "GET /figures.{extension}",
    "GET /health",
    "GET /list",
    "GET /sparql",
    "POST /sparql",
]
# Random paths name nothing: each operation is also fuzzed on these resources (its other
# parameters and headers generated), so that the pages themselves are exercised.
RESOURCES = [
    "agency/mia",
    "indicator/victims-identified",
    "report/az-mia-thb-2018/text/en",
    "observation/az-mia-thb-2018/criminal-groups-neutralised-2018",
    "report/az-mia-thb-2018/quote/mia-65",
    "scheme/indicators",
]
KNOWN: dict[str, list[str]] = {
    "path": [*RESOURCES, *(f"{r}.{twin}" for r in RESOURCES[:3] for twin in ("ttl", "csv", "txt"))],
    "name": [
        "az-mia-thb-2018",
        "reference",
        "ontology",
        "tipgraph.nt",
        "tipgraph.ttl.gz",
        "SHA256SUMS",
        "dumps.json",
    ],
    "extension": ["", ".ttl", ".jsonld", ".html", "/0.1.0", "ttl", "rdf", "html"],
}
# Accept is no parameter in OpenAPI: the negotiation is fuzzed with these (None: the client's).
ACCEPTS = [
    None,
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/ld+json",
    "application/json",
    "text/csv",
    "text/turtle;q=0, */*;q=0.1",
    "image/png",
]


def test_every_operation_is_fuzzed(api: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in api.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} == set(OPERATIONS)


def test_the_completed_description_lists_no_answer_the_app_never_gives(
    api: schemathesis.BaseSchema,
) -> None:
    """FastAPI lists 422 for every route with parameters; tipgraph answers 400 instead."""
    described = complete(api.raw_schema)
    assert complete(described) == described
    for operations in described["paths"].values():
        for operation in operations.values():
            assert "422" not in operation["responses"]
    assert "HTTPValidationError" not in described.get("components", {}).get("schemas", {})
    assert set(described["paths"]["/health"]["get"]["responses"]) == {"200", "503"}


def cases(operation: APIOperation) -> st.SearchStrategy[schemathesis.Case]:
    """Valid and invalid requests, on random paths and on the known resources."""
    generated = [operation.as_strategy(mode) for mode in GenerationMode]
    names = [p.name for p in operation.path_parameters]
    for name in names:
        generated.append(
            st.sampled_from(KNOWN[name]).flatmap(
                lambda value, name=name: operation.as_strategy(path_parameters={name: value})
            )
        )
    return st.one_of(generated)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_answer_is_documented(api: schemathesis.BaseSchema, operation: str) -> None:
    method, path = operation.split(" ")

    @given(case=cases(api[path][method]), accept=st.sampled_from(ACCEPTS))
    def answer(case: schemathesis.Case, accept: str | None) -> None:
        headers = {} if accept is None else {"Accept": accept}
        case.call_and_validate(checks=CHECKS, headers=headers, allow_redirects=False)

    answer()
