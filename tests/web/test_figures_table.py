"""The figures table (/figures): every observation, facets that count right, filters, sorting,
paging, and downloads of the same view, on the bundled data."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tipgraph.web.state import AppState

OBSERVATIONS = """
SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a qb:Observation ; sdmx-measure:obsValue ?v }"""
ROW = re.compile(r'<tr data-observation="([^"]+)">')
FIGURE_LINK = re.compile(r'<a href="([^"]+)" class="figure-link">')


def observations_in_store(client: TestClient) -> int:
    state: AppState = client.app.state.tipgraph  # type: ignore[attr-defined]
    return int(state.reader.select(OBSERVATIONS)[0]["n"].value)


def page_rows(client: TestClient, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [html.unescape(iri) for iri in ROW.findall(response.text)]


def view(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/figures.json{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def facet_value(client: TestClient, name: str, position: int = 0) -> tuple[str, int]:
    """A value of a facet over every figure (the ``position``-th most frequent) and its count."""
    entry = view(client)["facets"][name][position]
    return entry["iri"], entry["count"]


def test_every_observation_is_listed(client: TestClient) -> None:
    total = observations_in_store(client)
    assert total > 0
    assert len(page_rows(client, "/figures?size=500")) == total
    assert view(client)["count"] == total
    listed = page_rows(client, "/figures")
    assert len(listed) == min(total, 50)
    assert f"{total:,} figures" in client.get("/figures").text


def test_a_facet_count_is_the_number_of_rows_its_filter_leaves(client: TestClient) -> None:
    page = client.get("/figures").text
    links = re.findall(
        r'<details class="facet" data-facet="area"[^>]*>.*?<li><a href="([^"]+)"[^>]*>[^<]*</a> '
        r'<span class="facet-count">(\d+)</span>',
        page,
        re.S,
    )
    assert links, "the area facet links its values"
    href, count = links[0]
    assert len(page_rows(client, html.unescape(href) + "&size=500")) == int(count)
    for name in ("indicator", "period", "form", "actor"):
        iri, expected = facet_value(client, name)
        assert view(client, f"?{name}={iri}")["count"] == expected, name


def test_two_filters_combine(client: TestClient) -> None:
    area, _ = facet_value(client, "area")
    form, _ = facet_value(client, "form")
    everything = view(client)["rows"]
    expected = [r["observation"] for r in everything if area in r["area"] and form in r["form"]]
    combined = view(client, f"?area={area}&form={form}")
    assert sorted(r["observation"] for r in combined["rows"]) == sorted(expected)
    assert 0 < len(expected) < view(client, f"?area={area}")["count"]


def test_a_local_name_filters_as_its_iri_does(client: TestClient) -> None:
    iri, count = facet_value(client, "indicator")
    local = iri.split("/id/", 1)[1]
    assert view(client, f"?indicator={local}")["count"] == count
    assert view(client, f"?indicator={local.rsplit('/', 1)[1]}")["count"] == count


def test_an_empty_filter_filters_nothing(client: TestClient) -> None:
    assert view(client, "?indicator=&area=")["count"] == observations_in_store(client)


AZ_LABELLED_ACTOR = """
SELECT ?actor ?az ?en WHERE {
  ?o a qb:Observation ; tip:actor ?actor .
  ?actor skos:prefLabel ?az , ?en . FILTER(lang(?az) = "az" && lang(?en) = "en")
} ORDER BY ?actor LIMIT 1"""


def test_labels_are_in_the_readers_language(client: TestClient) -> None:
    state: AppState = client.app.state.tipgraph  # type: ignore[attr-defined]
    found = state.reader.select(AZ_LABELLED_ACTOR)
    assert found, "the bundled data names an actor in Azerbaijani"
    actor, az, en = (found[0][key].value for key in ("actor", "az", "en"))
    for language, label in (("az", az), ("en", en)):
        rows = view(client, f"?actor={actor}&lang={language}")["rows"]
        assert rows and all(label in r["actor_label"] for r in rows), language
    page = client.get(f"/figures?actor={actor}", headers={"Accept-Language": "az"}).text
    assert html.escape(az) in page


def test_sorting_by_value_both_ways(client: TestClient) -> None:
    ascending = [float(r["value"]) for r in view(client, "?sort=value")["rows"]]
    descending = [float(r["value"]) for r in view(client, "?sort=-value")["rows"]]
    assert ascending == sorted(ascending) and len(set(ascending)) > 1
    assert descending == sorted(ascending, reverse=True)
    top = view(client, "?sort=-value")["rows"][0]["observation"]
    assert page_rows(client, "/figures?sort=-value")[0] == top
    page = client.get("/figures?sort=value").text
    assert 'aria-sort="ascending"' in page and 'href="/figures?sort=-value"' in page


def test_paging_covers_every_row_once(client: TestClient) -> None:
    total = observations_in_store(client)
    pages = -(-total // 10)
    seen = [
        iri for n in range(1, pages + 1) for iri in page_rows(client, f"/figures?size=10&page={n}")
    ]
    assert len(seen) == total == len(set(seen))
    assert seen == [r["observation"] for r in view(client)["rows"]]
    past = client.get(f"/figures?size=10&page={pages + 1}")
    assert past.status_code == 400 and "past the last page" in past.text


def test_downloads_hold_the_rows_of_the_view(client: TestClient) -> None:
    area, _ = facet_value(client, "area")
    query = f"?area={area}&sort=-value"
    shown = page_rows(client, f"/figures{query}&size=500")
    assert shown
    response = client.get(f"/figures.csv{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["observation"] for r in records] == shown
    assert all(r["area"] == area and r["area_label"] for r in records)
    assert all(r["indicator_label"] and r["unit_label"] for r in records)
    as_json = view(client, query)
    assert [r["observation"] for r in as_json["rows"]] == shown
    assert client.get(f"/figures{query}&format=csv").text == response.text
    page = client.get(f"/figures{query}&size=5").text
    download = re.search(r'<a href="([^"]+)" data-download="csv">', page)
    assert download is not None
    assert client.get(html.unescape(download.group(1))).text == response.text


def test_values_read_with_their_unit_and_qualifier(client: TestClient) -> None:
    rows = view(client)["rows"]
    people = [r for r in rows if r["unit"] == [r["unit"][0]] and r["unit"][0].endswith("/person")]
    assert people
    for row in people:
        number = float(row["value"])
        assert row["display"].endswith(" person" if number == 1 else " persons"), row["display"]
    about = [r for r in rows if r["qualifier"] and r["qualifier"][0].endswith("/about")]
    assert about and all(r["display"].startswith("about ") for r in about)
    read = [r for r in rows if r["interpretation"]]
    assert read
    page = client.get("/figures?size=500").text
    assert page.count('<abbr class="reading"') == len(read) + 1  # and the legend's


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?page=0", "page='0' is not a whole number"),
        ("?page=x", "page='x' is not a whole number"),
        ("?size=100000", "size='100000' is not a whole number from 1 to 500"),
        ("?sort=colour", "cannot sort by 'colour'"),
        ("?indicator=no-such-indicator", "names no indicator"),
        ("?format=xml", "no format 'xml'"),
    ],
)
def test_bad_parameters_are_refused_with_a_reason(
    client: TestClient, query: str, message: str
) -> None:
    response = client.get(f"/figures{query}")
    assert response.status_code == 400
    assert message in response.text
    assert response.headers["cache-control"] == "no-store"


def test_an_unknown_download_format_is_not_found_and_says_what_is(client: TestClient) -> None:
    response = client.get("/figures.xlsx")
    assert response.status_code == 404 and "/figures.csv, /figures.json" in response.text


def test_a_view_is_cached_by_its_etag(client: TestClient) -> None:
    first = client.get("/figures?sort=value")
    etag = first.headers["etag"]
    assert client.get("/figures?sort=value", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/figures?sort=-value").headers["etag"] != etag
    assert client.get("/figures?sort=value&bust=1").headers["etag"] == etag


def test_the_table_is_in_the_openapi_description(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    parameters = {p["name"] for p in paths["/figures"]["get"]["parameters"]}
    assert {"indicator", "area", "sort", "page", "size", "format"} <= parameters
    assert "text/csv" in paths["/figures.{extension}"]["get"]["responses"]["200"]["content"]


def test_every_row_links_to_its_figure_page(client: TestClient) -> None:
    page = client.get("/figures?size=500").text
    links = [html.unescape(href) for href in FIGURE_LINK.findall(page)]
    assert len(links) == observations_in_store(client)
    for href in links:
        assert href.startswith("/doc/observation/")
        assert client.get(href).status_code == 200, href


def test_a_figures_document_of_no_format_is_404(client: TestClient) -> None:
    assert client.get("/figures.csv-metadata.json").status_code == 404
    assert client.get("/figures.xml").status_code == 404
    assert client.get("/figures.csv").status_code == 200
