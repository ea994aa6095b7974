"""Ways in: the home page leads to figures and lists; every class count opens a paged list."""

from __future__ import annotations

import html as entities
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tipgraph.namespaces import ID, QB, SCHEMA, TIP
from tipgraph.store.location import StoreVersion
from tipgraph.web.lists import PAGE_SIZE

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
OBSERVATION = f"{QB}Observation"


@pytest.fixture(scope="module")
def store(built_store: StoreVersion) -> Iterator[ox.Store]:
    yield ox.Store.read_only(str(built_store.database))


def select(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def instances(store: ox.Store, iri: str) -> set[str]:
    rows = select(store, f"SELECT DISTINCT ?x {{ ?x a <{iri}> FILTER(!isBlank(?x)) }}")
    return {r["x"].value for r in rows}


def hrefs(page: str) -> list[str]:
    return [unquote(entities.unescape(h)) for h in re.findall(r'href="([^"]+)"', page)]


def home(client: TestClient) -> str:
    response = client.get("/", headers={"accept": BROWSER})
    assert response.status_code == 200
    page: str = response.text
    return page


def test_the_first_number_on_the_home_page_is_a_figure_not_triples(
    client: TestClient, store: ox.Store
) -> None:
    page = home(client).split('<main id="content"', 1)[1]
    first = re.search(r'<span class="number">([\d,.]+)', page)
    assert first is not None
    assert page.index(first.group(0)) < page.index("triples")
    # The first headline is the report's own count of victims identified, linked to its page.
    victims = select(
        store,
        f"""SELECT ?o ?v {{ ?o <{TIP}indicator> <{ID}indicator/victims-identified> ;
               <http://purl.org/linked-data/sdmx/2009/dimension#refArea>
               <https://w3id.org/tipgraph/id/country/aze> ;
               <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?v }}""",
    )
    assert len(victims) == 1
    assert first.group(1) == f"{int(victims[0]['v'].value):,}"
    headline = page.split('class="headline-figures"', 1)[1].split("</ul>", 1)[0]
    link = re.search(r'<a href="([^"]+)"><span class="number">', headline)
    assert link and link.group(1) == victims[0]["o"].value.removeprefix("https://w3id.org/tipgraph")
    assert "persons" in headline.split("</li>", 1)[0] or "person" in headline.split("</li>", 1)[0]


def test_the_home_page_links_each_list_figures_and_search(client: TestClient) -> None:
    page = home(client)
    links = hrefs(page)
    for path in ("/figures", "/id/scheme/indicators", "/sparql", "/dumps/", "/ontology"):
        assert path in links, path
    for curie in (
        "schema:GovernmentOrganization",
        "schema:Organization",
        "tip:Agreement",
        "tip:LegalAct",
        "tip:ActionPlan",
        "tip:PlanGoal",
    ):
        assert f"/list?class={curie}" in links, curie
    assert '<form class="site-search" role="search" action="/search"' in page
    assert '<input id="site-search" name="q" type="search"' in page


def test_a_list_pages_a_class_sorted_by_label(client: TestClient, store: ox.Store) -> None:
    expected = instances(store, OBSERVATION)
    assert len(expected) > PAGE_SIZE  # more than one page
    seen: list[str] = []
    labels: list[str] = []
    url: str | None = "/list?class=qb:Observation&format=json"
    while url:
        body = client.get(url).json()
        assert body["count"] == len(expected) and body["class"] == OBSERVATION
        assert len(body["items"]) <= PAGE_SIZE
        seen += [item["iri"] for item in body["items"]]
        labels += [item["label"].lower() for item in body["items"]]
        url = body["next"]
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    assert labels == sorted(labels)

    page = client.get("/list?class=qb:Observation&page=2", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert f"{len(expected):,} instances" in page.text
    assert 'rel="prev" href="/list?class=qb%3AObservation&amp;page=1"' in page.text
    items = re.findall(r'<li><a href="(/id/observation/[^"]+)">([^<]+)</a>', page.text)
    assert [h for h, _ in items] == [
        i.removeprefix("https://w3id.org/tipgraph") for i in seen[PAGE_SIZE : 2 * PAGE_SIZE]
    ]


def test_a_list_takes_a_full_iri_and_labels_in_the_readers_language(
    client: TestClient, store: ox.Store
) -> None:
    body = client.get(
        "/list", params={"class": f"{SCHEMA}Organization", "format": "json", "lang": "az"}
    ).json()
    assert {i["iri"] for i in body["items"]} == instances(store, f"{SCHEMA}Organization")
    unions = [i for i in body["items"] if i["iri"].endswith("/trade-union-confederation")]
    assert unions[0]["label"] == "Azərbaycan Həmkarlar İttifaqları Konfederasiyası"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "class=",
        "class=nosuchprefix:Thing",
        "class=not%20an%20iri",
        "class=qb:Observation&page=0",
        "class=qb:Observation&page=-1",
        "class=qb:Observation&page=two",
        "class=qb:Observation&page=99999999999",
        "class=qb:Observation&format=xml",
    ],
)
def test_bad_list_parameters_are_400_saying_what_to_send(client: TestClient, query: str) -> None:
    response = client.get(f"/list?{query}")
    assert response.status_code == 400
    assert response.text.strip()


def test_a_page_past_the_end_or_an_empty_class_is_404(client: TestClient) -> None:
    assert client.get("/list?class=qb:Observation&page=999").status_code == 404
    assert client.get("/list?class=tip:NoSuchClass").status_code == 404


def test_every_class_count_links_to_its_list(client: TestClient) -> None:
    dataset = client.get("/dataset", headers={"accept": BROWSER}).text
    classes = dataset.split('id="classes-heading"', 1)[1].split("</table>", 1)[0]
    counted = re.findall(
        r'<td class="number"><a class="count" href="([^"]+)">([\d,]+)</a>', classes
    )
    assert len(counted) >= 20
    for href, shown in counted[:8]:
        target = entities.unescape(href)
        assert target.startswith("/list?class=")
        body = client.get(target + "&format=json").json()
        assert f"{body['count']:,}" == shown, target
    links = hrefs(home(client))
    assert "/list?class=qb:Observation" in links
    graph = client.get("/graph/az-mia-thb-2018", headers={"accept": BROWSER}).text
    listed = [h for h in hrefs(graph) if h.startswith("/list?")]
    assert listed and all(parse_qs(urlsplit(h).query)["class"] for h in listed)


def test_the_favicon_is_served_and_linked(client: TestClient) -> None:
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in home(client)
