"""From request paths to IRIs and files: no path traversal reads a file outside the dumps (or
static) folder, no page is rendered for an IRI outside the dataset, and an IRI under the base
maps to a path that maps back to it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import httpx
import pyoxigraph as ox
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tipgraph.export import CHECKSUMS, DUMPS, LISTING
from tipgraph.namespaces import BASE, ID
from tipgraph.store.location import StoreVersion
from tipgraph.web.links import Links, linkable
from tipgraph.web.resources import minted

STATIC = Path(__file__).resolve().parents[2] / "src" / "tipgraph" / "web" / "static"
# What traversal is made of, and the names that exist.
TRAVERSAL = ["..", ".", "/", "\\", "%2e%2e", "%2f", "%5c", "\x00", "C:", "~", "etc", "passwd"]
PIECES = st.sampled_from(
    [*TRAVERSAL, "dumps", "tipgraph.nt", "tipgraph.ttl.gz", CHECKSUMS, LISTING, "manifest.json"]
)
NAMES = st.lists(PIECES, min_size=1, max_size=6).map("".join) | st.text(max_size=20)
# IRI path characters: unreserved, sub-delims, ":" and "@", letters of other scripts, and
# characters an IRI only holds percent-encoded (in upper case, RFC 3987 §5.3.2.1).
IRI_CHARACTERS = st.sampled_from(
    list("abcXYZ019-._~!$&'()*+,;=:@")
    + ["ə", "ı", "ü", "й", "中"]
    + [f"%{ord(c):02X}" for c in ' %?#<>"{}|\\^`[]']
)
SEGMENTS = (
    st.lists(IRI_CHARACTERS, min_size=1, max_size=8)
    .map("".join)
    .filter(lambda s: s not in (".", ".."))
)
LOCAL_PATHS = st.lists(SEGMENTS, min_size=1, max_size=4).map("/".join)


def every_byte_encoded(text: str) -> str:
    """``text`` with every byte percent-encoded, so no client resolves its dot segments."""
    return "".join(f"%{byte:02X}" for byte in text.encode())


@pytest.fixture(scope="module")
def dataset_iris(built_store: StoreVersion) -> set[str]:
    """Every IRI under /id/ the store says something about (as subject or object)."""
    store = ox.Store.read_only(str(built_store.database))
    query = "SELECT DISTINCT ?x { { ?x ?p ?o } UNION { ?s ?p ?x } FILTER(isIRI(?x)) }"
    found = {row["x"].value for row in store.query(query, use_default_graph_as_union=True)}  # type: ignore[union-attr]
    return {iri for iri in found if iri.startswith(ID)}


@given(name=NAMES)
@settings(max_examples=200)
def test_no_dump_name_reads_a_file_outside_the_dumps(
    http: httpx.Client, built_store: StoreVersion, name: str
) -> None:
    assume(name != "")  # /dumps/ is the index
    folder = built_store.path / DUMPS
    response = http.get(f"/dumps/{every_byte_encoded(name)}")
    if response.status_code == 200:
        assert "/" not in name and "\\" not in name
        assert (folder / name).resolve().parent == folder.resolve()
        assert response.content == (folder / name).read_bytes()
    elif response.status_code == 307:  # a trailing slash dropped: the index, or a dump
        assert urlsplit(response.headers["location"]).path.startswith("/dumps/")
    else:
        assert response.status_code == 404, response.text


@given(name=NAMES)
@settings(max_examples=100)
def test_no_static_path_reads_a_file_outside_the_static_folder(
    http: httpx.Client, name: str
) -> None:
    response = http.get(f"/static/{every_byte_encoded(name)}")
    if response.status_code == 200:
        served = (STATIC / name).resolve()
        assert served.is_relative_to(STATIC) and response.content == served.read_bytes()
    else:
        assert response.status_code in (404, 405), response.text


@given(path=NAMES | LOCAL_PATHS, twin=st.sampled_from(["", ".ttl", ".txt", ".csv", ".html"]))
@settings(max_examples=200)
def test_a_page_is_only_ever_about_an_iri_of_the_dataset(
    http: httpx.Client, dataset_iris: set[str], path: str, twin: str
) -> None:
    response = http.get(f"/doc/{every_byte_encoded(path + twin)}", headers={"Accept": "text/html"})
    assert response.status_code in (200, 404), response.text
    if response.status_code == 200:
        iri = minted(path)
        assert iri is not None and iri in dataset_iris


@given(path=NAMES | LOCAL_PATHS)
def test_a_request_path_names_an_iri_under_the_base_or_none(path: str) -> None:
    iri = minted(path)
    if iri is not None:
        assert iri.startswith(ID)
        assert ".." not in iri[len(ID) :].split("/")
        ox.NamedNode(iri)  # a valid IRI
        assert urlsplit(iri).query == "" and urlsplit(iri).fragment == ""


@given(local=LOCAL_PATHS, public_base=st.sampled_from(["/", "/tipgraph/", BASE]))
def test_an_iri_maps_to_a_path_that_maps_back_to_it(local: str, public_base: str) -> None:
    iri = ID + local
    links = Links(root="", public_base=public_base)
    href = links.href(iri)
    # What a browser sends for the link (RFC 3987 §3.1), and the path the server decodes.
    sent = urlsplit(quote(href, safe="/:@!$&'()*+,;=%~"))
    assert sent.query == "" and sent.fragment == ""
    path = unquote(sent.path)
    prefix = urlsplit(public_base).path + "id/"
    assert path.startswith(prefix)
    assert minted(path[len(prefix) :]) == iri


@given(local=LOCAL_PATHS)
@settings(max_examples=50)
def test_the_id_redirect_keeps_the_iri(http: httpx.Client, local: str) -> None:
    """/id/… answers 303 to /doc/… for the same IRI."""
    sent = quote(f"/id/{local}", safe="/:@!$&'()*+,;=%~")
    response = http.get(sent, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/doc/")
    assert minted(unquote(urlsplit(location).path)[len("/doc/") :]) == ID + local


@given(
    iri=st.text(max_size=40)
    | st.sampled_from(
        [
            "javascript:alert(1)",
            " JavaScript:x",
            "java\tscript:x",
            "\x01javascript:x",
            "data:text/html,x",
            "vbscript:x",
            "https://x",
            "mailto:a@b",
        ]
    )
)
def test_only_web_and_mail_addresses_are_linkable(iri: str) -> None:
    if linkable(iri):
        # What a browser reads: leading C0 controls and spaces stripped, tabs and newlines removed.
        cleaned = (
            iri.lstrip("".join(map(chr, range(0x21))))
            .replace("\t", "")
            .replace("\n", "")
            .replace("\r", "")
        )
        assert cleaned.split(":", 1)[0].lower() in {"http", "https", "mailto"}
