"""Resource pages written for people: labels with the prefixed name as a tooltip, and no
section that repeats another."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_resource_pages_label_properties_with_the_curie_as_a_tooltip(client: TestClient) -> None:
    page = client.get("/id/dataset/az-mia-thb-2018", headers={"accept": BROWSER}).text
    properties = page.split('id="properties-heading"', 1)[1].split("</table>", 1)[0]
    assert re.search(r'<span title="dcterms:spatial[^"]*">spatial coverage</span>', properties)
    assert ">dcterms:spatial<" not in properties
    kind = page.split('<p class="kind">', 1)[1].split("</p>", 1)[0]
    assert 'title="qb:DataSet"' in kind


def test_an_agency_page_shows_its_figures_and_units_once(client: TestClient) -> None:
    page = client.get("/id/agency/mia", headers={"accept": BROWSER}).text
    figures = page.split('id="figures-heading"', 1)[1].split("</section>", 1)[0]
    units = page.split('id="units-heading"', 1)[1].split("</section>", 1)[0]
    assert "Main Department for Combating Trafficking in Human Beings" in units
    rest = page.split('id="properties-heading"', 1)[1]
    assert "Main Department for Combating Trafficking in Human Beings" not in rest
    assert 'title="org:hasUnit' not in rest and 'title="org:unitOf' not in rest
    assert 'title="tip:actor' not in rest  # the figures are listed once, above
    shown = re.search(r"Figures it reported <small>\((\d+)\)</small>", figures)
    assert shown and int(shown.group(1)) == figures.count("<li>") > 0
