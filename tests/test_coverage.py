"""Coverage: every numeral of the source text is a figure in the data or listed as no statistic."""

from __future__ import annotations

from tipgraph.coverage import check_coverage, find_numerals
from tipgraph.dataset import AssembledDataset


def test_bundled_report_is_fully_covered(bundled: AssembledDataset) -> None:
    (report,) = check_coverage(bundled)
    assert len(report.numerals) >= 80
    assert report.missing == ()


def test_every_numeral_kind_is_found() -> None:
    text = "In 2018, 3.740 of 19,210 people, about 40.3 million, every fourth one; 9-11 grades."
    found = [text[s:e] for s, e in find_numerals(text)]
    assert found == ["2018", "3.740", "19,210", "40.3 million", "fourth", "one", "9", "11"]


def test_a_removed_observation_leaves_its_numeral_missing(fresh_dataset: AssembledDataset) -> None:
    fresh_dataset.store.update(
        "DELETE WHERE { GRAPH ?g { <https://w3id.org/tipgraph/id/observation/"
        "az-mia-thb-2018/victims-sheltered-2014-2018> ?p ?o } }"
    )
    (report,) = check_coverage(fresh_dataset)
    assert [n.text for n in report.missing] == ["312"]
    assert report.missing[0].line > 1


def test_a_removed_listing_leaves_its_year_missing(fresh_dataset: AssembledDataset) -> None:
    fresh_dataset.store.update(
        """PREFIX tip: <https://w3id.org/tipgraph/ontology#>
           PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
           DELETE WHERE { GRAPH ?g {
             ?numeral a tip:NonStatisticalNumeral ;
                      rdfs:comment "Period of the new (draft) National Action Plan."@en ;
                      ?p ?o } }"""
    )
    (report,) = check_coverage(fresh_dataset)
    assert [n.text for n in report.missing] == ["2019", "2023"]
