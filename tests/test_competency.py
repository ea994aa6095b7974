"""The competency questions of the domain research, answered by SPARQL over the bundled data.

Each test asks what a user would ask and checks the answer against the source report.
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

from tipgraph.dataset import AssembledDataset
from tipgraph.namespaces import sparql_prologue

ID = "https://w3id.org/tipgraph/id/"


def ask(dataset: AssembledDataset, query: str) -> list[dict[str, str]]:
    solutions = dataset.store.query(
        sparql_prologue()
        + "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n"
        + "PREFIX time: <http://www.w3.org/2006/time#>\n"
        + "PREFIX dcat: <http://www.w3.org/ns/dcat#>\n"
        + query,
        use_default_graph_as_union=True,
    )
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: t.value for n in names if (t := row[n]) is not None} for row in solutions]


def test_units_of_the_ministry_and_the_national_coordinator(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        f"""SELECT ?unit ?post ?holder WHERE {{
              ?unit org:unitOf <{ID}agency/mia> .
              ?post org:postIn <{ID}agency/mia> ; skos:prefLabel ?label ; org:heldBy ?holder .
              FILTER (CONTAINS(?label, "National Coordinator"))
            }}""",
    )
    assert {r["unit"] for r in rows} == {f"{ID}agency/mia-thb-department"}
    assert {r["holder"] for r in rows} == {f"{ID}person/vilayat-eyvazov"}


def test_who_organised_the_school_meetings(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        f"""SELECT DISTINCT ?body WHERE {{
              ?obs tip:indicator <{ID}indicator/awareness-meetings-held> ;
                   tip:describes/prov:wasAssociatedWith ?body .
            }}""",
    )
    bodies = {r["body"].removeprefix(f"{ID}agency/") for r in rows}
    assert bodies == {"mia", "moe", "moh", "mys", "scfwca"}


def test_which_bodies_are_linked_to_wikidata(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        """SELECT ?body (BOUND(?wikidata) AS ?linked) WHERE {
             ?body a/rdfs:subClassOf* org:Organization .
             OPTIONAL { ?body owl:sameAs ?wikidata }
           }""",
    )
    linked = {r["body"].rsplit("/", 1)[-1] for r in rows if r["linked"] == "true"}
    unlinked = {r["body"].rsplit("/", 1)[-1] for r in rows if r["linked"] == "false"}
    assert "milli-majlis" in linked
    assert "iom" in linked
    assert {"mia", "unodc", "greta"} <= unlinked


def test_partners_met_in_2018(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        f"""SELECT DISTINCT ?partner WHERE {{
              ?meeting a tip:Meeting ; dcterms:temporal <{ID}period/2018> ;
                       schema:attendee ?partner .
            }}""",
    )
    partners = {r["partner"].rsplit("/", 1)[-1] for r in rows}
    assert partners == {"us-state-department", "iom", "icmpd"}


def test_countries_met_on_information_exchange(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        """SELECT ?alpha3 WHERE {
             ?meeting a tip:Meeting ; tip:counterpartCountry ?country .
             ?country skos:notation ?alpha3 .
             FILTER (DATATYPE(?alpha3) = tip:iso3166Alpha3)
           }""",
    )
    assert sorted(r["alpha3"] for r in rows) == ["ARE", "IRN", "TUR", "UZB"]


def test_an_understanding_reached_in_meetings_is_no_concluded_agreement(
    bundled: AssembledDataset,
) -> None:
    """The report names no instrument for what was 'obtained during the meetings'."""
    rows = ask(bundled, "SELECT ?a WHERE { ?a a tip:Agreement ; tip:counterpartCountry ?c }")
    assert rows == []


def test_parties_of_the_general_collective_agreement(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        f"""SELECT ?party WHERE {{
              <{ID}agreement/general-collective-agreement-2018-2019> tip:party ?party }}""",
    )
    assert len(rows) == 3


def test_legal_acts_with_number_date_and_issuer(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        """SELECT ?act ?number ?date ?issuer WHERE {
             ?act a tip:LegalAct ; eli:number ?number ; eli:date_document ?date ;
                  eli:passed_by/skos:prefLabel ?issuer .
             FILTER (LANG(?issuer) = "en")
           }""",
    )
    by_number = {r["number"]: r for r in rows}
    assert by_number["387"]["date"] == "2018-12-10"
    assert by_number["387"]["issuer"] == "President of the Republic of Azerbaijan"
    assert by_number["667"]["date"] == "2014-07-24"


def test_action_plans_periods_and_succession(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        """SELECT ?plan ?start ?end ?previous WHERE {
             ?plan a tip:ActionPlan ; dcterms:temporal ?period .
             ?period dcat:startDate ?start ; dcat:endDate ?end .
             OPTIONAL { ?plan tip:precededBy ?previous }
           } ORDER BY ?start""",
    )
    assert [r["start"][:4] for r in rows] == ["2014", "2019"]
    assert rows[1]["previous"] == rows[0]["plan"]


def test_goals_of_the_draft_plan_map_to_policy_areas(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        f"""SELECT ?goal ?area WHERE {{
              <{ID}action-plan/nap-2019-2023> tip:hasGoal ?goal .
              OPTIONAL {{ ?goal skos:broadMatch ?area }}
            }}""",
    )
    assert len({r["goal"] for r in rows}) == 10
    areas = {r["area"].rsplit("/", 1)[-1] for r in rows if "area" in r}
    assert {"prosecution", "prevention", "protection", "partnership"} <= areas


def test_share_of_identified_victims_placed_in_shelters(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        f"""SELECT ?sheltered ?identified WHERE {{
              ?a tip:indicator <{ID}indicator/victims-sheltered> ;
                 sdmx-dimension:refPeriod <{ID}period/2014-2018> ;
                 sdmx-measure:obsValue ?sheltered .
              ?b tip:indicator <{ID}indicator/victims-identified> ;
                 sdmx-dimension:refArea <{ID}country/aze> ;
                 sdmx-dimension:refPeriod <{ID}period/2014-2018> ;
                 sdmx-measure:obsValue ?identified .
            }}""",
    )
    (row,) = rows
    assert (Decimal(row["sheltered"]), Decimal(row["identified"])) == (312, 356)


def test_money_for_ngo_projects_by_funder_and_period(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        f"""SELECT ?funder ?period ?amount ?qualifier WHERE {{
              ?obs sdmx-attribute:unitMeasure <{ID}unit/azn> ; tip:actor ?funder ;
                   sdmx-dimension:refPeriod ?period ; sdmx-measure:obsValue ?amount ;
                   tip:valueQualifier ?qualifier .
            }}""",
    )
    found = {
        (r["funder"].rsplit("/", 1)[-1], r["period"].rsplit("/", 1)[-1], int(r["amount"]))
        for r in rows
    }
    assert found == {
        ("ngo-support-council", "2018", 110000),
        ("ngo-support-council", "2014-2018", 412000),
        ("mia", "2014-2018", 60000),
    }


def test_approximate_figures(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        f"""SELECT ?stated WHERE {{
              ?obs tip:valueQualifier ?q ; tip:statedValue ?stated .
              FILTER (?q != <{ID}qualifier/exact>)
            }}""",
    )
    stated = {r["stated"] for r in rows}
    assert {"about 85,000", "More than 2000", "nearly 60,000", "approximately 70 %"} <= stated
    # "Every fourth" is a rounded ratio (about 25 %), "each one" a lower bound (at least 312).
    assert {"Every fourth", "each one"} <= stated
    assert len(stated) == 10


def test_the_sentence_and_offsets_behind_a_figure(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        f"""SELECT ?sentence ?start ?end WHERE {{
              <{ID}observation/az-mia-thb-2018/victims-given-medical-assistance-2014-2018>
                  prov:wasDerivedFrom ?quote .
              ?quote prov:value ?sentence ;
                     oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] .
            }}""",
    )
    (row,) = rows
    text = (bundled.texts[0]).text
    assert text[int(row["start"]) : int(row["end"])] == row["sentence"]
    assert "706 victims" in row["sentence"]


def test_interpretations_and_their_evidence(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        """SELECT ?obs ?reading ?evidence WHERE {
             ?obs a qb:Observation ; tip:interpretation ?i .
             ?i skos:editorialNote ?reading ; prov:wasDerivedFrom/prov:value ?evidence .
           }""",
    )
    observations = {r["obs"] for r in rows}
    assert len(observations) >= 60
    assert any("completed last year" in r["evidence"] for r in rows)


def test_figures_within_the_plan_period_through_owl_time(bundled: AssembledDataset) -> None:
    rows = ask(
        bundled,
        f"""SELECT ?obs WHERE {{
              ?obs sdmx-dimension:refArea <{ID}country/aze> ; sdmx-dimension:refPeriod ?period .
              {{ BIND (<{ID}period/2014-2018> AS ?period) }}
              UNION {{ ?period time:intervalIn <{ID}period/2014-2018> }}
            }}""",
    )
    years = ask(
        bundled,
        f"""SELECT ?obs WHERE {{ ?obs sdmx-dimension:refPeriod <{ID}period/2018> ;
                                      sdmx-dimension:refArea <{ID}country/aze> }}""",
    )
    assert len(rows) > len(years) > 20
