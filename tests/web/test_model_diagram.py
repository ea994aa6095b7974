"""The ontology page opens with a picture of how a figure is modelled, drawn on the server."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pyoxigraph as ox
from fastapi.testclient import TestClient

from tipgraph.store.location import StoreVersion
from tipgraph.web.model_diagram import ARROWS, BOXES, TITLES, expand

SVG = "{http://www.w3.org/2000/svg}"


def _picture(client: TestClient) -> ET.Element:
    page = client.get("/ontology", headers={"Accept": "text/html"}).text
    start, end = page.index("<svg"), page.index("</svg>") + len("</svg>")
    return ET.fromstring(page[start:end])


def test_the_ontology_page_draws_the_model_as_svg(client: TestClient) -> None:
    picture = _picture(client)
    words = {"".join(t.itertext()) for t in picture.iter(f"{SVG}text")}
    assert set(TITLES.values()) <= words
    assert {arrow.prop for arrow in ARROWS} <= words
    assert picture.find(f"{SVG}title") is not None  # named for screen readers


def test_every_part_and_arrow_names_a_term_the_data_uses(built_store: StoreVersion) -> None:
    """The picture cannot drift from the model: every property it draws links figures, quotes,
    texts and reports in the bundled data, and every class it names has instances."""
    store = ox.Store.read_only(str(built_store.database))
    for arrow in ARROWS:
        used = store.query(
            f"ASK {{ ?s <{expand(arrow.prop)}> ?o }}", use_default_graph_as_union=True
        )
        assert bool(used), f"{arrow.prop} links nothing in the data"
    for box in BOXES:
        if ":" in box.caption:
            typed = store.query(
                f"ASK {{ ?s a <{expand(box.caption)}> }}", use_default_graph_as_union=True
            )
            assert bool(typed), f"{box.caption} has no instance"
