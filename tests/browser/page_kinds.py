"""One page of every kind the site serves, for the tests every page must pass (layout,
accessibility)."""

from __future__ import annotations

PAGE_KINDS: dict[str, str] = {
    "home": "/",
    "dataset": "/dataset",
    "downloads": "/dumps/",
    "ontology": "/ontology",
    "query": "/sparql",
    "query-results": "/sparql?query=SELECT%20%3Fs%20%3Flabel%20WHERE%20%7B%20%3Fs%20"
    "skos%3AprefLabel%20%3Flabel%20%7D%20LIMIT%205",
    "figure": "/id/observation/az-mia-thb-2018/women-and-girls-share-2016",
    "agency": "/id/agency/mia",
    "indicator": "/id/indicator/victims-identified",
    "source-text": "/id/report/az-mia-thb-2018/text/en",
    "passage": "/id/report/az-mia-thb-2018/text/en?start=874&end=1232",
    "graph": "/graph/az-mia-thb-2018",
    "list": "/list?class=qb:Observation&page=2",
    "figures": "/figures",
    "figures-filtered": "/figures?indicator=victims-identified&sort=-value",
    "search": "/search?q=victim",
    "not-found": "/id/agency/no-such-agency",
}
WIDTHS = (1280, 390)
