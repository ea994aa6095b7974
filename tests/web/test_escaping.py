"""Labels come from data: a page renders every literal inert, whatever it contains."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tipgraph.build import build_store
from tipgraph.config import EndpointSettings, Settings
from tipgraph.store.location import StoreLocation
from tipgraph.web.app import create_app

from ..helpers import ROOT

HOSTILE = """
<https://w3id.org/tipgraph/id/agency/hostile> a <http://www.w3.org/ns/org#FormalOrganization> ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> "<script>alert('label')</script> & Co"@en ;
    <http://www.w3.org/2004/02/skos/core#definition> "<img src=x onerror=alert(1)>"@en ;
    <http://www.w3.org/2000/01/rdf-schema#comment> "\\"><svg onload=alert(2)>" .
<https://w3id.org/tipgraph/id/agency/mia> <http://www.w3.org/ns/org#hasUnit>
    <https://w3id.org/tipgraph/id/agency/hostile> .
<https://w3id.org/tipgraph/id/agency/hostile>
    <http://www.w3.org/2002/07/owl#sameAs> <javascript:alert(document.domain)> ,
        <data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==> .
<https://w3id.org/tipgraph/id/indicator/hostile> a <http://www.w3.org/2004/02/skos/core#Concept> ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> "Hostile values"@en .
@prefix tip: <https://w3id.org/tipgraph/ontology#> .
@prefix measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix hostile: <https://w3id.org/tipgraph/id/observation/hostile/> .
@prefix qb: <http://purl.org/linked-data/cube#> .
hostile:infinite a qb:Observation ; tip:indicator <https://w3id.org/tipgraph/id/indicator/hostile> ;
    measure:obsValue "INF"^^xsd:double .
hostile:words a qb:Observation ; tip:indicator <https://w3id.org/tipgraph/id/indicator/hostile> ;
    measure:obsValue "twelve" .
hostile:negative a qb:Observation ; tip:indicator <https://w3id.org/tipgraph/id/indicator/hostile> ;
    measure:obsValue -5 .
"""


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("hostile")
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(ROOT / folder, root / folder)
    with (root / "data" / "reference" / "organizations.ttl").open("a") as ttl:
        ttl.write(HOSTILE)
    location = StoreLocation(root / "store")
    build_store(Settings.load(root=root), location, validate=False, progress=lambda _: None)
    app = create_app(EndpointSettings(store=root / "store", workers=1))
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("path", ["/id/agency/hostile", "/id/agency/mia"])
def test_markup_in_literals_is_escaped(hostile_client: TestClient, path: str) -> None:
    html = hostile_client.get(path, headers={"Accept": "text/html"}).text
    assert "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt; &amp; Co" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<svg onload" not in html


def test_only_web_addresses_become_links(hostile_client: TestClient) -> None:
    response = hostile_client.get("/id/agency/hostile", headers={"Accept": "text/html"})
    html = response.text
    assert "javascript:alert(document.domain)" in html  # shown, as text
    assert 'href="javascript:' not in html
    assert 'href="data:' not in html
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy


def test_values_that_are_no_finite_number_do_not_break_a_page(hostile_client: TestClient) -> None:
    page = hostile_client.get("/id/indicator/hostile", headers={"Accept": "text/html"})
    assert page.status_code == 200
    table = hostile_client.get("/doc/indicator/hostile.csv").text
    rows = list(csv.DictReader(io.StringIO(table)))
    assert sorted(row["value"] for row in rows) == ["-5", "INF", "twelve"]  # as the data says
    assert {row["indicator_label"] for row in rows} == {"Hostile values"}
    assert 'height="-' not in page.text  # one finite value: no chart (a single bar) and no error
