"""/dumps/: the index, the files with Range and ETag, and nothing outside the listing."""

from __future__ import annotations

import gzip
import hashlib
import http.client
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tipgraph.export import CHECKSUMS, DUMPS, read_dumps
from tipgraph.store.location import StoreVersion

from ..helpers.servers import LiveServer


@pytest.fixture(scope="module")
def dumps(built_store: StoreVersion) -> Path:
    return built_store.path / DUMPS


def test_index_for_people_lists_every_file_with_size_and_checksum(
    client: TestClient, dumps: Path
) -> None:
    response = client.get("/dumps/", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for dump in read_dumps(dumps):
        assert f'href="/dumps/{dump.name}"' in response.text
        assert dump.sha256 in response.text
    assert '<th scope="col">' in response.text and "<caption>" in response.text


def test_index_as_json_by_accept_and_by_name(client: TestClient, dumps: Path) -> None:
    by_accept = client.get("/dumps/", headers={"accept": "application/json"})
    assert by_accept.status_code == 200
    assert by_accept.headers["content-type"] == "application/json"
    files = {f["name"]: f for f in by_accept.json()["files"]}
    for dump in read_dumps(dumps):
        assert files[dump.name]["sha256"] == dump.sha256
        assert files[dump.name]["bytes"] == (dumps / dump.name).stat().st_size
        assert files[dump.name]["url"] == f"/dumps/{dump.name}"
    assert client.get("/dumps.json").json() == by_accept.json()
    assert client.get("/dumps/?format=json").json() == by_accept.json()


def test_files_are_served_whole_with_their_type_length_and_etag(
    client: TestClient, dumps: Path
) -> None:
    for dump in read_dumps(dumps):
        response = client.get(f"/dumps/{dump.name}")
        assert response.status_code == 200
        body = response.content
        assert hashlib.sha256(body).hexdigest() == dump.sha256
        assert response.headers["content-length"] == str(dump.bytes)
        assert response.headers["etag"] == f'"{dump.sha256}"'
        assert response.headers["accept-ranges"] == "bytes"
        assert "last-modified" in response.headers
        if dump.compressed:
            assert response.headers["content-type"] == "application/gzip"
            assert "content-encoding" not in response.headers  # a download, not an encoding
            assert gzip.decompress(body) == (dumps / dump.name.removesuffix(".gz")).read_bytes()
        else:
            assert response.headers["content-type"].split(";")[0] == dump.media_type


def test_if_none_match_gives_304(client: TestClient, dumps: Path) -> None:
    dump = read_dumps(dumps)[0]
    response = client.get(f"/dumps/{dump.name}", headers={"if-none-match": f'"{dump.sha256}"'})
    assert response.status_code == 304
    assert response.content == b""


def test_checksums_file_is_served(client: TestClient, dumps: Path) -> None:
    response = client.get(f"/dumps/{CHECKSUMS}")
    assert response.status_code == 200
    assert response.content == (dumps / CHECKSUMS).read_bytes()


def _raw_get(
    server: LiveServer, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """A request sent exactly as written (no client-side normalisation of ``..``)."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_range_requests_on_a_real_server(live_server: LiveServer, dumps: Path) -> None:
    data = (dumps / "tipgraph.nt.gz").read_bytes()
    status, headers, body = _raw_get(
        live_server, "/dumps/tipgraph.nt.gz", {"Range": "bytes=100-199"}
    )
    assert status == 206
    assert body == data[100:200]
    assert headers["content-range"] == f"bytes 100-199/{len(data)}"
    assert headers["content-length"] == "100"
    status, _, body = _raw_get(live_server, "/dumps/tipgraph.nt.gz", {"Range": "bytes=-50"})
    assert status == 206 and body == data[-50:]
    status, headers, _ = _raw_get(
        live_server, "/dumps/tipgraph.nt.gz", {"Range": f"bytes={len(data) + 10}-"}
    )
    assert status == 416
    assert headers["content-range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize(
    "path",
    [
        "/dumps/..",
        "/dumps/../manifest.json",
        "/dumps/%2e%2e",
        "/dumps/%2e%2e/manifest.json",
        "/dumps/%2e%2e%2fmanifest.json",
        "/dumps/..%2F..%2Fetc%2Fpasswd",
        "/dumps//etc/passwd",
        "/dumps/%2Fetc%2Fpasswd",
        "/dumps/manifest.json",
        "/dumps/oxigraph",
        "/dumps/.",
        "/dumps/tipgraph.nt%00.gz",
    ],
)
def test_nothing_outside_the_listing_is_served(live_server: LiveServer, path: str) -> None:
    status, _, body = _raw_get(live_server, path)
    assert status == 404, (path, body[:200])
