"""The example queries: each parses, runs on the built store, returns rows, and is listed."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tipgraph.examples import Example, load_examples, parse_example
from tipgraph.store.location import StoreVersion

from .helpers import ROOT

EXAMPLES = load_examples()
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
REQUIRED = {21, 12, 13, 7, 15, 19}  # the questions the project promised examples for


def test_there_are_enough_examples_with_unique_titles() -> None:
    assert len(EXAMPLES) >= 12
    titles = [example.title for example in EXAMPLES]
    assert len(set(titles)) == len(titles)
    assert len({example.slug for example in EXAMPLES}) == len(EXAMPLES)


def test_every_example_answers_a_competency_question() -> None:
    answered = set()
    for example in EXAMPLES:
        assert example.answers, example.slug
        assert all(1 <= n <= 24 for n in example.answers), example.slug
        assert example.description.endswith("."), example.slug
        answered |= set(example.answers)
    assert answered >= REQUIRED


def test_the_header_is_required() -> None:
    with pytest.raises(ValueError, match="description"):
        parse_example("broken", "# title: A title\n# answers: CQ 1\nASK {}\n")
    example = parse_example("ok", "# title: T\n# description: D.\n# answers: CQ 12, 13\nASK {}\n")
    assert example == Example("ok", "T", "D.", (12, 13), "ASK {}\n")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.slug)
def test_example_parses_and_returns_rows(example: Example, built_store: StoreVersion) -> None:
    declared = set(re.findall(r"^PREFIX\s+([\w-]*):", example.query, flags=re.MULTILINE))
    used = set(re.findall(r"(?<![\w<\"'?$#/-])([a-z][\w-]*):\w", strip_iris(example.query)))
    assert used <= declared, f"{example.slug} uses undeclared prefixes {used - declared}"
    store = ox.Store.read_only(str(built_store.database))
    solutions = store.query(example.query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    assert len(list(solutions)) >= 1


def strip_iris(query: str) -> str:
    """The query without IRIs, strings and comments (which may contain colons)."""
    return re.sub(r"<[^>\s]*>|\"[^\"]*\"|#[^\n]*", " ", query)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.slug)
def test_example_runs_on_the_endpoint(example: Example, client: TestClient) -> None:
    response = client.get("/sparql", params={"query": example.query, "format": "csv"})
    assert response.status_code == 200, response.text
    assert len(list(csv.reader(io.StringIO(response.text)))) >= 2


def test_the_page_lists_every_example_with_its_permalink(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": BROWSER_ACCEPT}).text
    for example in EXAMPLES:
        href = "/sparql?query=" + quote(example.query, safe="")
        assert f'href="{href}"' in page
        assert f">{example.title}</a>" in page.replace("&#39;", "'")


def test_a_permalink_shows_the_page_with_the_query(client: TestClient) -> None:
    query = 'SELECT ?x WHERE { BIND ("</script><b>" AS ?x) }'
    response = client.get("/sparql", params={"query": query}, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    assert "</script><b>" not in response.text  # escaped in the form and in the script's JSON
    assert "&lt;/script&gt;&lt;b&gt;" in response.text  # the form's textarea
    assert '"query": "SELECT ?x WHERE { BIND (\\"\\u003c/script\\u003e' in response.text


def test_machines_still_get_results_from_a_permalink(client: TestClient) -> None:
    query = "SELECT ?x WHERE { BIND (1 AS ?x) }"
    for params, accept in [
        ({"query": query}, "application/sparql-results+json"),
        ({"query": query}, "text/csv"),
        ({"query": query, "format": "json"}, BROWSER_ACCEPT),
        ({"query": query, "format": ""}, BROWSER_ACCEPT),  # the form's "by Accept" choice
        ({"query": query}, None),
    ]:
        headers = {"Accept": accept} if accept else {}
        response = client.get("/sparql", params=params, headers=headers)
        assert response.status_code == 200
        assert not response.headers["content-type"].startswith("text/html"), (params, accept)


def test_readme_lists_every_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- examples -->", 1)[1].split("<!-- /examples -->", 1)[0]
    for example in EXAMPLES:
        assert f"| {example.title} |" in section
        assert f"`{example.slug}.rq`" in section
