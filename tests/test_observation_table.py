"""tipgraph.csv, the one table of observations (issue 16): labels beside the IRIs, the quote
and its passage, its CSVW description read by a CSVW library, and an indicator's rows alone."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from csvw import CSVW, Table
from fastapi.testclient import TestClient

from tipgraph.export import CHECKSUMS, DUMPS, read_dumps
from tipgraph.namespaces import BASE, ID, PROV, sparql_prologue
from tipgraph.observation_table import COLUMNS, METADATA_FILE, NAMES, SEPARATOR, TABLE_FILE
from tipgraph.store.location import StoreVersion

Row = dict[str, str]
TURTLE = "text/turtle"


@pytest.fixture(scope="module")
def dumps(built_store: StoreVersion) -> Path:
    return built_store.path / DUMPS


@pytest.fixture(scope="module")
def store(built_store: StoreVersion) -> ox.Store:
    return ox.Store.read_only(str(built_store.database))


@pytest.fixture(scope="module")
def rows(dumps: Path) -> list[Row]:
    with (dumps / TABLE_FILE).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(sparql_prologue() + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: t.value for n in names if (t := s[n]) is not None} for s in solutions]


def _cells(cell: str) -> list[str]:
    return cell.split(SEPARATOR) if cell else []


def test_every_iri_column_has_its_label_beside_it(rows: list[Row]) -> None:
    labelled = [c for c in COLUMNS if c.labelled and c.name.endswith("_label")]
    assert {c.source for c in labelled} == {
        "indicator", "exploitation_form", "area", "period", "actor", "unit", "qualifier",
    }  # fmt: skip
    for column in labelled:
        assert NAMES.index(column.name) == NAMES.index(column.source) + 1  # beside it
    assert any(row["actor"] for row in rows)
    for row in rows:
        for column in labelled:
            iris, labels = _cells(row[column.source]), _cells(row[column.name])
            assert len(iris) == len(labels), (row["observation"], column.name)
            assert not any(label.startswith("http") for label in labels)  # every IRI labelled


def test_labels_are_the_data_s(rows: list[Row], store: ox.Store) -> None:
    actors = _select(
        store,
        """SELECT ?o ?actor ?label { ?o a qb:Observation ; tip:actor ?actor .
        ?actor skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }""",
    )
    by_iri = {row["observation"]: row for row in rows}
    assert actors
    for solution in actors:
        row = by_iri[solution["o"]]
        position = _cells(row["actor"]).index(solution["actor"])
        assert _cells(row["actor_label"])[position] == solution["label"]


def test_the_17880_prosecutions_carry_their_interpretation(rows: list[Row]) -> None:
    (row,) = [row for row in rows if row["value"] == "17880"]
    assert row["observation"] == f"{ID}observation/az-mia-thb-2018/global-thb-crimes-2017"
    assert "17,880 'crimes … identified' are prosecutions" in _cells(row["interpretation"])
    assert row["stated_value"] == "17,880" and row["area_label"] and row["period_label"]


def test_every_quote_is_in_its_source_text_and_its_passage_resolves(
    rows: list[Row], store: ox.Store, client: TestClient
) -> None:
    texts = {
        s["quote"]: (s["exact"], s["text"])
        for s in _select(
            store,
            """SELECT ?quote ?exact ?text { ?quote a tip:Quote ; prov:value ?exact ;
            oa:hasSource ?source . ?source prov:value ?text }""",
        )
    }
    for row in rows:
        exact, text = texts[row["passage"]]
        assert row["quote"] == exact and row["quote"] in text
        assert row["stated_value"] in row["quote"]
    passage = rows[0]["passage"]
    described = client.get(passage.removeprefix(BASE.rstrip("/")), headers={"Accept": TURTLE})
    assert described.status_code == 200
    graph = ox.Store()
    graph.load(described.content, ox.RdfFormat.TURTLE)
    assert ox.Literal(rows[0]["quote"]) in {
        q.object
        for q in graph.quads_for_pattern(ox.NamedNode(passage), ox.NamedNode(f"{PROV}value"), None)
    }


def test_csvw_metadata_describes_the_csv_for_a_csvw_library(
    dumps: Path, store: ox.Store, rows: list[Row]
) -> None:
    metadata = dumps / METADATA_FILE
    described = CSVW(str(metadata), validate=True)
    assert described.is_valid and not described.warnings
    table = Table.from_file(metadata)
    assert [c.name for c in table.tableSchema.columns] == list(NAMES)
    with (dumps / TABLE_FILE).open(encoding="utf-8", newline="") as stream:
        assert next(csv.reader(stream)) == list(NAMES)
    parsed = list(table.iterdicts(strict=True))  # each cell by its declared datatype
    assert [row["observation"].unsplit() for row in parsed] == [row["observation"] for row in rows]
    assert all(isinstance(row["value"], Decimal) for row in parsed)
    assert all(isinstance(row["actor"], list) for row in parsed)
    assert len({row["observation"].unsplit() for row in parsed}) == len(parsed)  # primary key
    assert table.check_primary_key()
    query = "SELECT ?l { ?d a qb:DataSet ; dcterms:license ?l }"
    licences = {s["l"] for s in _select(store, query)}
    assert {entry["@id"] for entry in json.loads(metadata.read_text())["dc:license"]} == licences
    properties = {c.name: str(c.propertyUrl) for c in table.tableSchema.columns if c.propertyUrl}
    assert properties["value"] == "http://purl.org/linked-data/sdmx/2009/measure#obsValue"


def test_the_metadata_is_listed_with_its_checksum_and_served(
    dumps: Path, client: TestClient
) -> None:
    (listed,) = [f for f in read_dumps(dumps) if f.name == METADATA_FILE]
    assert listed.role == "metadata" and listed.count == len(COLUMNS)
    assert f"{listed.sha256}  {METADATA_FILE}\n" in (dumps / CHECKSUMS).read_text()
    served = client.get(f"/dumps/{METADATA_FILE}")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/csvm+json")
    assert served.content == (dumps / METADATA_FILE).read_bytes()


@pytest.mark.slow
def test_an_indicator_csv_is_the_statistics_csv_filtered_to_it(
    rows: list[Row], client: TestClient
) -> None:
    indicators = sorted({row["indicator"] for row in rows})
    assert len(indicators) > 10
    for indicator in indicators:
        path = indicator.replace(f"{ID}", "/doc/") + ".csv"
        response = client.get(path)
        assert response.status_code == 200, path
        served = list(csv.DictReader(io.StringIO(response.text)))
        assert list(served[0]) == list(NAMES)
        assert served == [row for row in rows if row["indicator"] == indicator]


def test_downloads_page_has_the_data_dictionary_and_how_to_check(client: TestClient) -> None:
    html = client.get("/dumps/", headers={"Accept": "text/html"}).text
    for column in COLUMNS:
        assert f"<dt><code>{column.name}</code>" in html
        assert column.description.replace("'", "&#39;") in html
    assert "sha256sum -c --ignore-missing SHA256SUMS" in html
    assert html.count("The same file, gzipped") == sum(f.endswith(".gz") for f in _names(client))


def _names(client: TestClient) -> list[str]:
    return [f["name"] for f in client.get("/dumps.json").json()["files"]]


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs sha256sum")
def test_a_partial_download_checks_with_ignore_missing(dumps: Path, tmp_path: Path) -> None:
    for name in (CHECKSUMS, TABLE_FILE, METADATA_FILE):
        shutil.copy(dumps / name, tmp_path / name)
    checked = subprocess.run(
        ["sha256sum", "-c", "--ignore-missing", CHECKSUMS],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{TABLE_FILE}: OK" in checked.stdout and f"{METADATA_FILE}: OK" in checked.stdout
    (tmp_path / TABLE_FILE).write_bytes(b"changed")
    failed = subprocess.run(
        ["sha256sum", "-c", "--ignore-missing", CHECKSUMS],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert failed.returncode != 0
