"""The search index: normalisation, prefix matching and ranking, on the bundled data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tipgraph.namespaces import ID, TIP
from tipgraph.search_index import (
    ALTERNATIVE,
    MATCH_EXACT,
    MATCH_LABEL_PREFIX,
    MATCH_TOKEN_PREFIX,
    PREFERRED,
    SEARCH_FILE,
    Label,
    Resource,
    SearchIndex,
    normalise,
    tokens,
)
from tipgraph.store.location import StoreVersion
from tipgraph.store.reader import EmbeddedReader

MIA = f"{ID}agency/mia"
MIA_DEPARTMENT = f"{ID}agency/mia-thb-department"


@pytest.fixture(scope="module")
def index(built_store: StoreVersion) -> SearchIndex:
    saved = SearchIndex.read(built_store.path)
    assert saved is not None, f"tipgraph load writes {SEARCH_FILE} beside the store"
    return saved


def iris(index: SearchIndex, query: str, limit: int = 10) -> list[str]:
    return [hit.iri for hit in index.search(query, limit)]


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Daxili İşlər Nazirliyi", "daxili isler nazirliyi"),
        ("ƏLİ Şükür Çağğöü", "eli sukur caggou"),
        ("  Ministry   of\tHealth ", "ministry of health"),
        ("Конфедерация профсоюзов Ёлка", "конфедерация профсоюзов елка"),
        ("Straße Œuvre café", "strasse oeuvre cafe"),
        ("ﬁne", "fine"),  # compatibility forms (NFKD)
    ],
)
def test_normalise_folds_case_accents_and_azerbaijani_letters(text: str, normalised: str) -> None:
    assert normalise(text) == normalised


def test_tokens_split_on_punctuation() -> None:
    assert tokens(normalise("Qeyri-Hökumət Təşkilatları (QHT), 2018")) == [
        "qeyri",
        "hokumet",
        "teskilatlari",
        "qht",
        "2018",
    ]


def test_the_ministry_is_found_by_its_azerbaijani_label_typed_without_its_letters(
    index: SearchIndex,
) -> None:
    for query in ("daxili", "Daxili Isler", "DAXİLİ İŞLƏR", "daxili is"):
        hits = {hit.iri: hit for hit in index.search(query, 20)}
        assert MIA in hits, query
        assert hits[MIA].language == "az"
        assert "Daxili İşlər" in hits[MIA].label


def test_a_label_beginning_with_the_query_ranks_before_one_containing_it(
    index: SearchIndex,
) -> None:
    hits = index.search("daxili", 10)
    assert hits[0].iri == MIA_DEPARTMENT  # "Daxili İşlər Nazirliyinin …"
    assert hits[0].match == MATCH_LABEL_PREFIX
    mia = next(hit for hit in hits if hit.iri == MIA)  # "Azərbaycan … Daxili İşlər Nazirliyi"
    assert mia.match == MATCH_TOKEN_PREFIX


def test_minist_ranks_the_ministries(index: SearchIndex) -> None:
    hits = index.search("minist", 30)
    assert MIA in [hit.iri for hit in hits]
    matches = [hit.match for hit in hits]
    assert matches == sorted(matches), "labels beginning with it first, then containing it"
    beginning = [hit for hit in hits if hit.match == MATCH_LABEL_PREFIX]
    assert len(beginning) >= 5
    assert all(normalise(hit.label).startswith("minist") for hit in beginning)
    lengths = [len(hit.label) for hit in beginning]
    assert lengths == sorted(lengths), "shorter labels first"


def test_an_exact_label_ranks_first(index: SearchIndex) -> None:
    hit = index.search("ministry of internal affairs", 5)[0]
    assert hit.iri == MIA
    assert hit.match == MATCH_EXACT
    assert hit.language == "en"


def test_every_word_must_begin_a_word_of_the_label(index: SearchIndex) -> None:
    found = index.search("ministry health", 10)
    assert found
    assert all("health" in hit.label.lower() for hit in found)
    assert index.search("ministry zzqxv", 10) == []


def test_labels_in_russian_are_found(index: SearchIndex) -> None:
    hits = index.search("конфедерация проф", 5)
    assert hits
    assert hits[0].iri == f"{ID}organization/trade-union-confederation"
    assert hits[0].language == "ru"


def test_each_resource_once_with_its_type_in_words(index: SearchIndex) -> None:
    found = iris(index, "ministry", 50)
    assert len(found) == len(set(found))
    quote = index.search("quote", 1)[0]
    assert quote.iri == f"{TIP}Quote"  # ontology terms are found too
    assert quote.type_label == "Class"
    assert next(h for h in index.search("ministry of internal", 5) if h.iri == MIA).type_label


def test_limit_and_nothing(index: SearchIndex) -> None:
    assert len(index.search("a", 3)) == 3
    assert index.search("", 10) == []
    assert index.search("  ,, ", 10) == []
    assert index.search("minist", 0) == []


def test_ranking_prefers_preferred_then_shorter_then_iri() -> None:
    resources = [Resource(f"{ID}x/{n}", "Thing") for n in ("b", "a", "c", "d")]
    labels = [
        Label(0, "Alpha beta", "en", PREFERRED),
        Label(1, "Alpha beta", "en", PREFERRED),  # same length: by IRI, …/a first
        Label(2, "Alpha", "en", ALTERNATIVE),  # exact, though alternative
        Label(3, "Alpha gamma delta", "en", PREFERRED),
        Label(3, "Alpha", "az", ALTERNATIVE),
    ]
    index = SearchIndex("v", resources, labels)
    assert iris(index, "alpha") == [f"{ID}x/c", f"{ID}x/d", f"{ID}x/a", f"{ID}x/b"]
    assert iris(index, "alp") == [f"{ID}x/a", f"{ID}x/b", f"{ID}x/d", f"{ID}x/c"]
    assert index.search("alp", 4)[2].label == "Alpha gamma delta"  # its preferred label


def test_the_saved_index_is_the_one_built_from_the_store(
    built_store: StoreVersion, index: SearchIndex
) -> None:
    built = SearchIndex.from_reader(
        EmbeddedReader(built_store.database), built_store.manifest.version
    )
    assert index.version == built_store.manifest.version
    assert built.labels == index.labels
    assert built.resources == index.resources


def test_no_file_or_an_older_kind_reads_as_none(tmp_path: Path, index: SearchIndex) -> None:
    assert SearchIndex.read(tmp_path) is None
    index.write(tmp_path)
    assert SearchIndex.read(tmp_path) is not None
    body = json.loads((tmp_path / SEARCH_FILE).read_text(encoding="utf-8"))
    (tmp_path / SEARCH_FILE).write_text(json.dumps(body | {"format": 0}), encoding="utf-8")
    assert SearchIndex.read(tmp_path) is None
